// Many models on one 24 GiB card: the real Lifecycle and DockerRuntime start and stop real containers, a replay probe's
// VRAM follows which of them run, and the VramScheduler makes room (LRU, busy, pinned, FIFO, groups, never-fits, batches).
import * as http from 'node:http';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  createFakeModel,
  removeContainer,
  removeTestContainers,
  untilEventsFlow,
} from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { systemClock } from '../clock/clock';
import { type ModelSpec } from '../config/model-spec';
import { dockerFromEnv } from '../docker/docker-client';
import { DockerRuntime } from '../docker/docker-runtime';
import type { Lifecycle } from '../lifecycle/lifecycle';
import { WakeError } from '../lifecycle/lifecycle-api';
import type { Lease, LifecycleEvent } from '../lifecycle/model-state';
import { SETTINGS_DEFAULTS } from '../settings/settings-schema';
import type { SchedulerSettings } from './admission-plan';
import { SimulatedVram } from './testdata/simulated-vram';
import type { VramScheduler } from './vram-scheduler';
import { vramRig } from './testdata/vram-rig';
import { until } from '../../../test/until';
import { specForTest } from '../config/testdata/spec-for-test';

const docker = dockerFromEnv();
const clock = systemClock();
const GIB = 1024 ** 3;
const CARD_BYTES = 24 * GIB;
const request = {
  cause: { kind: 'request', route: 'model-field', detail: 'POST /v1/chat/completions' },
} as const;

/** What each container holds on the card while it runs (the replay probe reports the sum). */
const VRAM_GIB = {
  'hs-llama': 14,
  'hs-whisper': 10,
  'hs-sdxl': 20,
  'hs-tts': 4,
  'hs-huge': 30,
} as const;
type Name = keyof typeof VRAM_GIB;
const NAMES = Object.keys(VRAM_GIB) as Name[];

/** A spec declaring the container's VRAM (label `siesta.vram`). */
function spec(name: Name, overrides: Partial<ModelSpec> = {}): ModelSpec {
  return specForTest(name, {
    port: null,
    idleMs: 10 * 60_000,
    wakeTimeoutMs: 60_000,
    vramBytes: VRAM_GIB[name] * GIB,
    ...overrides,
  });
}

/**
 * A real request to the model's server while the lease is held; resolves with the model that answered.
 * Under the full suite's container churn, a fresh connection to a container that just started is now and
 * then accepted and never answered, through Docker's proxy and straight to the container's bridge IP alike,
 * while the next connection answers at once (see the note of issue 8; a loaded machine saw it twice in a row
 * once). The scheduler is not what that tests, so a request that gets no byte in 5 s is tried again on a new
 * connection, up to three times, and a third silence fails the test with what was seen (connected or not).
 */
async function serve(lease: Lease, path = '/whoami'): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await serveOnce(lease, path);
    } catch (error) {
      if (!(error instanceof UpstreamSilence) || attempt === SERVE_ATTEMPTS) throw error;
      console.warn(`${error.message}; trying again (${attempt} of ${SERVE_ATTEMPTS})`);
    }
  }
}

const SERVE_ATTEMPTS = 3;

class UpstreamSilence extends Error {}

function serveOnce(lease: Lease, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: lease.upstream.host, port: lease.upstream.port, path, agent: false, timeout: 5_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(
                path === '/whoami' ? (JSON.parse(body) as { model: string }).model : lease.model,
              )
            : reject(new Error(`${path}: ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    const startedAt = Date.now();
    let connectedAfterMs: number | null = null;
    req.on('socket', (socket) =>
      socket.on('connect', () => (connectedAfterMs = Date.now() - startedAt)),
    );
    req.on('timeout', () =>
      req.destroy(
        new UpstreamSilence(
          `GET ${path} on ${lease.model} (127.0.0.1:${lease.upstream.port}): no answer in 5 s (${
            connectedAfterMs === null ? 'never connected' : `connected after ${connectedAfterMs} ms`
          })`,
        ),
      ),
    );
    req.on('error', reject);
  });
}

/** One use of a model, as the gateway makes it: acquire, forward a request, release. */
async function use(lifecycle: Lifecycle, name: Name, path?: string): Promise<string> {
  const lease = await lifecycle.acquire(name, request);
  try {
    return await serve(lease, path);
  } finally {
    lease.release();
  }
}

/** The last-use times of two models must differ for an LRU order to exist. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  await until(
    'the next millisecond',
    () => Date.now(),
    (now) => now > start,
  );
}

interface Rig {
  readonly lifecycle: Lifecycle;
  readonly scheduler: VramScheduler;
  readonly vram: SimulatedVram;
  readonly events: LifecycleEvent[];
  /** `model<-forModel` of every eviction, in order. */
  readonly evictions: () => string[];
  /** The containers holding memory on the card now. */
  readonly running: () => string[];
}

const teardown: Array<() => Promise<void>> = [];

async function rig(specs: readonly ModelSpec[], settings: SchedulerSettings): Promise<Rig> {
  const runtime = new DockerRuntime({ docker, managedNames: () => [] });
  const vram = new SimulatedVram({
    clock,
    runtime,
    totalBytes: [CARD_BYTES],
    containers: Object.fromEntries(NAMES.map((n) => [n, { vramBytes: VRAM_GIB[n] * GIB }])),
    sampleIntervalMs: 50,
    releaseLagMs: 200,
  });
  await vram.start();
  teardown.push(() => vram.stop());
  await untilEventsFlow(docker, (name) => vram.heard.has(name), {
    prefix: 'hs-sched-probe',
    timeoutMs: 20_000,
    attemptMs: 500,
  });
  const { lifecycle: built, scheduler } = vramRig({
    clock,
    runtime,
    vram,
    settings,
    stopGraceMs: 1000,
    pollMs: 50,
  });
  teardown.push(() => built.stop());
  const events: LifecycleEvent[] = [];
  built.onEvent((event) => events.push(event));
  built.setSpecs(specs);
  await built.start();
  return {
    lifecycle: built,
    scheduler,
    vram,
    events,
    evictions: () =>
      events.flatMap((e) => (e.kind === 'evicted' ? [`${e.model}<-${e.forModel}`] : [])),
    running: () => vram.runningContainers(),
  };
}

const LOOSE: SchedulerSettings = { vramMarginBytes: 0.5 * GIB, minResidencyMs: 0 };

describeDocker('many models on one 24 GiB card, with the real engine', () => {
  beforeAll(async () => {
    for (const name of NAMES)
      await createFakeModel(docker, { name, labels: { 'siesta.enable': 'true' } });
  });

  afterEach(async () => {
    for (const step of teardown.splice(0).reverse()) await step();
    // Every test starts with the card empty.
    await Promise.all(
      NAMES.map((name) =>
        docker
          .getContainer(name)
          .stop({ t: 1 })
          .catch(() => undefined),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all(NAMES.map((name) => removeContainer(docker, name)));
    await removeTestContainers(docker);
  });

  it('puts the least recently used idle model to sleep to make room, and only as many as the new model needs', async () => {
    // No margin here, so llama and whisper (14 + 10 GiB) exactly fill the card.
    const { lifecycle, evictions, running } = await rig(
      [spec('hs-llama'), spec('hs-whisper'), spec('hs-sdxl'), spec('hs-tts')],
      { vramMarginBytes: 0, minResidencyMs: 0 },
    );
    await use(lifecycle, 'hs-llama');
    await use(lifecycle, 'hs-whisper');
    expect(running()).toEqual(['hs-llama', 'hs-whisper']);
    expect(evictions()).toEqual([]);

    // whisper used before llama: tts (4 GiB) takes whisper's place, llama stays.
    await use(lifecycle, 'hs-whisper');
    await nextMillisecond();
    await use(lifecycle, 'hs-llama');
    expect(await use(lifecycle, 'hs-tts')).toBe('hs-tts');
    expect(evictions()).toEqual(['hs-whisper<-hs-tts']);
    expect(running()).toEqual(['hs-llama', 'hs-tts']);

    // Now llama is the one used longest ago: whisper (10 GiB, 6 free) takes llama's place, tts stays.
    await use(lifecycle, 'hs-llama');
    await nextMillisecond();
    await use(lifecycle, 'hs-tts');
    expect(await use(lifecycle, 'hs-whisper')).toBe('hs-whisper');
    expect(evictions()).toEqual(['hs-whisper<-hs-tts', 'hs-llama<-hs-whisper']);
    expect(running()).toEqual(['hs-tts', 'hs-whisper']);

    // sdxl (20 GiB) needs both gone.
    expect(await use(lifecycle, 'hs-sdxl')).toBe('hs-sdxl');
    expect(evictions().slice(2).sort()).toEqual(['hs-tts<-hs-sdxl', 'hs-whisper<-hs-sdxl']);
    expect(running()).toEqual(['hs-sdxl']);
  });

  it('never evicts a model that is streaming a response: the new wake waits until the stream ends', async () => {
    const { lifecycle, scheduler, vram, events } = await rig(
      [spec('hs-llama'), spec('hs-sdxl')],
      LOOSE,
    );
    const lease = await lifecycle.acquire('hs-llama', request);
    const stream = serve(lease, '/slow-stream?ms=1500&every=100').then(() => {
      const endedAt = Date.now();
      lease.release();
      return endedAt;
    });
    const sdxl = use(lifecycle, 'hs-sdxl');
    // Awaited below; if the test fails before, the wake is cancelled at teardown: not an unhandled rejection.
    sdxl.catch(() => undefined);
    const waiting = await until(
      'sdxl waiting for the busy llama',
      () => scheduler.waiting(),
      (w) => w.length === 1,
    );
    expect(waiting[0]).toMatchObject({
      model: 'hs-sdxl',
      blockers: [{ reason: 'busy', model: 'hs-llama', detail: 1 }],
    });
    expect(lifecycle.get('hs-llama')?.state).toBe('ready');

    const streamEndedAt = await stream;
    expect(await sdxl).toBe('hs-sdxl');
    const evicted = events.find((e) => e.kind === 'evicted');
    expect(evicted).toMatchObject({ model: 'hs-llama', forModel: 'hs-sdxl' });
    expect(evicted?.at).toBeGreaterThanOrEqual(streamEndedAt);
    expect(vram.everRanTogether(['hs-llama', 'hs-sdxl'])).toBe(false);
  });

  it('never evicts a pinned model, even the least recently used: evicts around it, or lets the wake time out', async () => {
    const { lifecycle, scheduler, evictions, running } = await rig(
      [
        spec('hs-tts', { pin: true }),
        spec('hs-llama'),
        spec('hs-whisper'),
        // Long enough for a loaded 2-core CI machine to see the wait in the queue and in the model state before it ends.
        spec('hs-sdxl', { wakeTimeoutMs: 3000 }),
      ],
      LOOSE,
    );
    await use(lifecycle, 'hs-tts');
    await nextMillisecond();
    await use(lifecycle, 'hs-llama');
    // tts (pinned) is least recently used; llama goes instead.
    expect(await use(lifecycle, 'hs-whisper')).toBe('hs-whisper');
    expect(evictions()).toEqual(['hs-llama<-hs-whisper']);

    // sdxl (20 GiB + margin) fits only if pinned tts goes: nobody is evicted and the wake times out.
    const failed = use(lifecycle, 'hs-sdxl').catch((error: unknown) => error);
    const waiting = await until(
      'sdxl waiting',
      () => scheduler.waiting(),
      (w) => w.some((x) => x.blockers.some((b) => b.reason === 'pinned')),
    );
    expect(waiting[0]?.blockers).toContainEqual(
      expect.objectContaining({ reason: 'pinned', model: 'hs-tts' }),
    );
    // What the dashboard and `siesta wake` show while it waits, and what the timeout says.
    await until(
      'the wait to show in the model state',
      () => lifecycle.get('hs-sdxl')?.readinessDetail,
      (detail) => detail?.includes('hs-tts is pinned') === true,
    );
    const error = await failed;
    expect(error).toBeInstanceOf(WakeError);
    expect((error as WakeError).code).toBe('timeout');
    // Whichever deadline fires first (the lifecycle's or the queue's) names the blocker.
    expect((error as WakeError).message).toMatch(/room on its GPU.*: hs-tts is pinned/);
    expect(evictions()).toEqual(['hs-llama<-hs-whisper']);
    expect(running()).toEqual(['hs-tts', 'hs-whisper']);
    await until(
      'the queue to empty',
      () => scheduler.waiting(),
      (w) => w.length === 0,
    );
  });

  it('queues wakes first come, first served while the card is busy, then serves each in turn', async () => {
    const { lifecycle, scheduler, events, vram } = await rig(
      [spec('hs-llama'), spec('hs-sdxl'), spec('hs-whisper')],
      LOOSE,
    );
    const llama = await lifecycle.acquire('hs-llama', request);
    const sdxlLease = lifecycle.acquire('hs-sdxl', request);
    await until(
      'sdxl queued',
      () => scheduler.waiting().map((w) => w.model),
      (m) => m.length === 1,
    );
    const whisperServed = use(lifecycle, 'hs-whisper');
    await until(
      'both queued',
      () => scheduler.waiting().map((w) => w.model),
      (m) => m.length === 2,
    );
    expect(scheduler.waiting().map((w) => w.model)).toEqual(['hs-sdxl', 'hs-whisper']);
    expect(scheduler.waiting()[1]?.blockers).toEqual([
      expect.objectContaining({ reason: 'queued', model: 'hs-sdxl' }),
    ]);

    expect(await serve(llama)).toBe('hs-llama');
    llama.release();
    const sdxl = await sdxlLease;
    // sdxl, first in line, is served; whisper waits for sdxl's request to end.
    expect(await serve(sdxl)).toBe('hs-sdxl');
    expect(scheduler.waiting().map((w) => w.model)).toEqual(['hs-whisper']);
    sdxl.release();
    expect(await whisperServed).toBe('hs-whisper');

    expect(events.flatMap((e) => (e.kind === 'ready' ? [e.model] : []))).toEqual([
      'hs-llama',
      'hs-sdxl',
      'hs-whisper',
    ]);
    expect(
      events.flatMap((e) => (e.kind === 'evicted' ? [`${e.model}<-${e.forModel}`] : [])),
    ).toEqual(['hs-llama<-hs-sdxl', 'hs-sdxl<-hs-whisper']);
    expect(vram.everRanTogether(['hs-llama', 'hs-sdxl', 'hs-whisper'])).toBe(false);
  });

  it('never runs two models of one group together, even with VRAM to spare', async () => {
    const { lifecycle, vram, events, running } = await rig(
      [
        spec('hs-whisper', { group: 'speech' }),
        spec('hs-tts', { group: 'speech' }),
        spec('hs-llama'),
      ],
      LOOSE,
    );
    await use(lifecycle, 'hs-whisper');
    expect(await use(lifecycle, 'hs-tts')).toBe('hs-tts');
    expect(await use(lifecycle, 'hs-whisper')).toBe('hs-whisper');
    const groupSleeps = events.flatMap((e) => (e.kind === 'sleep' ? [e] : []));
    expect(groupSleeps.map((e) => [e.model, e.cause])).toEqual([
      ['hs-whisper', { kind: 'group', forModel: 'hs-tts', group: 'speech' }],
      ['hs-tts', { kind: 'group', forModel: 'hs-whisper', group: 'speech' }],
    ]);
    expect(vram.everRanTogether(['hs-whisper', 'hs-tts'])).toBe(false);
    expect(vram.startCount('hs-tts')).toBe(1);
    expect(running()).toEqual(['hs-whisper']);
  });

  it('refuses a model that can never fit on the card in under a second, with the numbers, without touching the others', async () => {
    const { lifecycle, vram, running } = await rig([spec('hs-llama'), spec('hs-huge')], LOOSE);
    const llama = await lifecycle.acquire('hs-llama', request);
    const startedAt = Date.now();
    const error = await lifecycle.acquire('hs-huge', request).then(
      () => null,
      (e: unknown) => e,
    );
    const tookMs = Date.now() - startedAt;
    expect(error).toBeInstanceOf(WakeError);
    expect((error as WakeError).code).toBe('never-fits');
    expect((error as WakeError).message).toMatch(
      /hs-huge can never fit on GPU 0: it declares 30 GiB of VRAM plus the 0.5 GiB safety margin \(30.5 GiB\), and the GPU has 24 GiB in all/,
    );
    // Its wake timeout is a minute: the answer came from the numbers, not from waiting.
    expect(tookMs).toBeLessThan(1000);
    expect(lifecycle.get('hs-huge')?.state).toBe('failed');
    expect(vram.startCount('hs-huge')).toBe(0);
    expect(running()).toEqual(['hs-llama']);
    llama.release();
  });

  it('switches away from an idle model at once with the default settings: its stop, then the new start, no hold', async () => {
    const { lifecycle, scheduler, vram, events } = await rig([spec('hs-llama'), spec('hs-sdxl')], {
      vramMarginBytes: SETTINGS_DEFAULTS.vramMarginBytes,
      minResidencyMs: SETTINGS_DEFAULTS.minResidencyMs,
    });
    // llama has just woken and answered: idle, nothing queued for it.
    expect(await use(lifecycle, 'hs-llama')).toBe('hs-llama');
    const reasons = new Set<string>();
    const watch = setInterval(() => {
      for (const w of scheduler.waiting()) for (const b of w.blockers) reasons.add(b.reason);
    }, 10);
    const requestedAt = Date.now();
    try {
      expect(await use(lifecycle, 'hs-sdxl')).toBe('hs-sdxl');
    } finally {
      clearInterval(watch);
    }
    const evicted = events.find((e) => e.kind === 'evicted');
    expect(evicted).toMatchObject({ model: 'hs-llama', forModel: 'hs-sdxl' });
    // The eviction is decided on the request, not after a minimum residency (it was 30 s before issue 15).
    expect(evicted?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(requestedAt + 2_000);
    expect([...reasons].filter((r) => r === 'young' || r === 'busy')).toEqual([]);
    expect(vram.everRanTogether(['hs-llama', 'hs-sdxl'])).toBe(false);
    expect(vram.runningContainers()).toEqual(['hs-sdxl']);
  });

  it('serves two clients alternating between two models that cannot share the card in batches, not one swap per request', async () => {
    const minResidencyMs = 1500;
    const { lifecycle, vram, events } = await rig([spec('hs-llama'), spec('hs-sdxl')], {
      vramMarginBytes: 0.5 * GIB,
      minResidencyMs,
    });
    const served: { model: string; at: number }[] = [];
    const client = async (name: Name, count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        const model = await use(lifecycle, name, '/slow-stream?ms=60&every=30');
        served.push({ model, at: Date.now() });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await Promise.all([client('hs-llama', 12), client('hs-sdxl', 12)]);

    expect(served).toHaveLength(24);
    const order = served.sort((a, b) => a.at - b.at).map((s) => s.model);
    const swaps = order.filter((model, i) => i > 0 && model !== order[i - 1]).length;
    // One swap per request would be 23 swaps and 24 starts. How many requests fit in a residency depends on how fast
    // this machine streams them (3-4 swaps when idle, 5 seen under load), so the check is on batches: at least three
    // requests a residency on average, i.e. at most 8 swaps.
    expect(swaps).toBeGreaterThanOrEqual(1);
    expect(swaps).toBeLessThanOrEqual(8);
    expect(vram.startCount()).toBeLessThanOrEqual(swaps + 1);
    expect(vram.everRanTogether(['hs-llama', 'hs-sdxl'])).toBe(false);
    // Each model served for at least the minimum residency before it was evicted.
    const readyAt = new Map<string, number>();
    for (const e of events) {
      if (e.kind === 'ready') readyAt.set(e.model, e.at);
      if (e.kind === 'evicted')
        expect(e.at - (readyAt.get(e.model) ?? 0)).toBeGreaterThanOrEqual(minResidencyMs);
    }
  });
});
