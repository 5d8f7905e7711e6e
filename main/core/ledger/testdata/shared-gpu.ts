// A GPU stand-in shared by several models, each with its own resident and loading watts: its power follows the
// containers the engine runs, it logs every true watt it reported, and it keeps each model's true saving.
import type { Clock } from '../../clock/clock';
import type { RuntimeEvent } from '../../docker/container-runtime';
import type { GpuReading } from '../../gpu/replay-probe';

/** One model's cost on this GPU. */
export interface SharedGpuModel {
  readonly name: string;
  /** What its resident context adds on top of the context step. */
  readonly residentWatts: number;
  /** What the GPU draws on top while its container loads. */
  readonly loadingWatts: number;
  /** Whether its residency takes a CUDA context (pays the context step); false for a model that costs the GPU nothing. */
  readonly takesContext: boolean;
}

/** The card itself. */
export interface SharedGpuSpec {
  readonly baselineWatts: number;
  /** The step the first resident context costs (a P-state change), paid once whatever the number of contexts. */
  readonly contextStepWatts: number;
  /** Peak of the deterministic noise added to each reading. */
  readonly noiseWatts: number;
  /** Whether its readings carry the energy counter (NVML's total energy), exact as a GPU's; default false. */
  readonly energyCounter?: boolean;
}

type Phase = 'down' | 'loading' | 'ready';

/** What really happened since `startAccounting`, integrated exactly between state changes. */
export interface SharedGpuTruth {
  /** Energy the GPU would have drawn with every model resident all along minus what it drew. */
  readonly savedJoules: number;
  /**
   * Each model's share of that saving: at every moment, the down models' marginal watts taken in the order they
   * went down (the last one down carries the context step while nothing is resident), minus its loading energy.
   */
  readonly savedJoulesByModel: ReadonlyMap<string, number>;
  /** Each model's loading energy (the watts above what its residency will cost). */
  readonly loadingJoulesByModel: ReadonlyMap<string, number>;
}

/**
 * What each model really used since `startAccounting` (docs/energy.md, "Energy used"): awake, its ready time at its
 * marginal beside the models still ready when it went down (the last one down carries the context step); waking, its
 * loading energy; asleep, nothing. The GPU's own baseline is its idle watts the whole time.
 */
export interface SharedGpuUsedTruth {
  readonly awakeJoulesByModel: ReadonlyMap<string, number>;
  readonly wakingJoulesByModel: ReadonlyMap<string, number>;
  /** What the GPU drew (the true watts integrated exactly). */
  readonly gpuJoules: number;
  readonly baselineJoules: number;
}

/** One logged reading: the true watts behind the noisy one reported. */
export interface LoggedReading {
  readonly at: number;
  readonly trueWatts: number;
  readonly reportedWatts: number;
}

/** A GPU whose power is a pure function of which model containers are loading and ready. */
export class SharedGpu {
  private readonly phase = new Map<string, Phase>();
  /** Models down, oldest first. */
  private downOrder: string[] = [];
  private lastAt: number;
  private accounting = false;
  private savedJoules = 0;
  private readonly savedByModel = new Map<string, number>();
  private readonly loadingByModel = new Map<string, number>();
  private tick = 0;
  /** Accounted ready seconds of each ready model, priced when it goes down (its marginal then). */
  private readonly readySeconds = new Map<string, number>();
  private readonly awakeUsedByModel = new Map<string, number>();
  private gpuJoules = 0;
  private accountedSeconds = 0;
  /** The true energy drawn since the stand-in was made (a GPU's energy counter). */
  private drawnJoules = 0;
  readonly log: LoggedReading[] = [];

  constructor(
    private readonly spec: SharedGpuSpec,
    private readonly models: readonly SharedGpuModel[],
    private readonly clock: Clock,
  ) {
    for (const m of models) {
      this.phase.set(m.name, 'down');
      this.downOrder.push(m.name);
    }
    this.lastAt = clock.now();
  }

  /** Follows the engine (containers named as the models, with a healthcheck). */
  readonly onRuntimeEvent = (event: RuntimeEvent): void => {
    if (event.kind !== 'container') return;
    const model = this.models.find((m) => m.name === event.name);
    if (!model) return;
    this.settle();
    if (event.action === 'start') this.phase.set(model.name, 'loading');
    else if (
      event.action === 'health' &&
      event.health === 'healthy' &&
      this.phase.get(model.name) === 'loading'
    ) {
      this.phase.set(model.name, 'ready');
      this.downOrder = this.downOrder.filter((n) => n !== model.name);
    } else if (event.action === 'die') {
      if (this.phase.get(model.name) === 'ready') {
        this.chargeAwake(model);
        this.downOrder.push(model.name);
      }
      this.phase.set(model.name, 'down');
    }
  };

  /** Starts integrating the truth from now (after the warm-up wakes). */
  startAccounting(): void {
    this.settle();
    this.accounting = true;
  }

  /** The true power now. */
  powerWatts(): number {
    const ready = this.models.filter((m) => this.phase.get(m.name) === 'ready');
    let watts = this.residentWatts(ready);
    for (const m of this.models) if (this.phase.get(m.name) === 'loading') watts += m.loadingWatts;
    return watts;
  }

  /** One noisy reading now, for `ReplayProbe`'s script; logged with its truth. */
  reading(): GpuReading {
    this.settle();
    this.tick += 1;
    const noise =
      this.spec.noiseWatts * Math.sin(this.tick * 12.9898) * Math.cos(this.tick * 4.1414);
    const trueWatts = this.powerWatts();
    const reportedWatts = Math.round((trueWatts + noise) * 100) / 100;
    this.log.push({ at: this.clock.now(), trueWatts, reportedWatts });
    const anyUp = [...this.phase.values()].some((p) => p !== 'down');
    return {
      index: 0,
      uuid: 'GPU-shared-0',
      name: 'Simulated shared GPU',
      vendor: 'nvidia',
      vramTotalBytes: 24 * 2 ** 30,
      powerWatts: reportedWatts,
      powerKind: 'instant',
      energyJoules: this.spec.energyCounter === true ? this.drawnJoules : null,
      powerLimitWatts: 450,
      pstate: anyUp ? 'P0' : 'P8',
      utilizationPercent: 0,
      temperatureC: 40,
    };
  }

  /** The truth so far. */
  truth(): SharedGpuTruth {
    this.settle();
    return {
      savedJoules: this.savedJoules,
      savedJoulesByModel: new Map(this.savedByModel),
      loadingJoulesByModel: new Map(this.loadingByModel),
    };
  }

  /** The GPU's energy counter: the true joules drawn since it was made, integrated exactly between state changes. */
  energyJoules(): number {
    this.settle();
    return this.drawnJoules;
  }

  /** Power with exactly these models resident (no loading). */
  private residentWatts(ready: readonly SharedGpuModel[]): number {
    const step = ready.some((m) => m.takesContext) ? this.spec.contextStepWatts : 0;
    return this.spec.baselineWatts + step + ready.reduce((sum, m) => sum + m.residentWatts, 0);
  }

  private settle(): void {
    const now = this.clock.now();
    const seconds = (now - this.lastAt) / 1000;
    this.lastAt = now;
    if (seconds > 0) this.drawnJoules += this.powerWatts() * seconds;
    if (!this.accounting || seconds <= 0) return;
    const ready = this.models.filter((m) => this.phase.get(m.name) === 'ready');
    this.settleUsed(seconds, ready);
    const all = this.residentWatts(this.models);
    this.savedJoules += (all - this.powerWatts()) * seconds;
    // Marginals in down order, newest first: each down model adds itself to what is resident.
    let resident = [...ready];
    for (const name of [...this.downOrder].reverse()) {
      const model = this.models.find((m) => m.name === name);
      if (!model) continue;
      const marginal = this.residentWatts([...resident, model]) - this.residentWatts(resident);
      this.savedByModel.set(name, (this.savedByModel.get(name) ?? 0) + marginal * seconds);
      resident = [...resident, model];
    }
    for (const m of this.models) {
      if (this.phase.get(m.name) !== 'loading') continue;
      const joules = m.loadingWatts * seconds;
      this.loadingByModel.set(m.name, (this.loadingByModel.get(m.name) ?? 0) + joules);
      this.savedByModel.set(m.name, (this.savedByModel.get(m.name) ?? 0) - joules);
    }
  }
  /** Energy used so far; a model still ready is priced at its marginal now. */
  usedTruth(): SharedGpuUsedTruth {
    this.settle();
    const awake = new Map(this.awakeUsedByModel);
    const ready = this.models.filter((m) => this.phase.get(m.name) === 'ready');
    for (const m of ready)
      awake.set(
        m.name,
        (awake.get(m.name) ?? 0) +
          this.marginalBeside(m, ready) * (this.readySeconds.get(m.name) ?? 0),
      );
    return {
      awakeJoulesByModel: awake,
      wakingJoulesByModel: new Map(this.loadingByModel),
      gpuJoules: this.gpuJoules,
      baselineJoules: this.spec.baselineWatts * this.accountedSeconds,
    };
  }

  private settleUsed(seconds: number, ready: readonly SharedGpuModel[]): void {
    this.gpuJoules += this.powerWatts() * seconds;
    this.accountedSeconds += seconds;
    for (const m of ready)
      this.readySeconds.set(m.name, (this.readySeconds.get(m.name) ?? 0) + seconds);
  }

  /** A ready model goes down: its ready time so far is priced at its marginal beside the others still ready. */
  private chargeAwake(model: SharedGpuModel): void {
    const ready = this.models.filter((m) => this.phase.get(m.name) === 'ready');
    const joules = this.marginalBeside(model, ready) * (this.readySeconds.get(model.name) ?? 0);
    this.awakeUsedByModel.set(model.name, (this.awakeUsedByModel.get(model.name) ?? 0) + joules);
    this.readySeconds.set(model.name, 0);
  }

  /** What `model` adds to the power of the other models in `ready`. */
  private marginalBeside(model: SharedGpuModel, ready: readonly SharedGpuModel[]): number {
    const others = ready.filter((m) => m.name !== model.name);
    return this.residentWatts([...others, model]) - this.residentWatts(others);
  }
}
