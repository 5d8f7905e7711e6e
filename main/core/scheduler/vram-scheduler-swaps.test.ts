// Swaps without a hold (issue 15): an idle model with nothing queued gives way at once, and batches, not a fixed
// minimum residency, keep two models that cannot share the card from swapping on every request.
import { describe, expect, it } from 'vitest';
import { SETTINGS_DEFAULTS } from '../settings/settings-schema';
import type { SchedulerSettings } from './admission-plan';
import { modelSpec } from './testdata/scheduler-fixtures';
import { VirtualClock } from '../clock/virtual-clock';
import { FakeLifecycle } from './testdata/fake-lifecycle';
import { schedulerRig } from './testdata/scheduler-rig';
import { VramScheduler } from './vram-scheduler';
import { runSwapScenario } from './testdata/swap-scenario';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** What a new user gets. */
const DEFAULTS: SchedulerSettings = {
  vramMarginBytes: SETTINGS_DEFAULTS.vramMarginBytes,
  minResidencyMs: SETTINGS_DEFAULTS.minResidencyMs,
};
const llama = modelSpec('llama', { vramGib: 14 });
const sdxl = modelSpec('sdxl', { vramGib: 20 });

describe('a switch away from an idle model', () => {
  it('stops the idle model at once with the default settings, even one woken a moment ago', async () => {
    const { clock, lifecycle, scheduler } = schedulerRig([llama, sdxl], DEFAULTS);
    // llama woke a second ago and served one request: idle, nothing queued for it.
    lifecycle.setReady('llama', clock.now() - 1 * SECOND, clock.now() - 100);
    const t0 = clock.now();
    const served = lifecycle.use('sdxl', 500);
    await clock.advance(0);
    expect(lifecycle.sleeps).toEqual([
      { model: 'llama', cause: { kind: 'evicted', forModel: 'sdxl' }, at: t0 },
    ]);
    expect(scheduler.waiting()[0]?.blockers.map((b) => b.reason)).toEqual(['stopping']);
    await clock.advance(10 * SECOND);
    await served;
    // The stop (1 s), the memory showing free (1.5 s), then the start: nothing else.
    expect(lifecycle.starts).toEqual([{ model: 'sdxl', at: t0 + 2500 }]);
  });

  it('still holds a model for the minimum residency when the user sets one', async () => {
    const { clock, lifecycle, scheduler } = schedulerRig([llama, sdxl], {
      ...DEFAULTS,
      minResidencyMs: 30 * SECOND,
    });
    lifecycle.setReady('llama', clock.now() - 1 * SECOND, clock.now() - 100);
    void lifecycle.use('sdxl', 500);
    await clock.advance(1 * SECOND);
    expect(lifecycle.sleeps).toEqual([]);
    expect(scheduler.waiting()[0]?.blockers).toEqual([
      expect.objectContaining({ reason: 'young', model: 'llama', detail: 28 * SECOND }),
    ]);
    await clock.advance(40 * SECOND);
    expect(lifecycle.sleeps.map((s) => s.model)).toEqual(['llama']);
  });
});

describe('a fresh reading after the stop', () => {
  /** A card sampled once a second, as the real probe does, and on `readNow` when the scheduler is given it. */
  function sampledRig(withReadNow: boolean) {
    const clock = new VirtualClock();
    const lifecycle = new FakeLifecycle({
      clock,
      specs: [llama, sdxl],
      stopMs: 1000,
      wakeMs: 2000,
      releaseLagMs: 0,
    });
    let sampled = lifecycle.freeVramBytes(0);
    const tick = (): void => {
      sampled = lifecycle.freeVramBytes(0);
      clock.setTimeout(tick, 1000);
    };
    const scheduler = new VramScheduler({
      clock,
      lifecycle,
      freeVramBytes: () => sampled,
      totalVramBytes: (g) => lifecycle.totalVramBytes(g),
      learnedVramBytes: () => null,
      settings: () => DEFAULTS,
      readNow: withReadNow
        ? () => {
            sampled = lifecycle.freeVramBytes(0);
            return Promise.resolve();
          }
        : undefined,
    });
    lifecycle.admission = scheduler;
    lifecycle.setReady('llama', clock.now() - MINUTE, clock.now() - 100);
    sampled = lifecycle.freeVramBytes(0);
    // The probe's ticks fall 400 ms after each whole second from here.
    clock.setTimeout(tick, 400);
    return { clock, lifecycle };
  }

  it('starts the new model as soon as the old one has stopped, not at the next tick of the GPU probe', async () => {
    const withRead = sampledRig(true);
    const t0 = withRead.clock.now();
    void withRead.lifecycle.use('sdxl', 100);
    await withRead.clock.advance(5 * SECOND);
    // llama's stop takes 1 s; the reading taken then shows its memory back.
    expect(withRead.lifecycle.starts).toEqual([{ model: 'sdxl', at: t0 + 1000 }]);

    // Without it, the wake waits for the probe's next tick (1.4 s).
    const withoutRead = sampledRig(false);
    const t1 = withoutRead.clock.now();
    void withoutRead.lifecycle.use('sdxl', 100);
    await withoutRead.clock.advance(5 * SECOND);
    expect(withoutRead.lifecycle.starts).toEqual([{ model: 'sdxl', at: t1 + 1400 }]);
  });
});

describe('batches instead of a hold', () => {
  it('serves every request queued for the woken model before it gives the card back', async () => {
    const { clock, lifecycle } = schedulerRig([llama, sdxl], DEFAULTS);
    lifecycle.setReady('llama', clock.now() - MINUTE, clock.now() - 100);
    const done: string[] = [];
    const request = async (model: string, tag: string, durationMs: number): Promise<void> => {
      await lifecycle.use(model, durationMs);
      done.push(tag);
    };
    // Three requests for sdxl queue up while it wakes; a request for llama queues behind them.
    const all = [
      request('sdxl', 'sdxl-1', 300),
      request('sdxl', 'sdxl-2', 600),
      request('sdxl', 'sdxl-3', 900),
    ];
    await clock.advance(100);
    all.push(request('llama', 'llama-1', 100));
    await clock.advance(30 * SECOND);
    await Promise.all(all);
    expect(done).toEqual(['sdxl-1', 'sdxl-2', 'sdxl-3', 'llama-1']);
    // One swap there, one back: sdxl was not evicted while a queued request of its batch was open.
    expect(lifecycle.starts.map((s) => s.model)).toEqual(['sdxl', 'llama']);
    expect(lifecycle.violations).toEqual([]);
  });

  it('two clients alternating between the two models wait far less than under a 30 s hold, one swap per round', async () => {
    const scenario = {
      clients: [
        ['llama', 'sdxl'],
        ['llama', 'sdxl'],
      ],
      serviceMs: 1 * SECOND,
      thinkMs: 500,
      durationMs: 5 * MINUTE,
    };
    const before = await runSwapScenario({
      ...scenario,
      settings: { ...DEFAULTS, minResidencyMs: 30 * SECOND },
    });
    const after = await runSwapScenario({ ...scenario, settings: DEFAULTS });
    expect(before.violations).toEqual([]);
    expect(after.violations).toEqual([]);
    // Each swap serves both clients' requests: the batch, not one swap per request.
    expect(after.swaps * 2).toBeLessThanOrEqual(after.served + 2);
    // A wait is at most: the other's request (1 s), a stop (1 s), the memory showing free (1.5 s), a start (2 s).
    expect(after.maxWaitMs).toBeLessThanOrEqual(5500);
    expect(before.maxWaitMs).toBeGreaterThan(25 * SECOND);
    expect(after.meanWaitMs * 3).toBeLessThan(before.meanWaitMs);
    expect(after.served).toBeGreaterThan(2 * before.served);
  });
});
