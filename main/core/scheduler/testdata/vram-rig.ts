// The real Lifecycle with the VramScheduler as its admission, over a SimulatedVram card: the scheduler's real-engine
// tests and the swap bench (bench/swap/real-switch.ts) build it here.
import type { Clock } from '../../clock/clock';
import type { ContainerRuntime } from '../../docker/container-runtime';
import { Lifecycle } from '../../lifecycle/lifecycle';
import type { SchedulerSettings } from '../admission-plan';
import { VramScheduler } from '../vram-scheduler';
import type { SimulatedVram } from './simulated-vram';

/** What the rig is built from. */
export interface VramRigOptions {
  readonly clock: Clock;
  readonly runtime: ContainerRuntime;
  readonly vram: SimulatedVram;
  readonly settings: SchedulerSettings;
  readonly stopGraceMs: number;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

/** A lifecycle (not started) and its scheduler; the scheduler reads free and total VRAM from the stand-in's samples. */
export function vramRig(options: VramRigOptions): {
  lifecycle: Lifecycle;
  scheduler: VramScheduler;
} {
  const { clock, runtime, vram, settings } = options;
  let lifecycle: Lifecycle | null = null;
  const scheduler = new VramScheduler({
    clock,
    lifecycle: () => {
      if (!lifecycle) throw new Error('the lifecycle is not built yet');
      return lifecycle;
    },
    freeVramBytes: (gpu) => vram.freeVramBytes(gpu),
    totalVramBytes: (gpu) => vram.totalVramBytes(gpu),
    learnedVramBytes: () => null,
    settings: () => settings,
    readNow: () => vram.readNow(),
    pollMs: options.pollMs,
  });
  const built = new Lifecycle({
    clock,
    runtime,
    admission: scheduler,
    stopGraceMs: options.stopGraceMs,
    log: options.log,
  });
  lifecycle = built;
  return { lifecycle: built, scheduler };
}
