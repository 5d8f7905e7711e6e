// A GPU with known ground truth for the ledger's accuracy test: its power follows the containers the engine runs
// (loading, serving, stopped), not what the lifecycle reports, so the ledger is checked against the hardware.
import type { Clock } from '../../clock/clock';
import type { RuntimeEvent } from '../../docker/container-runtime';
import type { GpuReading } from '../../gpu/replay-probe';

/** The GPU's power model. */
export interface SimulatedGpuSpec {
  /** Power with no CUDA context at all. */
  readonly baselineWatts: number;
  /** The step the first resident context costs (a P-state change), whatever its size. */
  readonly contextStepWatts: number;
  /** What each resident context adds on top of the step. */
  readonly perContextWatts: number;
  /** What a model serving a request adds. */
  readonly busyWatts: number;
  /** Peak of the deterministic noise added to each reading. */
  readonly noiseWatts: number;
}

/** A model's wake on this GPU: while its container loads (`wakeMs`), the GPU draws `wakeExtraWatts` more. */
export interface SimulatedModel {
  readonly name: string;
  readonly wakeMs: number;
  readonly wakeExtraWatts: number;
}

/** What really happened, integrated exactly between state changes. */
export interface GroundTruth {
  /** Energy the GPU drew. */
  readonly actualJoules: number;
  /** Energy it would have drawn with every model resident all the time (same requests). */
  readonly neverSleepingJoules: number;
  /** neverSleeping - actual. */
  readonly savedJoules: number;
  /** Energy above the asleep baseline per model, summed over its wakes. */
  readonly wakeJoulesByModel: ReadonlyMap<string, number>;
}

type Phase = 'down' | 'waking' | 'ready';

/** What the GPU really dropped when a model's container stopped. */
export interface TrueDrop {
  readonly model: string;
  readonly at: number;
  readonly droppedWatts: number;
}

/** A GPU whose power is a pure function of which containers are loading, serving and busy. */
export class SimulatedGpu {
  private readonly phase = new Map<string, Phase>();
  private readonly wakeExtra = new Map<string, number>();
  private readonly busy = new Map<string, number>();
  private readonly drops: TrueDrop[] = [];
  private lastAt: number;
  private accounting = false;
  private actualJoules = 0;
  private neverSleepingJoules = 0;
  private readonly wakeJoules = new Map<string, number>();
  private tick = 0;

  constructor(
    private readonly spec: SimulatedGpuSpec,
    private readonly models: readonly SimulatedModel[],
    private readonly clock: Clock,
  ) {
    for (const m of models) this.phase.set(m.name, 'down');
    this.lastAt = clock.now();
  }

  /**
   * Follows the engine: a started container loads (wake power), a healthy one holds its CUDA context,
   * a dead one nothing. Pass it to `MemoryRuntime.watch` (containers named as the models, with a healthcheck).
   */
  readonly onRuntimeEvent = (event: RuntimeEvent): void => {
    if (event.kind !== 'container') return;
    const model = this.models.find((m) => m.name === event.name);
    if (!model) return;
    this.settle();
    switch (event.action) {
      case 'start':
        this.phase.set(model.name, 'waking');
        this.wakeExtra.set(model.name, model.wakeExtraWatts);
        return;
      case 'health':
        if (event.health !== 'healthy' || this.phase.get(model.name) !== 'waking') return;
        this.phase.set(model.name, 'ready');
        this.wakeExtra.delete(model.name);
        return;
      case 'die': {
        if (this.phase.get(model.name) === 'ready') {
          const n = this.residentCount();
          this.drops.push({
            model: model.name,
            at: event.at,
            droppedWatts: this.powerOf(n) - this.powerOf(n - 1),
          });
        }
        this.phase.set(model.name, 'down');
        this.wakeExtra.delete(model.name);
        this.busy.delete(model.name);
        return;
      }
      default:
        return;
    }
  };

  /** A request starts or ends on a model. */
  setBusy(model: string, delta: 1 | -1): void {
    this.settle();
    this.busy.set(model, Math.max(0, (this.busy.get(model) ?? 0) + delta));
  }

  /** Requests in flight on a model. */
  inFlight(model: string): number {
    return this.busy.get(model) ?? 0;
  }

  /** Starts integrating the ground truth from now (after the warm-up wakes). */
  startAccounting(): void {
    this.settle();
    this.accounting = true;
  }

  /** The true power now, without noise. */
  powerWatts(): number {
    return this.powerOf(this.residentCount());
  }

  /** One noisy reading now, for `ReplayProbe`'s script. */
  reading(): GpuReading {
    this.tick += 1;
    // Deterministic noise in [-noise, +noise].
    const noise =
      this.spec.noiseWatts * Math.sin(this.tick * 12.9898) * Math.cos(this.tick * 4.1414);
    const anyBusy = [...this.busy.values()].some((n) => n > 0);
    const anyWaking = [...this.phase.values()].some((p) => p === 'waking');
    return {
      index: 0,
      uuid: 'GPU-sim-0',
      name: 'Simulated H100',
      vendor: 'nvidia',
      vramTotalBytes: 80 * 2 ** 30,
      powerWatts: Math.round((this.powerWatts() + noise) * 100) / 100,
      powerKind: 'average',
      powerLimitWatts: 700,
      pstate: this.residentCount() > 0 || anyWaking ? 'P0' : 'P8',
      utilizationPercent: anyBusy ? 90 : anyWaking ? 5 : 0,
      temperatureC: 40,
    };
  }

  /** The ground truth so far. */
  truth(): GroundTruth {
    this.settle();
    return {
      actualJoules: this.actualJoules,
      neverSleepingJoules: this.neverSleepingJoules,
      savedJoules: this.neverSleepingJoules - this.actualJoules,
      wakeJoulesByModel: new Map(this.wakeJoules),
    };
  }

  /** What the GPU really dropped at each stop of a serving container (noise-free). */
  trueDrops(): readonly TrueDrop[] {
    return this.drops;
  }

  private residentCount(): number {
    let n = 0;
    for (const p of this.phase.values()) if (p === 'ready') n += 1;
    return n;
  }

  private busyWatts(): number {
    let n = 0;
    for (const v of this.busy.values()) n += v > 0 ? 1 : 0;
    return n * this.spec.busyWatts;
  }

  private powerOf(resident: number): number {
    const step = resident > 0 ? this.spec.contextStepWatts : 0;
    let extra = 0;
    for (const w of this.wakeExtra.values()) extra += w;
    return (
      this.spec.baselineWatts +
      step +
      resident * this.spec.perContextWatts +
      this.busyWatts() +
      extra
    );
  }

  /** Integrates the piecewise-constant truth up to now. */
  private settle(): void {
    const now = this.clock.now();
    const seconds = (now - this.lastAt) / 1000;
    this.lastAt = now;
    if (!this.accounting || seconds <= 0) return;
    this.actualJoules += this.powerWatts() * seconds;
    const all = this.models.length;
    this.neverSleepingJoules +=
      (this.spec.baselineWatts +
        this.spec.contextStepWatts +
        all * this.spec.perContextWatts +
        this.busyWatts()) *
      seconds;
    for (const [model, watts] of this.wakeExtra)
      this.wakeJoules.set(model, (this.wakeJoules.get(model) ?? 0) + watts * seconds);
  }
}
