// The readiness overhead of a Swarm wake beside a container wake, on the same second host in one run: for each path,
// Siesta's time from a request to a sleeping model to its first byte, and the same done by hand: `docker start` or the
// scale-up (`docker service scale =1`), then the engine polled until Docker's healthcheck says healthy (the signal
// Siesta's wake waits for), then the same request, timed to its first byte. Alternating, on one engine (a dockerd in
// a network namespace, a single-node Swarm, reached over TLS as a remote engine is). Needs root.
//
// Why the by-hand side waits for Docker's health rather than polling the port: on a host-mode published port,
// docker-proxy accepts a connection before the task's network is wired and then holds it (neither answer nor refusal),
// so a port poll with short tries loses each try made too early and lagged Siesta's wake by hundreds of ms (the
// earlier "-447 ms" overhead); a request sent once Docker says healthy is answered in a few ms.
import { get } from 'node:http';
import { performance } from 'node:perf_hooks';
import type Dockerode from 'dockerode';
import { systemClock } from '../main/core/clock/clock';
import type { ContainerRuntime } from '../main/core/docker/container-runtime';
import { DockerRuntime } from '../main/core/docker/docker-runtime';
import { Lifecycle } from '../main/core/lifecycle/lifecycle';
import { engineClient } from '../main/core/providers/engine-client';
import { Gateway } from '../main/core/proxy/gateway';
import { gatewaySettings } from '../main/core/proxy/gateway-settings';
import { SwarmRuntime } from '../main/core/swarm/swarm-runtime';
import {
  hasLiveTask,
  type SwarmService,
  type SwarmTask,
} from '../main/core/swarm/swarm-service-info';
import { FAKE_MODEL_HEALTH_TEST, ensureFakeModelImage, testDocker } from '../test/docker-harness';
import { copyImage, startSecondHost, type SecondHost } from '../test/second-host';
import { createFakeModelService } from '../test/swarm-service';
import { benchModelSpec } from './gateway/bench-model-spec';
import { median, quantile } from './gateway/stats';

const WAKES = 7;
const POLL_MS = 20;
const PORT = 18_100;

const wallMs = (): number => performance.timeOrigin + performance.now();
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One GET; the status once the headers are in, or 0 on an error or after `timeoutMs` of silence. */
function status(host: string, port: number, path: string, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(20);
  }
}

/** One path: how to wake its workload by hand, whether it is down, and the runtime Siesta drives it with. */
interface WakePath {
  readonly label: string;
  readonly name: string;
  readonly runtime: ContainerRuntime;
  directStart(): Promise<void>;
  directStop(): Promise<void>;
  isDown(): Promise<boolean>;
  /** Whether Docker's healthcheck says the workload (the container, or the service's task container) is healthy. */
  isHealthy(): Promise<boolean>;
}

async function siestaWakeMs(path: WakePath, address: string): Promise<number> {
  const clock = systemClock();
  const lifecycle = new Lifecycle({
    clock,
    runtime: path.runtime,
    stopGraceMs: 2_000,
    log: () => undefined,
  });
  lifecycle.setSpecs([
    benchModelSpec(path.name, {
      idleMs: 300,
      health: null,
      upstream: { host: address, port: null },
    }),
  ]);
  await lifecycle.start();
  const gateway = new Gateway({
    lifecycle,
    clock,
    settings: gatewaySettings({ port: 0 }),
    log: () => undefined,
  });
  await gateway.start();
  try {
    const port = gateway.addresses()[0]?.port ?? 0;
    await until(
      () => Promise.resolve(lifecycle.get(path.name)?.state === 'asleep'),
      `${path.name} asleep`,
    );
    const t0 = wallMs();
    const code = await status('127.0.0.1', port, `/${path.name}/whoami`);
    const t1 = wallMs();
    if (code !== 200) throw new Error(`the request that woke ${path.name} got HTTP ${code}`);
    await until(
      async () => lifecycle.get(path.name)?.state === 'asleep' && (await path.isDown()),
      `${path.name} put to sleep`,
    );
    return t1 - t0;
  } finally {
    await gateway.stop();
    await lifecycle.stop();
  }
}

async function directWakeMs(path: WakePath, address: string): Promise<number> {
  const t0 = wallMs();
  await path.directStart();
  while (!(await path.isHealthy())) {
    if (wallMs() - t0 > 60_000) throw new Error(`${path.name} was not healthy within 60 s`);
    await pause(POLL_MS);
  }
  const code = await status(address, PORT, '/whoami');
  const t1 = wallMs();
  if (code !== 200) throw new Error(`${path.name} answered HTTP ${code} once healthy`);
  await path.directStop();
  await until(() => path.isDown(), `${path.name} down`);
  return t1 - t0;
}

async function containerPath(
  host: SecondHost,
  docker: Dockerode,
  image: string,
): Promise<WakePath> {
  const name = 'bench-wake-container';
  const container = await host.admin.createContainer({
    name,
    Image: image,
    Cmd: ['/bin/node', '/app/server.js'],
    Env: [`MODEL_NAME=${name}`],
    Labels: { 'siesta.enable': 'true' },
    ExposedPorts: { '8000/tcp': {} },
    StopTimeout: 2,
    Healthcheck: {
      Test: FAKE_MODEL_HEALTH_TEST,
      Interval: 100e6,
      Timeout: 2e9,
      Retries: 3,
      StartPeriod: 0,
    },
    HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '', HostPort: String(PORT) }] } },
  });
  return {
    label: 'container (docker start)',
    name,
    runtime: new DockerRuntime({ docker, managedNames: () => [] }),
    directStart: () => container.start(),
    directStop: () => container.stop({ t: 2 }),
    isDown: async () => !(await container.inspect()).State.Running,
    isHealthy: async () => (await container.inspect()).State.Health?.Status === 'healthy',
  };
}

async function swarmPath(host: SecondHost, docker: Dockerode, image: string): Promise<WakePath> {
  const name = 'bench-wake-service';
  await createFakeModelService(host.admin, {
    name,
    image,
    publishedPort: PORT,
    labels: { 'siesta.enable': 'true' },
  });
  const scale = async (replicas: number): Promise<void> => {
    // Swarm refuses an update whose version it has moved past ("update out of sequence": it also updates the service
    // itself, as tasks come and go); read it again and retry, as `docker service scale` does.
    for (let attempt = 1; ; attempt++) {
      const service = (await host.admin.getService(name).inspect()) as SwarmService;
      try {
        await host.admin.getService(name).update({
          ...service.Spec,
          Mode: { Replicated: { Replicas: replicas } },
          version: service.Version?.Index ?? 0,
        });
        return;
      } catch (error: unknown) {
        if (attempt >= 5 || !String(error).includes('out of sequence')) throw error;
      }
    }
  };
  return {
    label: 'Swarm service (scale 0 → 1)',
    name,
    runtime: new SwarmRuntime({ docker, managedNames: () => [] }),
    directStart: () => scale(1),
    directStop: () => scale(0),
    isDown: async () =>
      !hasLiveTask((await host.admin.listTasks({ filters: { service: [name] } })) as SwarmTask[]),
    isHealthy: async () => {
      const tasks = (await host.admin.listTasks({ filters: { service: [name] } })) as SwarmTask[];
      const id = tasks.find((t) => t.DesiredState === 'running')?.Status?.ContainerStatus
        ?.ContainerID;
      if (!id) return false;
      const info = await host.admin
        .getContainer(id)
        .inspect()
        .catch(() => null);
      return info?.State.Health?.Status === 'healthy';
    },
  };
}

async function measure(
  path: WakePath,
  address: string,
): Promise<{ siesta: number[]; direct: number[] }> {
  const siesta: number[] = [];
  const direct: number[] = [];
  for (let i = -1; i < WAKES; i++) {
    const first = i % 2 === 0;
    const a = first ? await siestaWakeMs(path, address) : await directWakeMs(path, address);
    const b = first ? await directWakeMs(path, address) : await siestaWakeMs(path, address);
    if (i < 0) continue; // warm-up pair
    siesta.push(first ? a : b);
    direct.push(first ? b : a);
  }
  return { siesta, direct };
}

/** Runs both paths and prints one table. */
export async function run(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('skipped: the Swarm benchmark creates a network namespace, which needs root');
    return;
  }
  const host = await startSecondHost({ swarm: true });
  try {
    const image = ensureFakeModelImage();
    await copyImage(testDocker(), host.admin, image);
    const client = engineClient({
      name: 'bench',
      kind: 'docker',
      host: host.dockerHost,
      tlsDir: host.clientTlsDir,
      identityFile: null,
      upstreamHost: null,
      gpuMetricsUrl: null,
      line: 0,
    });
    const rows: string[][] = [];
    for (const make of [containerPath, swarmPath]) {
      const path = await make(host, client.docker, image);
      const { siesta, direct } = await measure(path, host.address);
      const overhead = siesta.map((s, i) => s - (direct[i] ?? 0));
      rows.push([
        path.label,
        median(direct).toFixed(0),
        median(siesta).toFixed(0),
        median(overhead).toFixed(0),
        quantile(overhead, 0.9).toFixed(0),
        (median(siesta) / median(direct)).toFixed(2),
      ]);
      if (path.label.startsWith('container'))
        await host.admin.getContainer(path.name).remove({ force: true });
    }
    const header = [
      'path (second host over TLS)',
      'by hand p50 ms',
      'Siesta first byte p50 ms',
      'overhead p50 ms',
      'overhead p90 ms',
      'Siesta / by hand',
    ];
    const widths = header.map((h, i) =>
      Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
    );
    for (const row of [header, ...rows])
      console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
    console.log(
      `\n${WAKES} wakes per path after one warm-up, alternating Siesta and by hand. By hand: start or scale to 1, poll the ` +
        `engine every ${POLL_MS} ms until Docker's healthcheck says healthy, then GET /whoami (Siesta's request), to its first byte.`,
    );
  } finally {
    await host.destroy();
  }
}
