// The real Lifecycle over the real Docker engine on the wall clock: waking once for a burst, idle sleep,
// open uses, crashes while waking, containers started and stopped by hand, refusals, and an engine restart.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type Dockerode from 'dockerode';
import {
  createFakeModel,
  fakeModelImage,
  removeTestContainers,
  untilEventsFlow,
} from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { systemClock } from '../clock/clock';
import { type ModelSpec } from '../config/model-spec';
import { ContainerRefusedError, type RuntimeEvent } from '../docker/container-runtime';
import { dockerFromEnv } from '../docker/docker-client';
import { DockerRuntime } from '../docker/docker-runtime';
import { Lifecycle } from './lifecycle';
import { WakeError } from './lifecycle-api';
import type { Lease, LifecycleEvent, ModelState, Upstream } from './model-state';
import { freePort } from '../../../test/free-port';
import { until } from '../../../test/until';
import { specForTest } from '../config/testdata/spec-for-test';

const docker = dockerFromEnv();
const enabled = { 'siesta.enable': 'true' };
const request = {
  cause: { kind: 'request', route: 'path', detail: '/v1/chat/completions' },
} as const;

function spec(name: string, overrides: Partial<ModelSpec> = {}): ModelSpec {
  return specForTest(name, { port: null, idleMs: 60_000, wakeTimeoutMs: 30_000, ...overrides });
}

/** A DockerRuntime that also records every event it hands the lifecycle. */
class RecordingRuntime extends DockerRuntime {
  readonly events: RuntimeEvent[] = [];

  override watch(listener: (event: RuntimeEvent) => void): () => void {
    return super.watch((event) => {
      this.events.push(event);
      listener(event);
    });
  }

  /** Container events of one container name. */
  actions(name: string): string[] {
    return this.events.flatMap((e) =>
      e.kind === 'container' && e.name === name ? [e.action] : [],
    );
  }
}

/** GET on a model's upstream; resolves with the status and body. */
function get(
  upstream: Upstream,
  path: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: upstream.host, port: upstream.port, path, agent: false, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

/**
 * The status of a GET that answered. Under container churn on one bridge, a fresh connection to a container
 * that just started is now and then accepted and never answered although the server is up (through
 * docker-proxy and straight to the container's IP alike); a new connection answers at once.
 * So an attempt gets 2 s and is retried until the deadline.
 */
async function answers(upstream: Upstream, path: string): Promise<number> {
  return until(
    `GET ${path} to answer`,
    () =>
      get(upstream, path, 2000).then(
        (r) => r.status,
        () => 0,
      ),
    (status) => status > 0,
  );
}

interface Rig {
  readonly runtime: RecordingRuntime;
  readonly lifecycle: Lifecycle;
  readonly events: LifecycleEvent[];
  readonly logs: string[];
  readonly state: (name: string) => ModelState | undefined;
}

const lifecycles: Lifecycle[] = [];
afterEach(async () => {
  for (const lifecycle of lifecycles.splice(0)) await lifecycle.stop();
});

async function rig(
  specs: readonly ModelSpec[],
  options: { client?: Dockerode; yaml?: readonly string[]; reconnectDelayMs?: number } = {},
): Promise<Rig> {
  const client = options.client ?? docker;
  const runtime = new RecordingRuntime({
    docker: client,
    managedNames: () => options.yaml ?? [],
    reconnectDelayMs: options.reconnectDelayMs,
  });
  const logs: string[] = [];
  const lifecycle = new Lifecycle({
    clock: systemClock(),
    runtime,
    stopGraceMs: 1000,
    log: (message) => logs.push(message),
  });
  lifecycles.push(lifecycle);
  const events: LifecycleEvent[] = [];
  lifecycle.onEvent((event) => events.push(event));
  lifecycle.setSpecs(specs);
  await lifecycle.start();
  await untilEventsFlow(client, (name) => runtime.actions(name).includes('create'), {
    prefix: 'hd-lc-probe',
    timeoutMs: 20_000,
    attemptMs: 300,
  });
  return { runtime, lifecycle, events, logs, state: (name) => lifecycle.get(name)?.state };
}

async function running(client: Dockerode, name: string): Promise<boolean> {
  return (await client.getContainer(name).inspect()).State.Running;
}

describeDocker('the lifecycle on the real engine', () => {
  afterAll(() => removeTestContainers(docker));

  it("wakes a container on the host's network (network_mode: host) and finds its server on the spec's port", async () => {
    const port = await freePort();
    await createFakeModel(docker, {
      name: 'hd-lc-hostnet',
      labels: enabled,
      hostNetworkPort: port,
    });
    const { lifecycle } = await rig([
      spec('hd-lc-hostnet', { port, health: { kind: 'http', path: '/health' } }),
    ]);
    const lease = await lifecycle.acquire('hd-lc-hostnet', request);
    try {
      expect(lease.upstream).toEqual({ host: '127.0.0.1', port });
      expect(await answers(lease.upstream, '/whoami')).toBe(200);
    } finally {
      lease.release();
    }
  });

  it("says what to set when a container on the host's network has no siesta.port", async () => {
    await createFakeModel(docker, {
      name: 'hd-lc-hostnet-noport',
      labels: enabled,
      hostNetworkPort: await freePort(),
    });
    const { lifecycle } = await rig([spec('hd-lc-hostnet-noport')]);
    const error = await lifecycle.acquire('hd-lc-hostnet-noport', request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WakeError);
    expect((error as WakeError).message).toContain(
      "the container uses the host's network (network_mode: host), so it publishes no port: set siesta.port to the port its server listens on",
    );
  });

  it('wakes a sleeping model once for 200 concurrent requests, and all of them reach the same answering server', async () => {
    await createFakeModel(docker, {
      name: 'hd-lc-burst',
      labels: enabled,
      env: { START_DELAY_MS: '400' },
    });
    const { runtime, lifecycle, events } = await rig([spec('hd-lc-burst')]);
    expect(lifecycle.get('hd-lc-burst')?.state).toBe('asleep');
    const leases = await Promise.all(
      Array.from({ length: 200 }, () => lifecycle.acquire('hd-lc-burst', request)),
    );
    expect(runtime.actions('hd-lc-burst').filter((a) => a === 'start')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'wake-requested')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'ready')).toHaveLength(1);
    const upstreams = new Set(
      leases.map((lease) => `${lease.upstream.host}:${lease.upstream.port}`),
    );
    expect(upstreams.size).toBe(1);
    const first = leases[0] as Lease;
    expect(await answers(first.upstream, '/whoami')).toBe(200);
    expect(lifecycle.get('hd-lc-burst')?.inFlight).toBe(200);
    for (const lease of leases) lease.release();
    expect(lifecycle.get('hd-lc-burst')).toMatchObject({ state: 'ready', inFlight: 0 });
    expect(lifecycle.get('hd-lc-burst')?.sleepAt).toBeGreaterThan(Date.now());
  });

  it('puts a model to sleep after its idle time when no use is open', async () => {
    await createFakeModel(docker, { name: 'hd-lc-idle', labels: enabled });
    const { lifecycle, events, state } = await rig([spec('hd-lc-idle', { idleMs: 600 })]);
    const lease = await lifecycle.acquire('hd-lc-idle', request);
    expect(await running(docker, 'hd-lc-idle')).toBe(true);
    const releasedAt = Date.now();
    lease.release();
    await until(
      'the idle sleep',
      () => state('hd-lc-idle'),
      (s) => s === 'asleep',
    );
    expect(Date.now() - releasedAt).toBeGreaterThanOrEqual(600);
    expect(await running(docker, 'hd-lc-idle')).toBe(false);
    expect(events.find((e) => e.kind === 'sleep')).toMatchObject({
      model: 'hd-lc-idle',
      cause: { kind: 'idle', idleMs: 600 },
    });
  });

  it('never puts a model to sleep while a use is open, however long past its idle time it lasts', async () => {
    await createFakeModel(docker, { name: 'hd-lc-busy', labels: enabled });
    const { lifecycle, state } = await rig([spec('hd-lc-busy', { idleMs: 300 })]);
    const lease = await lifecycle.acquire('hd-lc-busy', request);
    const seen = new Set<ModelState>();
    lifecycle.onChange((status) => seen.add(status.state));
    // Hold the use for eight idle times, checking all along that the model stays up and its container runs.
    const holdUntil = Date.now() + 2400;
    await until(
      'eight idle times with the use open',
      async () => ({
        now: Date.now(),
        state: state('hd-lc-busy'),
        running: await running(docker, 'hd-lc-busy'),
      }),
      (seenNow) => {
        if (seenNow.state !== 'ready' || !seenNow.running)
          throw new Error(`the model left ready while a use was open: ${JSON.stringify(seenNow)}`);
        return seenNow.now >= holdUntil;
      },
    );
    expect(await answers(lease.upstream, '/health')).toBe(200);
    expect([...seen]).toEqual([]);
    expect(state('hd-lc-busy')).toBe('ready');
    expect(lifecycle.get('hd-lc-busy')?.sleepAt).toBeNull();
    expect(await running(docker, 'hd-lc-busy')).toBe(true);
    lease.release();
    await until(
      'the sleep once the use ended',
      () => state('hd-lc-busy'),
      (s) => s === 'asleep',
    );
    expect(await running(docker, 'hd-lc-busy')).toBe(false);
  });

  it('fails a model whose container dies while waking, with the exit code and its last log lines', async () => {
    await createFakeModel(docker, {
      name: 'hd-lc-crash',
      labels: enabled,
      env: { START_DELAY_MS: '60000', CRASH_AFTER_MS: '300' },
    });
    const { lifecycle, events } = await rig([spec('hd-lc-crash')]);
    const results = await Promise.allSettled([
      lifecycle.acquire('hd-lc-crash', request),
      lifecycle.acquire('hd-lc-crash', request),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as WakeError;
      expect(error).toBeInstanceOf(WakeError);
      expect(error.code).toBe('failed');
      expect(error.message).toMatch(/exited with code 3 while waking/);
      expect(error.logLines).toContain(
        '[fake-model hd-lc-crash] loading weights failed: CUDA error: out of memory',
      );
    }
    const status = lifecycle.get('hd-lc-crash');
    expect(status?.state).toBe('failed');
    expect(status?.failure?.reason).toMatch(/exited with code 3/);
    expect(status?.failure?.logLines).toContain('fatal: could not load model');
    expect(events.filter((e) => e.kind === 'failed')).toHaveLength(1);
  });

  it('fails a ready model whose server crashes soon after Siesta had put it to sleep (the old stop is not a stop by hand)', async () => {
    await createFakeModel(docker, {
      name: 'hd-lc-relapse',
      labels: enabled,
      env: { CRASH_AFTER_MS: '4000' },
    });
    const { lifecycle, events, state } = await rig([spec('hd-lc-relapse')]);
    (await lifecycle.acquire('hd-lc-relapse', request)).release();
    await lifecycle.sleep('hd-lc-relapse', { kind: 'user', via: 'api' });
    // Siesta's stop (a kill) came before the first run could crash, so the case under test is real.
    expect(events.filter((e) => e.kind === 'failed')).toEqual([]);
    (await lifecycle.acquire('hd-lc-relapse', request)).release();
    expect(state('hd-lc-relapse')).toBe('ready');
    await until(
      'the crash to be seen',
      () => state('hd-lc-relapse'),
      (s) => s !== 'ready',
    );
    expect(lifecycle.get('hd-lc-relapse')).toMatchObject({
      state: 'failed',
      failure: { reason: 'the container exited with code 3' },
    });
    expect(lifecycle.get('hd-lc-relapse')?.failure?.logLines).toContain(
      'fatal: could not load model',
    );
  });

  it('follows a container started by hand to ready, and one stopped by hand to asleep', async () => {
    const container = await createFakeModel(docker, {
      name: 'hd-lc-hand',
      labels: enabled,
      env: { START_DELAY_MS: '200' },
    });
    const { runtime, lifecycle, events, state } = await rig([spec('hd-lc-hand', { idleMs: 0 })]);
    expect(state('hd-lc-hand')).toBe('asleep');
    await container.start();
    await until(
      'the adoption',
      () => state('hd-lc-hand'),
      (s) => s === 'ready',
    );
    expect(events.find((e) => e.kind === 'wake-requested')).toMatchObject({
      cause: { kind: 'external' },
    });
    const upstream = lifecycle.get('hd-lc-hand')?.upstream;
    expect(upstream).not.toBeNull();
    expect(await answers(upstream as Upstream, '/health')).toBe(200);
    await container.stop({ t: 1 });
    await until(
      'the sleep',
      () => state('hd-lc-hand'),
      (s) => s === 'asleep',
    );
    expect(events.find((e) => e.kind === 'sleep')).toMatchObject({ cause: { kind: 'external' } });
    expect(events.some((e) => e.kind === 'failed')).toBe(false);
    expect(runtime.actions('hd-lc-hand').filter((a) => a === 'start')).toHaveLength(1);
  });

  it('never starts or stops an unlabelled container, even when a model names it', async () => {
    const asleep = await createFakeModel(docker, { name: 'hd-lc-plain-asleep' });
    const awake = await createFakeModel(docker, { name: 'hd-lc-plain-awake', start: true });
    const { lifecycle, state } = await rig([spec('hd-lc-plain-asleep'), spec('hd-lc-plain-awake')]);
    const refused = await lifecycle
      .acquire('hd-lc-plain-asleep', request)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WakeError);
    expect((refused as WakeError).message).toMatch(
      /refusing to start container "hd-lc-plain-asleep"/,
    );
    expect((await asleep.inspect()).State.StartedAt.startsWith('0001')).toBe(true);
    // The running one is followed (it answers), but Siesta may not stop it.
    await until(
      'the running container to be followed',
      () => state('hd-lc-plain-awake'),
      (s) => s === 'ready',
    );
    await expect(
      lifecycle.sleep('hd-lc-plain-awake', { kind: 'user', via: 'api' }),
    ).rejects.toBeInstanceOf(ContainerRefusedError);
    expect(state('hd-lc-plain-awake')).toBe('ready');
    expect((await awake.inspect()).State.Running).toBe(true);
  });
});

// ---- a second, private engine that the test restarts ----

// Named by this process, so two suites on one machine (two worktrees, or CI beside a developer) never share them.
const ENGINE_DIR = `/tmp/hd-engine-${process.pid}`;
const ENGINE_SOCKET = `unix://${ENGINE_DIR}/docker.sock`;
const BRIDGE = `hdbr${process.pid % 100_000}`;
const BRIDGE_SUBNET = `172.29.${process.pid % 250}`;

function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const restartSkip =
  process.getuid?.() !== 0
    ? 'not root'
    : !commandExists('ip')
      ? 'the ip command is missing'
      : !commandExists('dockerd')
        ? 'dockerd is missing'
        : null;

describeDocker('the lifecycle across a Docker engine restart', () => {
  const engineDocker = dockerFromEnv({ DOCKER_HOST: ENGINE_SOCKET });
  let engine: ChildProcess | null = null;

  const startEngine = async (): Promise<void> => {
    mkdirSync(ENGINE_DIR, { recursive: true });
    const log = openSync(`${ENGINE_DIR}/dockerd.log`, 'a');
    engine = spawn(
      'dockerd',
      [
        '--host',
        ENGINE_SOCKET,
        '--data-root',
        `${ENGINE_DIR}/data`,
        '--exec-root',
        `${ENGINE_DIR}/exec`,
        '--pidfile',
        `${ENGINE_DIR}/docker.pid`,
        '--bridge',
        BRIDGE,
        '--iptables=false',
        '--ip6tables=false',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    await until(
      'the private engine to answer',
      () =>
        engineDocker.ping().then(
          () => true,
          () => false,
        ),
      Boolean,
      60_000,
    );
  };

  const stopEngine = async (): Promise<void> => {
    const child = engine;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([
      exited,
      until(
        'the private engine to exit',
        () => child.exitCode !== null || child.signalCode !== null,
        Boolean,
        60_000,
      ),
    ]);
  };

  beforeAll(async () => {
    if (restartSkip) return;
    execFileSync('sh', [
      '-c',
      `ip link del ${BRIDGE} 2>/dev/null; ip link add name ${BRIDGE} type bridge && ip addr add ${BRIDGE_SUBNET}.1/24 dev ${BRIDGE} && ip link set ${BRIDGE} up`,
    ]);
    await startEngine();
    // Copy the fake-model image from the shared engine (built there by global setup).
    execFileSync(
      'sh',
      ['-c', `docker save ${fakeModelImage()} | DOCKER_HOST=${ENGINE_SOCKET} docker load -q`],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  });

  afterAll(async () => {
    if (restartSkip) return;
    await removeTestContainers(engineDocker).catch(() => undefined);
    await stopEngine();
    execFileSync('sh', [
      '-c',
      `ip link del ${BRIDGE} 2>/dev/null; umount -R ${ENGINE_DIR}/data 2>/dev/null; true`,
    ]);
    if (existsSync(ENGINE_DIR)) rmSync(ENGINE_DIR, { recursive: true, force: true });
  });

  const title =
    'survives an engine restart: a request for a sleeping model is held until the engine is back, the events stream comes back, the model that ran is asleep and wakes on the new engine';
  (restartSkip ? it.skip : it)(
    restartSkip ? `${title} (skipped: ${restartSkip})` : title,
    async () => {
      await createFakeModel(engineDocker, { name: 'hd-lc-engine', labels: enabled });
      await createFakeModel(engineDocker, { name: 'hd-lc-engine-asleep', labels: enabled });
      const { runtime, lifecycle, state } = await rig(
        [spec('hd-lc-engine'), spec('hd-lc-engine-asleep', { wakeTimeoutMs: 150_000 })],
        { client: engineDocker, reconnectDelayMs: 100 },
      );
      const before = await lifecycle.acquire('hd-lc-engine', request);
      expect(await answers(before.upstream, '/health')).toBe(200);
      before.release();
      expect(state('hd-lc-engine')).toBe('ready');

      await stopEngine();
      await until(
        'a disconnected event',
        () => runtime.events.some((e) => e.kind === 'disconnected'),
        Boolean,
      );
      // A request for a sleeping model while the engine is away is held, and says why.
      const held = lifecycle.acquire('hd-lc-engine-asleep', request);
      await until(
        'the held wake to say it waits for the engine',
        () => lifecycle.get('hd-lc-engine-asleep')?.readinessDetail ?? '',
        (detail) => detail.startsWith('the Docker engine is not answering; waiting for it'),
      );
      expect(state('hd-lc-engine-asleep')).toBe('waking');
      await startEngine();
      const heldLease = await held;
      expect(await answers(heldLease.upstream, '/health')).toBe(200);
      heldLease.release();
      await until(
        'a reconnected event',
        () => runtime.events.map((e) => e.kind),
        (kinds) => kinds.lastIndexOf('reconnected') > kinds.lastIndexOf('disconnected'),
      );
      // The engine stopped the container on its way down; after the resync Siesta knows it sleeps.
      await until(
        'the model to be asleep',
        () => state('hd-lc-engine'),
        (s) => s === 'asleep',
      );
      expect(await running(engineDocker, 'hd-lc-engine')).toBe(false);

      const after = await lifecycle.acquire('hd-lc-engine', request);
      expect(await answers(after.upstream, '/health')).toBe(200);
      after.release();
      expect(runtime.actions('hd-lc-engine').filter((a) => a === 'start')).toHaveLength(2);
    },
    180_000,
  );
});
