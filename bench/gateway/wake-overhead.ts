// The gateway's wake overhead on a real container: Siesta's time to first byte of a request to the sleeping model, minus
// the container's own time from `docker start` to its first successful GET /health, measured directly. The two
// alternate on the same container; between Siesta's wakes the model is left idle until Siesta puts it to sleep.
import { get } from 'node:http';
import { performance } from 'node:perf_hooks';
import type Dockerode from 'dockerode';
import { systemClock } from '../../main/core/clock/clock';
import { demultiplexDockerLog } from '../../main/core/docker/docker-log-frames';
import { DockerRuntime } from '../../main/core/docker/docker-runtime';
import { Lifecycle } from '../../main/core/lifecycle/lifecycle';
import { Gateway } from '../../main/core/proxy/gateway';
import { gatewaySettings } from '../../main/core/proxy/gateway-settings';
import { ensureFakeModelImage } from '../../test/docker-harness';
import { benchModelSpec } from './bench-model-spec';
import { freePort } from '../../test/free-port';

/** The benchmark's container (every container a helper makes is named `hg-...`). */
export const WAKE_CONTAINER = 'hg-bench-wake';
const IDLE_MS = 300;
/** How often the direct measurement polls: 5 ms resolution, well under Siesta's own 25 ms, without a busy loop of connections. */
export const DIRECT_POLL_MS = 5;

/** One pair of wakes. */
export interface WakePair {
  /** Siesta: request sent to the sleeping model → first byte of its response. */
  readonly siestaTtfbMs: number;
  /** Direct: `docker start` called → first GET /health that answered 200. */
  readonly directReadyMs: number;
  /**
   * Siesta: the server's "listening" log line (the engine's timestamp) → first byte. The container's start time, which
   * varies by hundreds of ms on a busy machine, is not in it: this is Siesta's readiness detection plus forwarding.
   */
  readonly siestaListenToFirstByteMs: number;
  /** Direct: the "listening" log line → the first GET /health that answered 200 (the direct poll's own lag). */
  readonly directListenToReadyMs: number;
}

/** Wall-clock now in ms with sub-ms precision, comparable with the engine's log timestamps (same host clock). */
function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** When the fake server last logged "listening" (epoch ms, from the engine's log timestamps), at or after `afterMs`. */
async function listenedAtMs(container: Dockerode.Container, afterMs: number): Promise<number> {
  const raw = await container.logs({
    stdout: true,
    stderr: true,
    follow: false,
    tail: 20,
    timestamps: true,
  });
  const text = demultiplexDockerLog(
    Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)),
    false,
  ).toString('utf8');
  let found = Number.NaN;
  for (const line of text.split('\n')) {
    if (!line.includes('listening on')) continue;
    // 2026-11-24T18:20:26.123456789Z: keep the sub-millisecond digits Date.parse drops.
    const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z/.exec(line);
    if (!match?.[1]) continue;
    const atMs = Date.parse(`${match[1]}Z`) + Number(match[2] ?? '0') * 1000;
    if (atMs >= afterMs - 1) found = atMs;
  }
  if (Number.isNaN(found))
    throw new Error(
      `${WAKE_CONTAINER} logged no "listening" line after the start at ${new Date(afterMs).toISOString()}`,
    );
  return found;
}

/** One GET; resolves with the status once the headers are in (the body is drained), or 0 on an error or after `timeoutMs` of silence. */
function firstByte(port: number, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function createContainer(
  docker: Dockerode,
  hostPort: number,
  startDelayMs: number,
): Promise<Dockerode.Container> {
  const image = ensureFakeModelImage();
  await docker
    .getContainer(WAKE_CONTAINER)
    .remove({ force: true })
    .catch(() => undefined);
  // A fixed host port, so the direct measurement needs no inspect: it sees the container's own start time.
  return docker.createContainer({
    name: WAKE_CONTAINER,
    Image: image,
    Cmd: ['/bin/node', '/app/server.js'],
    Env: [`MODEL_NAME=${WAKE_CONTAINER}`, `START_DELAY_MS=${startDelayMs}`],
    Labels: { 'siesta.enable': 'true' },
    ExposedPorts: { '8000/tcp': {} },
    StopTimeout: 2,
    HostConfig: {
      PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] },
    },
  });
}

/** Siesta's wake: a fresh lifecycle and gateway (so nothing else watches the container during a direct wake). */
async function siestaWake(
  runtime: DockerRuntime,
  container: Dockerode.Container,
  log: (line: string) => void,
): Promise<{ readonly ttfbMs: number; readonly listenToFirstByteMs: number }> {
  const clock = systemClock();
  const lifecycle = new Lifecycle({ clock, runtime, stopGraceMs: 2_000, log });
  lifecycle.setSpecs([benchModelSpec(WAKE_CONTAINER, { idleMs: IDLE_MS })]);
  await lifecycle.start();
  const gateway = new Gateway({ lifecycle, clock, settings: gatewaySettings({ port: 0 }), log });
  await gateway.start();
  try {
    const port = gateway.addresses()[0]?.port ?? 0;
    if (lifecycle.get(WAKE_CONTAINER)?.state !== 'asleep')
      throw new Error(`${WAKE_CONTAINER} is not asleep before a wake`);
    const t0 = wallMs();
    const status = await firstByte(port, `/${WAKE_CONTAINER}/whoami`, 60_000);
    const t1 = wallMs();
    if (status !== 200)
      throw new Error(`the request that woke ${WAKE_CONTAINER} got HTTP ${status}`);
    // Idle it to sleep: Siesta stops the container after IDLE_MS without requests.
    await until(
      async () =>
        lifecycle.get(WAKE_CONTAINER)?.state === 'asleep' &&
        !(await container.inspect()).State.Running,
      30_000,
      `${WAKE_CONTAINER} to be put to sleep when idle`,
    );
    return { ttfbMs: t1 - t0, listenToFirstByteMs: t1 - (await listenedAtMs(container, t0)) };
  } finally {
    await gateway.stop();
    await lifecycle.stop();
  }
}

/** The container on its own: `docker start`, then GET /health every DIRECT_POLL_MS until it answers 200. */
async function directWake(
  container: Dockerode.Container,
  hostPort: number,
): Promise<{ readonly readyMs: number; readonly listenToReadyMs: number }> {
  const t0 = wallMs();
  await container.start();
  for (;;) {
    if ((await firstByte(hostPort, '/health', 2_000)) === 200) break;
    if (wallMs() - t0 > 60_000)
      throw new Error(`${WAKE_CONTAINER} did not answer GET /health within 60 s of docker start`);
    await new Promise((r) => setTimeout(r, DIRECT_POLL_MS));
  }
  const t1 = wallMs();
  const listenedMs = await listenedAtMs(container, t0);
  await container.stop({ t: 2 });
  return { readyMs: t1 - t0, listenToReadyMs: t1 - listenedMs };
}

/**
 * Runs `wakes` pairs (plus one unmeasured warm-up pair), alternating which goes first. `startDelayMs` makes the fake
 * server wait that long before it listens (a model loading its weights). Removes its container after.
 */
export async function measureWakeOverhead(
  docker: Dockerode,
  wakes: number,
  startDelayMs: number,
  log: (line: string) => void,
): Promise<readonly WakePair[]> {
  const hostPort = await freePort();
  const container = await createContainer(docker, hostPort, startDelayMs);
  const runtime = new DockerRuntime({ docker, managedNames: () => [] });
  const pairs: WakePair[] = [];
  try {
    for (let i = -1; i < wakes; i++) {
      let siesta: Awaited<ReturnType<typeof siestaWake>>;
      let direct: Awaited<ReturnType<typeof directWake>>;
      if (i % 2 === 0) {
        siesta = await siestaWake(runtime, container, log);
        direct = await directWake(container, hostPort);
      } else {
        direct = await directWake(container, hostPort);
        siesta = await siestaWake(runtime, container, log);
      }
      if (i >= 0)
        pairs.push({
          siestaTtfbMs: siesta.ttfbMs,
          directReadyMs: direct.readyMs,
          siestaListenToFirstByteMs: siesta.listenToFirstByteMs,
          directListenToReadyMs: direct.listenToReadyMs,
        });
    }
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
  return pairs;
}
