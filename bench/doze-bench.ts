// Wake latency by sleep level (issue 15), side by side on the real engine: a fake vLLM-style server (its own wake
// takes WAKE_DELAY_MS) woken through Siesta's gateway from a doze and from a stop, each beside the same wake done by
// hand on the same container (the server's wake call, or docker start and a health poll), then the same request.
// Siesta's overhead over the bare doze wake: target <= 50 ms.
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { dockerFromEnv } from '../main/core/docker/docker-client';
import { startLadderRig, type LadderRig } from '../main/core/doze/testdata/ladder-rig';
import { dockerAvailable, removeContainer } from '../test/docker-harness';
import { median, quantile } from './gateway/stats';

const NAME = 'hd-bench-doze';
const WAKE_DELAY_MS = 300;
const TARGET_OVERHEAD_MS = 50;

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at === -1 ? undefined : Number(args[at + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** One request; resolves with the ms to its first byte (and checks it answered 200). */
function ttfb(port: number, method: 'GET' | 'POST', path: string): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      const at = performance.now() - start;
      res.resume();
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(at)
          : reject(new Error(`${method} ${path}: HTTP ${res.statusCode ?? '?'}`)),
      );
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
    req.on('error', reject);
    req.end();
  });
}

async function upstreamPort(): Promise<number> {
  const info = await dockerFromEnv().getContainer(NAME).inspect();
  return Number(info.NetworkSettings.Ports['8000/tcp']?.[0]?.HostPort ?? 0);
}

async function untilState(rig: LadderRig, state: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (rig.lifecycle.get(NAME)?.state !== state) {
    if (Date.now() > deadline) throw new Error(`${NAME} did not become ${state}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** By hand from a doze: the server's wake call, then the request, straight to its port. */
async function bareDozeWake(port: number): Promise<number> {
  await ttfb(port, 'POST', '/sleep?level=1');
  const start = performance.now();
  await ttfb(port, 'POST', '/wake_up');
  await ttfb(port, 'GET', '/whoami');
  return performance.now() - start;
}

/** By hand from a stop: docker start, GET /health every 5 ms until 200, then the request. */
async function bareStartWake(): Promise<number> {
  const container = dockerFromEnv().getContainer(NAME);
  const start = performance.now();
  await container.start();
  const port = await upstreamPort();
  for (;;) {
    const ok = await ttfb(port, 'GET', '/health').then(
      () => true,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await ttfb(port, 'GET', '/whoami');
  return performance.now() - start;
}

function line(label: string, bare: number[], siesta: number[]): string {
  const over = siesta.map((s, i) => s - (bare[i] ?? 0)).sort((a, b) => a - b);
  const p50 = (xs: number[]) => median([...xs].sort((a, b) => a - b));
  return [
    label.padEnd(14),
    `${p50(bare).toFixed(0)} ms`.padStart(12),
    `${p50(siesta).toFixed(0)} ms`.padStart(12),
    `${median(over).toFixed(1)} ms`.padStart(14),
    `${quantile(over, 0.95).toFixed(1)} ms`.padStart(14),
  ].join(' ');
}

export async function run(args: readonly string[]): Promise<void> {
  const rounds = option(args, '--rounds', 10);
  const docker = dockerFromEnv();
  if (!(await dockerAvailable(docker)))
    throw new Error('bench doze needs a Docker engine (DOCKER_HOST)');
  const rig = await startLadderRig(
    docker,
    [
      {
        name: NAME,
        labels: { 'siesta.doze': 'vllm' },
        dozeAfterMs: 3_600_000,
        stopAfterMs: 7_200_000,
      },
    ],
    { wakeDelayMs: WAKE_DELAY_MS },
  );
  const cause = { kind: 'user', via: 'cli' } as const;
  const result = {
    dozeBare: [] as number[],
    dozeSiesta: [] as number[],
    stopBare: [] as number[],
    stopSiesta: [] as number[],
  };
  try {
    await ttfb(rig.port, 'GET', `/${NAME}/whoami`);
    for (let i = 0; i < rounds; i++) {
      // From a doze: by hand on the awake server, then through Siesta.
      result.dozeBare.push(await bareDozeWake(await upstreamPort()));
      await rig.lifecycle.doze(NAME, cause);
      await untilState(rig, 'dozed');
      result.dozeSiesta.push(await ttfb(rig.port, 'GET', `/${NAME}/whoami`));
      // From a stop: docker start by hand (Siesta adopts it), then a stop and a wake through Siesta.
      await rig.lifecycle.sleep(NAME, cause);
      await untilState(rig, 'asleep');
      result.stopBare.push(await bareStartWake());
      await untilState(rig, 'ready');
      await rig.lifecycle.sleep(NAME, cause);
      await untilState(rig, 'asleep');
      result.stopSiesta.push(await ttfb(rig.port, 'GET', `/${NAME}/whoami`));
    }
  } finally {
    await rig.close();
    await removeContainer(docker, NAME);
  }
  console.log(
    `${rounds} rounds, the fake server's own wake from a doze ${WAKE_DELAY_MS} ms; each by hand and through Siesta's gateway on the same container\n`,
  );
  console.log(
    [
      'level'.padEnd(14),
      'by hand p50'.padStart(12),
      'Siesta p50'.padStart(12),
      'overhead p50'.padStart(14),
      'overhead p95'.padStart(14),
    ].join(' '),
  );
  console.log(line('dozed', result.dozeBare, result.dozeSiesta));
  console.log(line('stopped', result.stopBare, result.stopSiesta));
  const overhead = median(
    result.dozeSiesta.map((s, i) => s - (result.dozeBare[i] ?? 0)).sort((a, b) => a - b),
  );
  const ratio =
    median([...result.stopSiesta].sort((a, b) => a - b)) /
    median([...result.dozeSiesta].sort((a, b) => a - b));
  console.log(
    `\nwake from a doze is ${ratio.toFixed(1)}x faster than from a stop through Siesta; Siesta's overhead over the bare doze wake ${overhead.toFixed(1)} ms (target <= ${TARGET_OVERHEAD_MS} ms): ${overhead <= TARGET_OVERHEAD_MS ? 'met' : 'NOT met'}`,
  );
}
