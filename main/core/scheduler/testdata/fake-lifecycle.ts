// A lifecycle stand-in for the scheduler's unit tests: models wake, serve and sleep on a clock, on a simulated GPU.
import type { Clock } from '../../clock/clock';
import type { ModelSpec } from '../../config/model-spec';
import type { WakeAdmission } from '../../lifecycle/lifecycle-api';
import type { ModelStatus, SleepCause } from '../../lifecycle/model-state';
import type { SchedulerLifecycle } from '../vram-scheduler';
import { GIB, modelStatus } from './scheduler-fixtures';

/** How the fake behaves. */
export interface FakeLifecycleOptions {
  readonly clock: Clock;
  readonly specs: readonly ModelSpec[];
  /** GPU indexes per model (default: none, read as GPU 0). */
  readonly gpuIndexes?: Readonly<Record<string, readonly number[]>>;
  /** Total VRAM per GPU, GiB (default one 24 GiB card). */
  readonly totalGib?: readonly number[];
  readonly wakeMs?: number;
  readonly stopMs?: number;
  /** How long a stopped container's memory still shows as used. */
  readonly releaseLagMs?: number;
}

/**
 * Wakes go through the admission hook (state `waking` first, as the real lifecycle does), then the
 * container "starts" and holds its declared VRAM until `releaseLagMs` after it stops. Records every
 * start and sleep, and any sleep of a busy or pinned model as a violation.
 */
export class FakeLifecycle implements SchedulerLifecycle {
  admission: WakeAdmission | null = null;
  readonly starts: { readonly model: string; readonly at: number }[] = [];
  readonly sleeps: { readonly model: string; readonly cause: SleepCause; readonly at: number }[] =
    [];
  readonly violations: string[] = [];
  private readonly statuses = new Map<string, ModelStatus>();
  private readonly wakes = new Map<string, Promise<void>>();
  private readonly stops = new Map<string, Promise<void>>();
  /** Uses waiting for a model's wake: each is granted when the model is ready. */
  private readonly waitingUses = new Map<string, ((granted: boolean) => void)[]>();
  /** Containers holding memory: name -> until when (Infinity while running). */
  private readonly holding = new Map<string, number>();

  constructor(private readonly options: FakeLifecycleOptions) {
    for (const spec of options.specs) {
      this.statuses.set(
        spec.name,
        modelStatus(spec, { gpuIndexes: options.gpuIndexes?.[spec.name] ?? [] }),
      );
    }
  }

  list(): readonly ModelStatus[] {
    return [...this.statuses.values()].sort((a, b) => a.spec.name.localeCompare(b.spec.name));
  }

  get(name: string): ModelStatus | undefined {
    return this.statuses.get(name);
  }

  /** Free VRAM of a GPU as its sampler would read it. */
  freeVramBytes(gpuIndex: number): number | null {
    const total = this.totalVramBytes(gpuIndex);
    if (total === null) return null;
    const now = this.options.clock.now();
    let used = 0;
    for (const [name, until] of this.holding) {
      const status = this.statuses.get(name);
      if (!status || until <= now) continue;
      const gpus = status.gpuIndexes.length === 0 ? [0] : status.gpuIndexes;
      if (gpus.includes(gpuIndex)) used += (status.spec.vramBytes ?? 0) / gpus.length;
    }
    return total - used;
  }

  totalVramBytes(gpuIndex: number): number | null {
    const gib = (this.options.totalGib ?? [24])[gpuIndex];
    return gib === undefined ? null : gib * GIB;
  }

  /** Makes a model ready now (as if woken earlier), holding its memory. */
  setReady(name: string, at = this.options.clock.now(), lastUsedAt: number | null = null): void {
    this.holding.set(name, Number.POSITIVE_INFINITY);
    this.update(name, { state: 'ready', readyAt: at, wakeStartedAt: at, lastUsedAt });
  }

  setPinned(name: string, pinned: boolean): void {
    this.update(name, { pinned });
  }

  async sleep(name: string, cause: SleepCause): Promise<void> {
    const status = this.must(name);
    if (status.inFlight > 0)
      this.violations.push(`${name} put to sleep with ${status.inFlight} requests open`);
    if (status.pinned) this.violations.push(`${name} put to sleep while pinned`);
    if (status.state !== 'ready') throw new Error(`${name} is ${status.state}`);
    const { clock } = this.options;
    this.sleeps.push({ model: name, cause, at: clock.now() });
    this.update(name, { state: 'stopping' });
    const stop = clock.sleep(this.options.stopMs ?? 1000).then(() => {
      this.holding.set(name, clock.now() + (this.options.releaseLagMs ?? 0));
      this.stops.delete(name);
      this.update(name, { state: 'asleep', readyAt: null });
    });
    this.stops.set(name, stop);
    await stop;
  }

  /** Wakes a model (one wake at a time per model); rejects with the admission's error. */
  wake(name: string, signal: AbortSignal = new AbortController().signal): Promise<void> {
    const running = this.wakes.get(name);
    if (running) return running;
    const wake = this.runWake(name, signal).finally(() => this.wakes.delete(name));
    this.wakes.set(name, wake);
    return wake;
  }

  /**
   * One request: wakes the model if needed, holds a use for `durationMs`. Like the real lifecycle, the uses that
   * waited for a wake are opened in the same step that makes the model ready, before anyone sees it idle.
   */
  async use(name: string, durationMs: number): Promise<void> {
    const { clock } = this.options;
    for (;;) {
      const status = this.must(name);
      if (status.state === 'ready') {
        this.update(name, { inFlight: status.inFlight + 1 });
        break;
      }
      if (status.state === 'stopping') {
        await this.stops.get(name);
        continue;
      }
      const granted = new Promise<boolean>((resolve) => this.queuedUses(name).push(resolve));
      await this.wake(name).catch((error: unknown) => {
        this.queuedUses(name)
          .splice(0)
          .forEach((resolve) => resolve(false));
        throw error;
      });
      if (await granted) break;
    }
    await clock.sleep(durationMs);
    this.update(name, { inFlight: this.must(name).inFlight - 1, lastUsedAt: clock.now() });
  }

  private queuedUses(name: string): ((granted: boolean) => void)[] {
    let queued = this.waitingUses.get(name);
    if (!queued) this.waitingUses.set(name, (queued = []));
    return queued;
  }

  private async runWake(name: string, signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    const spec = this.must(name).spec;
    this.update(name, { state: 'waking', wakeStartedAt: clock.now(), readyAt: null });
    try {
      if (!this.admission) throw new Error('no admission hook');
      await this.admission.admit(spec, { signal, deadlineAt: clock.now() + spec.wakeTimeoutMs });
    } catch (error) {
      this.update(name, { state: 'asleep' });
      throw error;
    }
    this.starts.push({ model: name, at: clock.now() });
    this.holding.set(name, Number.POSITIVE_INFINITY);
    await clock.sleep(this.options.wakeMs ?? 2000);
    const granted = this.queuedUses(name).splice(0);
    this.update(name, {
      state: 'ready',
      readyAt: clock.now(),
      inFlight: this.must(name).inFlight + granted.length,
    });
    for (const grant of granted) grant(true);
  }

  private must(name: string): ModelStatus {
    const status = this.statuses.get(name);
    if (!status) throw new Error(`no model ${name}`);
    return status;
  }

  private update(name: string, patch: Partial<ModelStatus>): void {
    const next = { ...this.must(name), ...patch };
    this.statuses.set(name, next);
    this.admission?.notify?.(next);
  }
}
