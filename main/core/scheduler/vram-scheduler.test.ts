// The scheduler on a virtual clock with a fake lifecycle: evictions, waiting for memory, the FIFO queue, timeouts, batches.
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../config/model-spec';
import { WakeError } from '../lifecycle/lifecycle-api';
import type { SchedulerSettings } from './admission-plan';
import { VirtualClock } from '../clock/virtual-clock';
import { FakeLifecycle } from './testdata/fake-lifecycle';
import { GIB, modelSpec } from './testdata/scheduler-fixtures';
import { schedulerRig, type SchedulerRigOptions } from './testdata/scheduler-rig';
import { VramScheduler } from './vram-scheduler';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const SETTINGS: SchedulerSettings = { vramMarginBytes: 0.5 * GIB, minResidencyMs: MINUTE };

const llama = modelSpec('llama', { vramGib: 14 });
const whisper = modelSpec('whisper', { vramGib: 10 });
const sdxl = modelSpec('sdxl', { vramGib: 20 });

function setup(specs: readonly ModelSpec[], o: SchedulerRigOptions = {}) {
  return schedulerRig(specs, SETTINGS, o);
}

/** Settles a promise into a readable outcome without letting it reject unobserved. */
function track<T>(promise: Promise<T>): { done: boolean; error: unknown } {
  const outcome = { done: false, error: undefined as unknown };
  promise.then(
    () => (outcome.done = true),
    (error: unknown) => {
      outcome.done = true;
      outcome.error = error;
    },
  );
  return outcome;
}

describe('making room', () => {
  it('puts the least recently used idle model to sleep, waits for its memory to come back, then starts the wake', async () => {
    const a = modelSpec('a', { vramGib: 6 });
    const b = modelSpec('b', { vramGib: 6 });
    const c = modelSpec('c', { vramGib: 6 });
    const { clock, lifecycle } = setup([a, b, c, whisper]);
    const t0 = clock.now();
    lifecycle.setReady('a', t0 - 30 * MINUTE, t0 - 5 * MINUTE);
    lifecycle.setReady('b', t0 - 30 * MINUTE, t0 - 1 * MINUTE);
    lifecycle.setReady('c', t0 - 30 * MINUTE, t0 - 10 * MINUTE);

    const wake = track(lifecycle.wake('whisper'));
    await clock.advance(10 * SECOND);

    expect(wake).toEqual({ done: true, error: undefined });
    expect(lifecycle.sleeps.map((s) => [s.model, s.cause])).toEqual([
      ['c', { kind: 'evicted', forModel: 'whisper' }],
    ]);
    // c stops after 1 s; its memory shows free 1.5 s later: the container starts only then.
    const start = lifecycle.starts.find((s) => s.model === 'whisper');
    expect(start?.at).toBeGreaterThanOrEqual(t0 + 2500);
    expect(start?.at).toBeLessThan(t0 + 2500 + 200);
    expect(lifecycle.get('a')?.state).toBe('ready');
    expect(lifecycle.get('b')?.state).toBe('ready');
  });

  it('evicts in LRU order, several at once when one is not enough', async () => {
    const { clock, lifecycle } = setup([llama, whisper, sdxl, modelSpec('tiny', { vramGib: 2 })], {
      totalGib: [26],
    });
    const t0 = clock.now();
    lifecycle.setReady('whisper', t0 - 30 * MINUTE, t0 - 20 * MINUTE);
    lifecycle.setReady('llama', t0 - 30 * MINUTE, t0 - 10 * MINUTE);
    lifecycle.setReady('tiny', t0 - 30 * MINUTE, t0 - 1 * MINUTE);
    const wake = track(lifecycle.wake('sdxl'));
    await clock.advance(10 * SECOND);
    expect(wake.error).toBeUndefined();
    // 0 free; 20.5 needed: whisper (LRU, 10) then llama (14); tiny, used last, stays.
    expect(lifecycle.sleeps.map((s) => s.model)).toEqual(['whisper', 'llama']);
    expect(lifecycle.get('tiny')?.state).toBe('ready');
    expect(lifecycle.violations).toEqual([]);
  });

  it('keeps a pinned model awake and evicts the others around it', async () => {
    const { clock, lifecycle } = setup([llama, whisper, modelSpec('eight', { vramGib: 8 })]);
    const t0 = clock.now();
    lifecycle.setReady('llama', t0 - 30 * MINUTE, t0 - 20 * MINUTE);
    lifecycle.setPinned('llama', true);
    lifecycle.setReady('whisper', t0 - 30 * MINUTE, t0 - 1 * MINUTE);
    const wake = track(lifecycle.wake('eight'));
    await clock.advance(10 * SECOND);
    expect(wake.error).toBeUndefined();
    expect(lifecycle.sleeps.map((s) => s.model)).toEqual(['whisper']);
    expect(lifecycle.get('llama')?.state).toBe('ready');
    expect(lifecycle.violations).toEqual([]);
  });

  it('puts the other models of a group to sleep and waits for them to stop, even with VRAM to spare', async () => {
    const flux = modelSpec('flux', { vramGib: 4, group: 'image' });
    const comfy = modelSpec('comfy', { vramGib: 4, group: 'image' });
    const { clock, lifecycle } = setup([flux, comfy, whisper]);
    lifecycle.setReady('flux', clock.now() - 30 * MINUTE);
    lifecycle.setReady('whisper', clock.now() - 30 * MINUTE);
    const t0 = clock.now();
    const wake = track(lifecycle.wake('comfy'));
    await clock.advance(10 * SECOND);
    expect(wake.error).toBeUndefined();
    expect(lifecycle.sleeps).toEqual([
      { model: 'flux', cause: { kind: 'group', forModel: 'comfy', group: 'image' }, at: t0 },
    ]);
    expect(lifecycle.starts.find((s) => s.model === 'comfy')?.at).toBeGreaterThanOrEqual(t0 + 1000);
    expect(lifecycle.get('whisper')?.state).toBe('ready');
  });

  it('does not mistake a reading that had not yet shown an evicted model for memory still on its way back', async () => {
    const clock = new VirtualClock();
    const lifecycle = new FakeLifecycle({
      clock,
      specs: [llama, sdxl, whisper],
      stopMs: 1000,
      wakeMs: 2000,
      releaseLagMs: 0,
    });
    // The probe's last reading predates llama's start: the card still reads empty.
    let staleFreeBytes: number | null = 24 * GIB;
    const scheduler = new VramScheduler({
      clock,
      lifecycle,
      freeVramBytes: (g) => staleFreeBytes ?? lifecycle.freeVramBytes(g),
      totalVramBytes: (g) => lifecycle.totalVramBytes(g),
      learnedVramBytes: () => null,
      settings: () => ({ ...SETTINGS, minResidencyMs: 0 }),
      releaseSettleMs: 30 * SECOND,
    });
    lifecycle.admission = scheduler;
    lifecycle.setReady('llama', clock.now() - 30 * MINUTE);
    const t0 = clock.now();
    const first = track(lifecycle.wake('sdxl'));
    await clock.advance(100);
    // By the books llama holds 14 GiB: it is evicted although the reading says the card is free.
    expect(lifecycle.sleeps.map((s) => s.model)).toEqual(['llama']);
    staleFreeBytes = null;
    await clock.advance(5 * SECOND);
    expect(first).toEqual({ done: true, error: undefined });

    // sdxl holds 20 GiB now; whisper makes room by evicting it at once, not after llama's 30 s settle time.
    const second = track(lifecycle.wake('whisper'));
    await clock.advance(5 * SECOND);
    expect(second).toEqual({ done: true, error: undefined });
    expect(lifecycle.sleeps.map((s) => s.model)).toEqual(['llama', 'sdxl']);
    expect(lifecycle.starts.find((s) => s.model === 'whisper')?.at).toBeLessThan(t0 + 8 * SECOND);
  });

  it('on several GPUs, evicts only on the GPU the model needs', async () => {
    const zero = modelSpec('zero', { vramGib: 20 });
    const one = modelSpec('one', { vramGib: 20 });
    const { clock, lifecycle } = setup([zero, one, whisper], {
      totalGib: [24, 24],
      gpuIndexes: { zero: [0], one: [1], whisper: [1] },
    });
    const t0 = clock.now();
    lifecycle.setReady('zero', t0 - 30 * MINUTE, t0 - 50 * MINUTE);
    lifecycle.setReady('one', t0 - 30 * MINUTE, t0 - 1 * MINUTE);
    const wake = track(lifecycle.wake('whisper'));
    await clock.advance(10 * SECOND);
    expect(wake.error).toBeUndefined();
    expect(lifecycle.sleeps.map((s) => s.model)).toEqual(['one']);
  });
});

describe('waiting in the queue', () => {
  it('never evicts a busy model: the wake waits, then is served when the request ends', async () => {
    const { clock, lifecycle, scheduler } = setup([llama, sdxl]);
    lifecycle.setReady('llama', clock.now() - 30 * MINUTE);
    const t0 = clock.now();
    const request = track(lifecycle.use('llama', 30 * SECOND));
    await clock.advance(1 * SECOND);
    const wake = track(lifecycle.wake('sdxl'));
    await clock.advance(10 * SECOND);

    expect(wake.done).toBe(false);
    expect(lifecycle.sleeps).toEqual([]);
    expect(scheduler.waiting()).toMatchObject([
      { model: 'sdxl', blockers: [{ reason: 'busy', model: 'llama', detail: 1 }] },
    ]);

    await clock.advance(30 * SECOND);
    expect(request.done).toBe(true);
    expect(wake).toEqual({ done: true, error: undefined });
    expect(lifecycle.sleeps[0]).toMatchObject({
      model: 'llama',
      cause: { kind: 'evicted', forModel: 'sdxl' },
    });
    expect(lifecycle.sleeps[0]?.at).toBeGreaterThanOrEqual(t0 + 30 * SECOND);
    expect(lifecycle.sleeps[0]?.at).toBeLessThanOrEqual(t0 + 30 * SECOND + 100);
    expect(lifecycle.violations).toEqual([]);
    expect(scheduler.waiting()).toEqual([]);
  });

  it('serves waiting wakes first come, first served on a GPU, even when a later one needs less', async () => {
    const eight = modelSpec('eight', { vramGib: 8 });
    const { clock, lifecycle } = setup([llama, sdxl, eight], {
      settings: { ...SETTINGS, minResidencyMs: 0 },
    });
    lifecycle.setReady('llama', clock.now() - 30 * MINUTE);
    // llama (14) busy: 10 GiB free.
    void lifecycle.use('llama', 20 * SECOND);
    await clock.advance(1 * SECOND);
    const big = track(lifecycle.wake('sdxl'));
    await clock.advance(1 * SECOND);
    // eight (8 + 0.5) would fit now, but sdxl asked first.
    const small = track(lifecycle.wake('eight'));
    await clock.advance(5 * SECOND);
    expect(lifecycle.starts).toEqual([]);
    await clock.advance(60 * SECOND);
    expect(big.error).toBeUndefined();
    expect(small.error).toBeUndefined();
    expect(lifecycle.starts.map((s) => s.model)).toEqual(['sdxl', 'eight']);
    // eight then needed sdxl out of the way (20 + 8.5 > 24).
    expect(lifecycle.sleeps.map((s) => s.model)).toEqual(['llama', 'sdxl']);
  });

  it('goes ahead as soon as it is told a model changed, without waiting for the next poll', async () => {
    const { clock, lifecycle } = setup([llama, sdxl], { pollMs: 60 * SECOND, releaseLagMs: 0 });
    lifecycle.setReady('llama', clock.now() - 30 * MINUTE);
    void lifecycle.use('llama', 5 * SECOND);
    await clock.advance(1 * SECOND);
    const t0 = clock.now();
    void lifecycle.wake('sdxl');
    await clock.advance(20 * SECOND);
    // The use ended at t0 + 4 s; the sleep began then (not at the 60 s poll) and took 1 s.
    expect(lifecycle.sleeps[0]?.at).toBe(t0 + 4 * SECOND);
    expect(lifecycle.starts[0]?.at).toBe(t0 + 5 * SECOND);
  });

  it('does not evict a model before its minimum residency', async () => {
    const { clock, lifecycle } = setup([llama, sdxl]);
    const readyAt = clock.now() - 10 * SECOND;
    lifecycle.setReady('llama', readyAt);
    void lifecycle.wake('sdxl');
    await clock.advance(2 * MINUTE);
    expect(lifecycle.sleeps[0]?.at).toBe(readyAt + MINUTE);
  });

  it('times out at the wake deadline with what it waited for, and leaves the queue', async () => {
    const slowSdxl = modelSpec('sdxl', { vramGib: 20, wakeTimeoutMs: 5 * SECOND });
    const { clock, lifecycle, scheduler } = setup([llama, slowSdxl]);
    lifecycle.setReady('llama', clock.now() - 30 * MINUTE);
    void lifecycle.use('llama', 60 * SECOND);
    await clock.advance(1 * SECOND);
    const wake = track(lifecycle.wake('sdxl'));
    await clock.advance(4900);
    expect(wake.done).toBe(false);
    await clock.advance(200);
    expect(wake.error).toBeInstanceOf(WakeError);
    expect((wake.error as WakeError).code).toBe('timeout');
    expect((wake.error as WakeError).message).toBe(
      'sdxl waited 5 s for room on its GPU and gave up: llama is busy (1 request open).',
    );
    expect(scheduler.waiting()).toEqual([]);
    expect(lifecycle.sleeps).toEqual([]);
    expect(clock.pendingTimers()).toBeGreaterThan(0); // only llama's request
    await clock.advance(60 * SECOND);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('stops waiting when the wake is cancelled', async () => {
    const { clock, lifecycle } = setup([llama, sdxl]);
    lifecycle.setReady('llama', clock.now() - 30 * MINUTE);
    void lifecycle.use('llama', 60 * SECOND);
    await clock.advance(1 * SECOND);
    const controller = new AbortController();
    const wake = track(lifecycle.wake('sdxl', controller.signal));
    await clock.advance(1 * SECOND);
    controller.abort();
    await clock.advance(0);
    expect((wake.error as WakeError).code).toBe('aborted');
  });
});

describe('a model that can never fit', () => {
  it('is refused at once with the numbers in GiB, without waiting or evicting', async () => {
    const huge = modelSpec('llama-70b', { vramGib: 40 });
    const { clock, lifecycle } = setup([huge, llama]);
    lifecycle.setReady('llama', clock.now() - 30 * MINUTE);
    const t0 = clock.now();
    const error = await lifecycle.wake('llama-70b').catch((e: unknown) => e);
    expect(clock.now()).toBe(t0);
    expect(error).toBeInstanceOf(WakeError);
    expect((error as WakeError).code).toBe('never-fits');
    expect((error as WakeError).message).toBe(
      'llama-70b can never fit on GPU 0: it declares 40 GiB of VRAM plus the 0.5 GiB safety margin (40.5 GiB), and the GPU has 24 GiB in all. ' +
        'Check its vram setting (label siesta.vram), lower the VRAM margin in the settings, or give it more GPUs.',
    );
    expect(lifecycle.sleeps).toEqual([]);
  });
});

describe('two clients alternating between two models that cannot share the card', () => {
  it('serves them in batches: one swap per residency, not one per request, and neither starves', async () => {
    const { clock, lifecycle } = setup([llama, sdxl]);
    lifecycle.setReady('llama', clock.now() - 30 * MINUTE);
    const end = clock.now() + 10 * MINUTE;
    const served: { model: string; at: number }[] = [];
    const client = async (model: string): Promise<void> => {
      while (clock.now() < end) {
        await lifecycle.use(model, 1 * SECOND);
        served.push({ model, at: clock.now() });
        await clock.sleep(500);
      }
    };
    const clients = Promise.all([client('llama'), client('sdxl')]);
    await clock.advance(12 * MINUTE);
    await clients;

    const llamaServed = served.filter((s) => s.model === 'llama').length;
    const sdxlServed = served.filter((s) => s.model === 'sdxl').length;
    const starts = lifecycle.starts.length;
    expect(llamaServed).toBeGreaterThan(100);
    expect(sdxlServed).toBeGreaterThan(100);
    // At most one start per minimum residency (plus the first and the last), against hundreds of requests.
    expect(starts).toBeGreaterThanOrEqual(4);
    expect(starts).toBeLessThanOrEqual((10 * MINUTE) / SETTINGS.minResidencyMs + 2);
    expect(starts * 20).toBeLessThan(llamaServed + sdxlServed);
    // Runs of one model: the number of switches in the served order equals the swaps.
    let switches = 0;
    for (let i = 1; i < served.length; i++)
      if (served[i]?.model !== served[i - 1]?.model) switches++;
    expect(switches).toBeLessThanOrEqual(starts);
    expect(lifecycle.violations).toEqual([]);
  });
});

describe('learned and unknown needs', () => {
  it('uses the learned VRAM of a model that declares none', async () => {
    const learned = modelSpec('learned');
    const { clock, lifecycle } = setup([learned, llama, whisper], { learnedGib: { learned: 12 } });
    const t0 = clock.now();
    lifecycle.setReady('llama', t0 - 30 * MINUTE, t0 - 5 * MINUTE);
    lifecycle.setReady('whisper', t0 - 30 * MINUTE, t0 - 1 * MINUTE);
    void lifecycle.wake('learned');
    await clock.advance(10 * SECOND);
    expect(lifecycle.sleeps.map((s) => s.model)).toEqual(['llama']);
  });

  it('starts a model of unknown need on a try when the margin is free', async () => {
    const { clock, lifecycle } = setup([modelSpec('unknown'), llama]);
    lifecycle.setReady('llama', clock.now() - 30 * MINUTE);
    const wake = track(lifecycle.wake('unknown'));
    await clock.advance(5 * SECOND);
    expect(wake).toEqual({ done: true, error: undefined });
    expect(lifecycle.sleeps).toEqual([]);
  });
});
