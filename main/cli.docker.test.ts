// `siesta serve` as a user runs it: a child process on labels alone, a request through the gateway that wakes a
// real container, `siesta status` against it, and a clean exit on SIGTERM that leaves the container running.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StateResponse } from './core/api/contract';
import { createFakeModel, removeTestContainers, testDocker } from '../test/docker-harness';
import { describeDocker } from '../test/docker-suite';
import {
  modelNames as namesOf,
  startSiestaDaemon,
  stateOf as stateFrom,
  type SiestaDaemon,
} from '../test/siesta-daemon';
import { until } from '../test/until';

const REPO = join(__dirname, '..');
const TSX = join(REPO, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO, 'main', 'cli.ts');
const docker = testDocker();
const CONTAINER = 'cli-e2e-llm';
const MODEL = 'clillm';
const YAML_CONTAINER = 'cli-e2e-yaml';

type Daemon = SiestaDaemon;

/** Starts `siesta serve` and waits for the lines that give its addresses. */
const startDaemon = startSiestaDaemon;
const stateOf = (daemon: Daemon, _dataDir: string): Promise<StateResponse> => stateFrom(daemon);
const modelNames = (daemon: Daemon, _dataDir: string): Promise<string[]> => namesOf(daemon);

/** The engine's socket path when DOCKER_HOST names a unix socket (as CI's private engine does), else null. */
const ENGINE_SOCKET =
  /^unix:\/\/(\/.+)$/.exec(process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock')?.[1] ?? null;

function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(
      () => reject(new Error(`did not exit within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describeDocker('siesta serve', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'siesta-cli-'));
    await createFakeModel(docker, {
      name: CONTAINER,
      labels: { 'siesta.enable': 'true', 'siesta.name': MODEL, 'siesta.health': '/health' },
      env: { START_DELAY_MS: '300' },
    });
  });

  afterAll(async () => {
    await removeTestContainers(docker);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs on labels alone, wakes the model for a chat request, answers `siesta status`, `sleep`, `wake`, `pin`, `pause` and `ledger export`, and leaves the container running on SIGTERM', async () => {
    const daemon = await startDaemon(dataDir);
    try {
      expect((await docker.getContainer(CONTAINER).inspect()).State.Running).toBe(false);
      const response = await fetch(`${daemon.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODEL,
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 3,
        }),
        signal: AbortSignal.timeout(30_000),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
      expect(body.choices[0]?.message.content).toBe('tok0 tok1 tok2');
      expect((await docker.getContainer(CONTAINER).inspect()).State.Running).toBe(true);

      const status = spawnSync(
        TSX,
        [CLI, 'status', '--control', daemon.controlUrl, '--data-dir', dataDir],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(status.stderr).toBe('');
      expect(status.status).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`${MODEL}\\s.*ready`, 'i'));

      const cli = (...args: string[]) =>
        spawnSync(TSX, [CLI, ...args, '--control', daemon.controlUrl, '--data-dir', dataDir], {
          encoding: 'utf8',
          timeout: 60_000,
        });
      const slept = cli('sleep', MODEL);
      expect(slept.status).toBe(0);
      expect((await docker.getContainer(CONTAINER).inspect()).State.Running).toBe(false);
      const woke = cli('wake', MODEL);
      expect(woke.status).toBe(0);
      expect(woke.stdout).toMatch(/ready/i);
      expect((await docker.getContainer(CONTAINER).inspect()).State.Running).toBe(true);
      const pinned = cli('pin', MODEL);
      expect(pinned.status).toBe(0);
      expect(cli('status').stdout).toMatch(new RegExp(`${MODEL}\\s.*ready.*never\\s+pinned`, 'i'));
      expect(cli('unpin', MODEL).status).toBe(0);
      expect(cli('pause').stdout).toContain('auto-sleep is paused');
      expect(cli('status').stdout).toContain('Auto-sleep is paused');
      expect(cli('resume').status).toBe(0);
      const csvPath = join(dataDir, 'export.csv');
      const exported = cli('ledger', 'export', '--csv', csvPath);
      expect(exported.status).toBe(0);
      const csv = readFileSync(csvPath, 'utf8').trim().split('\n');
      expect(csv[0]).toMatch(/^date,/);
      expect(csv.some((line) => line.includes(MODEL))).toBe(true);

      // The daemon's log tells the admin who woke what, how long it took, and why it slept. (The CLI calls
      // above block this process, so the daemon's last lines may still be in the pipe: wait for them.)
      const log = await until(
        'the daemon to log the wake from the cli',
        () => daemon.output(),
        (out) => out.includes(`${MODEL}: waking (asked from the cli)`),
        10_000,
      );
      expect(log).toMatch(new RegExp(`${MODEL}: waking \\(a request by model field ${MODEL}\\)`));
      expect(log).toMatch(new RegExp(`${MODEL}: ready after \\d+\\.\\d s`));
      expect(log).toContain(`${MODEL}: asleep (asked from the cli)`);

      daemon.child.kill('SIGTERM');
      expect(await exitOf(daemon.child, 15_000)).toBe(0);
      expect((await docker.getContainer(CONTAINER).inspect()).State.Running).toBe(true);
    } finally {
      if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
    }
  });

  it('re-reads siesta.yaml when the file changes and on SIGHUP, and keeps its models when the new file is not YAML', async () => {
    // Not labelled siesta.enable: only siesta.yaml hands it to Siesta.
    await createFakeModel(docker, { name: YAML_CONTAINER });
    const dir = mkdtempSync(join(tmpdir(), 'siesta-cli-yaml-'));
    const config = join(dir, 'siesta.yaml');
    writeFileSync(config, 'models: []\n');
    const daemon = await startDaemon(join(dir, 'data'), ['--config', config]);
    const models = (): Promise<string[]> => modelNames(daemon, join(dir, 'data'));
    try {
      expect(await models()).toEqual([MODEL]);

      writeFileSync(
        config,
        `models:\n  - name: yamlmodel\n    container: ${YAML_CONTAINER}\n    port: 8000\n    health: /health\n`,
      );
      await until(
        'the model of the edited file',
        models,
        (names) => names.includes('yamlmodel'),
        20_000,
      );
      await until(
        'the reload to be logged',
        () => daemon.output(),
        (out) => out.includes(`reloaded ${config}: 2 models`),
      );
      expect(daemon.output()).toContain(
        `models: added yamlmodel (now 2: ${[MODEL, 'yamlmodel'].sort().join(', ')})`,
      );
      const chat = await fetch(`${daemon.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'yamlmodel',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 2,
        }),
        signal: AbortSignal.timeout(30_000),
      });
      expect(chat.status).toBe(200);

      writeFileSync(config, 'models: [\n');
      daemon.child.kill('SIGHUP');
      await until(
        'the reload to refuse the broken file',
        () => daemon.output(),
        (out) => /siesta\.yaml:\d+: not valid YAML .*; keeping the models loaded before/.test(out),
        20_000,
      );
      expect(await models()).toEqual([MODEL, 'yamlmodel']);
      expect(daemon.child.exitCode).toBeNull();
    } finally {
      if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(ENGINE_SOCKET === null)(
    'starts while the Docker Engine does not answer yet, and finds the models when it does (needs DOCKER_HOST on a unix socket)',
    async () => {
      // The engine appears, as Docker Desktop does at login, at a socket path the daemon was given before it existed.
      const dir = mkdtempSync(join(tmpdir(), 'siesta-cli-late-'));
      const socket = join(dir, 'docker.sock');
      const daemon = await startDaemon(join(dir, 'data'), [], { DOCKER_HOST: `unix://${socket}` });
      try {
        expect(daemon.output()).toContain(
          `the Docker Engine (unix://${socket}, DOCKER_HOST) does not answer yet`,
        );
        const before = await stateOf(daemon, join(dir, 'data'));
        expect(before.models).toEqual([]);
        expect(before.engine.reachable).toBe(false);
        expect(before.engine.detail).toContain('ENOENT');

        symlinkSync(ENGINE_SOCKET ?? '', socket);
        await until(
          'the model to appear',
          () => modelNames(daemon, join(dir, 'data')),
          (names) => names.includes(MODEL),
          30_000,
        );
        await until(
          'the change to be logged',
          () => daemon.output(),
          (out) => out.includes(`models: added ${MODEL} (now 1: ${MODEL})`),
        );
        expect((await stateOf(daemon, join(dir, 'data'))).engine).toEqual({
          reachable: true,
          detail: null,
          since: null,
        });
        const response = await fetch(`${daemon.gatewayUrl}/${MODEL}/whoami`, {
          signal: AbortSignal.timeout(30_000),
        });
        expect(response.status).toBe(200);
      } finally {
        if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('refuses to start, naming the address, when the gateway port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const result = spawnSync(
        TSX,
        [
          CLI,
          'serve',
          '--data-dir',
          dataDir,
          '--gateway',
          `127.0.0.1:${port}`,
          '--control',
          '127.0.0.1:0',
        ],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`127.0.0.1:${port}`);
      expect(result.stderr).toContain('in use');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});
