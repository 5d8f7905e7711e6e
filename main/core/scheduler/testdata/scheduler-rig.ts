// A VramScheduler over the FakeLifecycle on a virtual clock: the scheduler's unit tests and the swap bench build it here.
import { VirtualClock } from '../../clock/virtual-clock';
import type { ModelSpec } from '../../config/model-spec';
import type { SchedulerSettings } from '../admission-plan';
import { VramScheduler } from '../vram-scheduler';
import { FakeLifecycle, type FakeLifecycleOptions } from './fake-lifecycle';
import { GIB } from './scheduler-fixtures';

/** What a rig may change: the fake's timings and card, the scheduler's settings, poll and learned needs. */
export type SchedulerRigOptions = Partial<FakeLifecycleOptions> & {
  readonly settings?: SchedulerSettings;
  readonly pollMs?: number;
  readonly learnedGib?: Record<string, number>;
};

/** Stops take 1 s, starts 2 s, a stopped model's memory shows free 1.5 s later, unless told otherwise. */
export function schedulerRig(
  specs: readonly ModelSpec[],
  defaultSettings: SchedulerSettings,
  o: SchedulerRigOptions = {},
): { clock: VirtualClock; lifecycle: FakeLifecycle; scheduler: VramScheduler } {
  const clock = new VirtualClock();
  const lifecycle = new FakeLifecycle({
    clock,
    specs,
    stopMs: 1000,
    wakeMs: 2000,
    releaseLagMs: 1500,
    ...o,
  });
  const scheduler = new VramScheduler({
    clock,
    lifecycle,
    freeVramBytes: (g) => lifecycle.freeVramBytes(g),
    totalVramBytes: (g) => lifecycle.totalVramBytes(g),
    learnedVramBytes: (m) =>
      o.learnedGib?.[m] === undefined ? null : (o.learnedGib[m] ?? 0) * GIB,
    settings: () => o.settings ?? defaultSettings,
    pollMs: o.pollMs,
  });
  lifecycle.admission = scheduler;
  return { clock, lifecycle, scheduler };
}
