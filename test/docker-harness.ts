// Test helpers for the real Docker Engine: the fake-model image (built with `docker import`) and labelled containers.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, copyFileSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { until } from './until';

const serverScript = join(__dirname, 'fake-model', 'server.js');

/** A Docker client from DOCKER_HOST (or the platform default). */
export function testDocker(): Docker {
  return new Docker();
}

/** True when a Docker engine answers. */
export async function dockerAvailable(docker = testDocker()): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/** The tag of the fake-model image, derived from the server script so a change rebuilds it. */
export function fakeModelImage(): string {
  return nodeScriptImage(serverScript, 'siesta-test/fake-model');
}

function nodeScriptImage(script: string, repository: string): string {
  const hash = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12);
  return `${repository}:${hash}`;
}

/**
 * Builds the fake-model image with `docker import` (no registry is reachable): a root file system
 * holding the host's Node binary, the libraries it links, and the server script.
 */
export function ensureFakeModelImage(): string {
  return ensureNodeScriptImage(serverScript, 'siesta-test/fake-model');
}

/** The fake Ollama server's image (test/fake-ollama/server.js), built like the fake model's. */
export function ensureFakeOllamaImage(): string {
  return ensureNodeScriptImage(
    join(__dirname, 'fake-ollama', 'server.js'),
    'siesta-test/fake-ollama',
  );
}

/** The fake server with a sleep API (test/fake-doze/server.js, issue 15), built like the fake model's. */
export function ensureFakeDozeImage(): string {
  return ensureNodeScriptImage(join(__dirname, 'fake-doze', 'server.js'), 'siesta-test/fake-doze');
}

function ensureNodeScriptImage(script: string, repository: string): string {
  const image = nodeScriptImage(script, repository);
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
    return image;
  } catch {
    // not built yet
  }
  const root = mkdtempSync(join(tmpdir(), 'siesta-image-'));
  try {
    const nodeBinary = realpathSync(process.execPath);
    for (const dir of ['bin', 'app', 'tmp', 'lib64'])
      mkdirSync(join(root, dir), { recursive: true });
    copyFileSync(nodeBinary, join(root, 'bin', 'node'));
    const ldd = execFileSync('ldd', [nodeBinary], { encoding: 'utf8' });
    for (const match of ldd.matchAll(/(\/\S+\.so[^\s]*)/g)) {
      const lib = match[1];
      if (!lib) continue;
      mkdirSync(join(root, lib, '..'), { recursive: true });
      copyFileSync(realpathSync(lib), join(root, lib));
    }
    copyFileSync(script, join(root, 'app', 'server.js'));
    execFileSync(
      'sh',
      [
        '-c',
        `tar -C "${root}" -c . | docker import -c 'CMD ["/bin/node","/app/server.js"]' - ${image}`,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    return image;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Options for a fake model container. */
export interface FakeModelOptions {
  readonly name: string;
  readonly labels?: Record<string, string>;
  /** Fake server settings: START_DELAY_MS, CRASH_AFTER_MS, MODEL_NAME, TOKEN_DELAY_MS, HEALTH_PATH. */
  readonly env?: Record<string, string>;
  /** Adds a Docker healthcheck that polls /health every `intervalMs`. */
  readonly dockerHealthcheck?: { readonly intervalMs: number };
  /** Start it right away (default false: created, asleep). */
  readonly start?: boolean;
  /** Run it on the host's network (`network_mode: host`), its server on this host port; nothing is published. */
  readonly hostNetworkPort?: number;
  /** Another node-script image of the harness (such as `ensureFakeDozeImage()`); default the fake model's. */
  readonly image?: string;
}

/** The healthcheck of fake-model containers and services: GET /health on port 8000 must answer 200. */
export const FAKE_MODEL_HEALTH_TEST = [
  'CMD',
  '/bin/node',
  '-e',
  "require('http').get('http://127.0.0.1:8000/health',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))",
];

/** Label that marks every container a test run made, so cleanup finds them. */
export const TEST_LABEL = 'siesta-test.run';

/** Creates a fake model container publishing port 8000 on 127.0.0.1 (random host port), or on the host network. */
export async function createFakeModel(
  docker: Docker,
  options: FakeModelOptions,
): Promise<Docker.Container> {
  const image = options.image ?? ensureFakeModelImage();
  await removeContainer(docker, options.name);
  const hostPort = options.hostNetworkPort;
  const env = Object.entries({
    MODEL_NAME: options.name,
    ...(hostPort === undefined ? {} : { PORT: String(hostPort) }),
    ...(options.env ?? {}),
  }).map(([k, v]) => `${k}=${v}`);
  const container = await docker.createContainer({
    name: options.name,
    Image: image,
    Cmd: ['/bin/node', '/app/server.js'],
    Env: env,
    Labels: { [TEST_LABEL]: String(process.pid), ...(options.labels ?? {}) },
    ExposedPorts: hostPort === undefined ? { '8000/tcp': {} } : undefined,
    StopTimeout: 2,
    Healthcheck: options.dockerHealthcheck
      ? {
          Test: FAKE_MODEL_HEALTH_TEST,
          Interval: options.dockerHealthcheck.intervalMs * 1e6,
          Timeout: 2e9,
          Retries: 3,
          StartPeriod: 0,
        }
      : undefined,
    HostConfig:
      hostPort === undefined
        ? { PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } }
        : { NetworkMode: 'host' },
  });
  if (options.start) await container.start();
  return container;
}

/** Removes a container by name if it exists. */
export async function removeContainer(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getContainer(name).remove({ force: true });
  } catch {
    // absent
  }
}

/** Removes every container this test process made. */
export async function removeTestContainers(docker: Docker): Promise<void> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${TEST_LABEL}=${process.pid}`] },
  });
  await Promise.all(
    list.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

/** Whether Docker tests must run (CI) rather than be skipped. */
export const dockerRequired =
  process.env.SIESTA_REQUIRE_DOCKER === '1' || process.env.CI === 'true';

/**
 * Waits until an engine events subscription delivers: creates a probe container (and removes it again) until
 * `heard(probeName)` says its `create` event arrived, giving each probe `attemptMs`.
 */
export async function untilEventsFlow(
  client: Docker,
  heard: (probeName: string) => boolean,
  options: { readonly prefix: string; readonly timeoutMs: number; readonly attemptMs: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const name = `${options.prefix}-${process.pid}-${attempt}`;
    const probe = await client.createContainer({
      name,
      Image: fakeModelImage(),
      Labels: { [TEST_LABEL]: String(process.pid) },
    });
    const seen = await until(
      'the probe event',
      () => heard(name),
      Boolean,
      options.attemptMs,
    ).catch(() => false);
    await probe.remove({ force: true });
    if (seen) return;
  }
  throw new Error(`the events stream delivered nothing within ${options.timeoutMs / 1000} s`);
}
