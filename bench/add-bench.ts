// From "add a model" to its first answer (issue 17), side by side in one run: Siesta's way (POST /api/models to a
// running `siesta serve`: plan, pull from a loopback registry, create; then the first chat request through the gateway,
// which wakes it) against the same by hand (pull, create the same container, start, poll its health, then the request).
// Both pull the same image afresh each time; alternating, after one warm-up pair. Needs the Docker engine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type Dockerode from 'dockerode';
import { TEST_LABEL, removeTestContainers, testDocker } from '../test/docker-harness';
import { pushFakeServerImage, startRegistry } from '../test/registry-harness';
import { startSiestaDaemon, type SiestaDaemon } from '../test/siesta-daemon';
import { median, quantile } from './gateway/stats';

const ROUNDS = 5;
const WEIGHTS_BYTES = 50_000_000;
const POLL_MS = 20;

/** One add: to the first answer, and to the container created (pull and create done). */
interface Timing {
  readonly totalMs: number;
  readonly createdMs: number;
}

const wallMs = (): number => performance.timeOrigin + performance.now();
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function chat(url: string, model: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
    signal: AbortSignal.timeout(120_000),
  });
}

function dropImage(image: string): void {
  execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
}

/** Siesta: the add stream until `created`, then the first chat request through the gateway (it wakes the model). */
async function siestaAddMs(daemon: SiestaDaemon, image: string, name: string): Promise<Timing> {
  dropImage(image);
  const t0 = wallMs();
  const res = await fetch(`${daemon.controlUrl}/api/models`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${daemon.token}`,
      'content-type': 'application/json',
      origin: daemon.controlUrl,
    },
    body: JSON.stringify({
      template: 'vllm',
      name,
      modelId: 'meta-llama/Llama-3.1-8B-Instruct',
      image,
      gpu: 'none',
      idle: '10m',
    }),
  });
  const text = await res.text();
  const createdAt = wallMs();
  if (!text.includes('"type":"created"')) throw new Error(`the add of ${name} failed: ${text}`);
  // The daemon learns of the container from the Engine's events; until then the gateway does not know the name.
  let answer = await chat(daemon.gatewayUrl, name);
  while (answer.status === 404) {
    await answer.body?.cancel();
    await pause(POLL_MS);
    answer = await chat(daemon.gatewayUrl, name);
  }
  await answer.text();
  const t1 = wallMs();
  if (answer.status !== 200) throw new Error(`${name} answered HTTP ${answer.status}`);
  return { totalMs: t1 - t0, createdMs: createdAt - t0 };
}

/** By hand: pull, create a container like the one Siesta made (its own name and port), start, poll /health, ask. */
async function byHandMs(
  docker: Dockerode,
  image: string,
  like: Dockerode.ContainerInspectInfo,
  name: string,
): Promise<Timing> {
  dropImage(image);
  const t0 = wallMs();
  const stream = await docker.pull(image);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null) =>
      error ? reject(error) : resolve(),
    );
  });
  const container = await docker.createContainer({
    name,
    Image: image,
    Cmd: like.Config.Cmd,
    Env: like.Config.Env,
    ExposedPorts: like.Config.ExposedPorts,
    Labels: { [TEST_LABEL]: String(process.pid) },
    HostConfig: {
      Binds: like.HostConfig.Binds,
      Mounts: like.HostConfig.Mounts,
      PortBindings: Object.fromEntries(
        Object.keys(like.Config.ExposedPorts ?? {}).map((p) => [
          p,
          [{ HostIp: '127.0.0.1', HostPort: '0' }],
        ]),
      ),
    },
  });
  const createdAt = wallMs();
  await container.start();
  const ports = (await container.inspect()).NetworkSettings.Ports;
  const hostPort = Object.values(ports ?? {})[0]?.[0]?.HostPort;
  const url = `http://127.0.0.1:${hostPort ?? ''}`;
  for (;;) {
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (wallMs() - t0 > 120_000) throw new Error(`${name} did not answer /health in 120 s`);
    await pause(POLL_MS);
  }
  const answer = await chat(url, 'meta-llama/Llama-3.1-8B-Instruct');
  await answer.text();
  const t1 = wallMs();
  if (answer.status !== 200) throw new Error(`${name} by hand answered HTTP ${answer.status}`);
  return { totalMs: t1 - t0, createdMs: createdAt - t0 };
}

/** Runs the rounds and prints one table. */
export async function run(): Promise<void> {
  const docker = testDocker();
  const registry = await startRegistry();
  const image = pushFakeServerImage(registry, `siesta-bench/add:${process.pid}`, WEIGHTS_BYTES);
  const dataDir = mkdtempSync(join(tmpdir(), 'siesta-bench-add-'));
  const daemon = await startSiestaDaemon(dataDir);
  const siesta: Timing[] = [];
  const hand: Timing[] = [];
  try {
    let like: Dockerode.ContainerInspectInfo | null = null;
    for (let i = -1; i < ROUNDS; i++) {
      // The warm-up round goes Siesta first: its container is the one the by-hand path copies.
      const siestaFirst = i < 0 || i % 2 === 0;
      const names = { siesta: `bench-add-s${i + 1}`, hand: `bench-add-h${i + 1}` };
      const runSiesta = async (): Promise<Timing> => {
        const ms = await siestaAddMs(daemon, image, names.siesta);
        like ??= await docker.getContainer(names.siesta).inspect();
        return ms;
      };
      const runHand = (): Promise<Timing> => {
        if (like === null) throw new Error('no container of Siesta to copy yet');
        return byHandMs(docker, image, like, names.hand);
      };
      // Each container goes as soon as it has answered, so the next pull finds neither image nor container.
      const drop = (name: string): Promise<void> =>
        docker
          .getContainer(name)
          .remove({ force: true })
          .then(
            () => undefined,
            () => undefined,
          );
      const first = siestaFirst ? await runSiesta().finally(() => drop(names.siesta)) : null;
      const h = await runHand().finally(() => drop(names.hand));
      const s2 = first ?? (await runSiesta().finally(() => drop(names.siesta)));
      if (i < 0) continue;
      siesta.push(s2);
      hand.push(h);
    }
  } finally {
    await daemon.stop();
    await removeTestContainers(docker);
    try {
      dropImage(image);
    } catch {
      // already gone
    }
    await registry.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const rows = (['totalMs', 'createdMs'] as const).map((key) => {
    const s = siesta.map((t) => t[key]);
    const h = hand.map((t) => t[key]);
    const overhead = s.map((v, i) => v - (h[i] ?? 0));
    return [
      key === 'totalMs' ? 'add -> first answer' : 'add -> container created',
      median(h).toFixed(0),
      median(s).toFixed(0),
      median(overhead).toFixed(0),
      quantile(overhead, 0.9).toFixed(0),
      (median(s) / median(h)).toFixed(2),
    ];
  });
  const header = [
    `${(WEIGHTS_BYTES / 1e6).toFixed(0)} MB image, vLLM template`,
    'by hand p50 ms',
    'Siesta p50 ms',
    'overhead p50 ms',
    'overhead p90 ms',
    'Siesta / by hand',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const r of [header, ...rows])
    console.log(r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  console.log(
    `\n${ROUNDS} rounds after one warm-up, alternating which goes first; each pulls the image afresh. By hand: ` +
      `docker pull, create (same command, env, volumes), start, GET /health every ${POLL_MS} ms, then the chat request. ` +
      'Siesta: POST /api/models (plan, pull, create asleep), then the chat request through the gateway, which wakes it.',
  );
}
