// One power fit per GPU, fed every sample with the models resident and loading on it at that moment, and a short
// timeline of residency so a measurement can ask who held the GPU at any time in its window.
import { PowerFit, type Estimate, type GpuState, type TakesContext } from './power-fit';
import { dozedName, gpusOverlap, type ResidencySnapshot } from './residency';

/** How the fits are fed. */
export interface GpuPowerFitSettings {
  /** Samples this soon after a model left a GPU are not fitted: the GPU is still freeing memory and lowering its P-state. */
  readonly settleMs: number;
  /**
   * Samples this soon before a model left are taken back out of the fit when it leaves: its container stops (and
   * frees the GPU) before the stop returns and Siesta records the sleep.
   */
  readonly leadMs?: number;
  /** Residency older than this is forgotten (longer than any measurement window). */
  readonly keepTimelineMs: number;
  /** Samples with utilisation above this are not fitted: serving power is the requests', not residency's. */
  readonly idleUtilizationPercent: number;
}

/** Defaults for a 1 Hz probe. */
export const DEFAULT_FIT_SETTINGS: GpuPowerFitSettings = {
  settleMs: 2_000,
  leadMs: 1_000,
  keepTimelineMs: 15 * 60_000,
  idleUtilizationPercent: 10,
};

/** The fits of every GPU and the residency timeline they were fed from. */
export class GpuPowerFits {
  private readonly fits = new Map<number, PowerFit>();
  /** Residency snapshots, oldest first; the first one may predate every sample. */
  private timeline: { at: number; snapshot: ResidencySnapshot }[] = [];
  /** The samples fitted in the last `leadMs`, to take back if a model turns out to have left meanwhile. */
  private recent: { gpuIndex: number; at: number; state: GpuState; powerWatts: number }[] = [];

  constructor(
    private readonly takesContext: TakesContext = () => true,
    private readonly settings: GpuPowerFitSettings = DEFAULT_FIT_SETTINGS,
  ) {}

  /** How far back the residency timeline reaches. */
  get timelineMs(): number {
    return this.settings.keepTimelineMs;
  }

  /** Records who holds the GPUs from `at` on (call after every residency change). */
  noteResidency(at: number, snapshot: ResidencySnapshot): void {
    const leadMs = this.settings.leadMs ?? 0;
    const previous = this.timeline[this.timeline.length - 1];
    if (previous !== undefined && leadMs > 0)
      this.recent = this.recent.filter((r) => {
        const left = someoneLeft(
          stateOn(previous.snapshot, r.gpuIndex),
          stateOn(snapshot, r.gpuIndex),
        );
        if (!left || r.at <= at - leadMs) return true;
        this.fits.get(r.gpuIndex)?.remove(r.state, r.powerWatts);
        return false;
      });
    this.timeline.push({ at, snapshot });
    const keepFrom = at - this.settings.keepTimelineMs;
    let drop = 0;
    while (drop < this.timeline.length - 1 && this.entry(drop + 1).at <= keepFrom) drop += 1;
    if (drop > 0) this.timeline = this.timeline.slice(drop);
  }

  /**
   * Fits one sample, unless it falls within `settleMs` after a model left its GPU, within 250 ms after any change on
   * it, before any residency is known,
   * or (taken back later) within `leadMs` before one leaves,
   * or while the GPU serves (utilisation above `idleUtilizationPercent`).
   */
  addSample(
    gpuIndex: number,
    at: number,
    powerWatts: number | null,
    utilizationPercent: number | null,
  ): void {
    if (powerWatts === null) return;
    if (utilizationPercent !== null && utilizationPercent > this.settings.idleUtilizationPercent)
      return;
    const i = this.indexAt(at);
    if (i < 0) return;
    const state = stateOn(this.entry(i).snapshot, gpuIndex);
    // A reading at a change's very moment (the ledger reads the GPU at each wake's ends) belongs to neither state: a
    // server told to start has not loaded yet, one stopped may still hold its context.
    if (
      at - this.entry(i).at < EDGE_MS &&
      !sameState(stateOn(this.entry(i - 1).snapshot, gpuIndex), state)
    )
      return;
    for (let j = i; j > 0 && at - this.entry(j).at < this.settings.settleMs; j -= 1)
      if (
        someoneLeft(
          stateOn(this.entry(j - 1).snapshot, gpuIndex),
          stateOn(this.entry(j).snapshot, gpuIndex),
        )
      )
        return;
    let fit = this.fits.get(gpuIndex);
    if (!fit) {
      fit = new PowerFit(this.takesContext);
      this.fits.set(gpuIndex, fit);
    }
    fit.add(state, powerWatts);
    const leadMs = this.settings.leadMs ?? 0;
    if (leadMs > 0) {
      this.recent = this.recent.filter((r) => r.at > at - leadMs);
      this.recent.push({ gpuIndex, at, state, powerWatts });
    }
  }

  /** The GPU's fit, or null before its first fitted sample. */
  fitOf(gpuIndex: number): PowerFit | null {
    return this.fits.get(gpuIndex) ?? null;
  }

  /** Who held the GPU at `at`, or null when the timeline does not reach back that far. */
  stateAt(gpuIndex: number, at: number): GpuState | null {
    const i = this.indexAt(at);
    return i < 0 ? null : stateOn(this.entry(i).snapshot, gpuIndex);
  }

  /**
   * What the GPUs would draw more with `model` resident than without, the other models resident at `at` as they
   * were, summed over `gpus` from each GPU's fit, with its standard error (the GPUs' errors added: one model, one
   * error); null where a fit cannot tell.
   */
  marginalEstimateAt(model: string, gpus: readonly number[], at: number): Estimate | null {
    if (gpus.length === 0) return null;
    let watts = 0;
    let errorWatts = 0;
    for (const g of gpus) {
      const state = this.stateAt(g, at);
      const marginal = state && this.fitOf(g)?.marginal(model, state.resident);
      if (marginal === null || marginal === undefined) return null;
      watts += marginal.watts;
      errorWatts += marginal.standardErrorWatts ?? 0;
    }
    return { watts, standardErrorWatts: errorWatts };
  }

  /**
   * What the GPUs drop when `model`, resident at `at`, dozes: its watts awake less its watts dozed beside the other
   * models resident then, summed over `gpus`, with its standard error; null where a fit cannot tell.
   */
  dozeDropEstimateAt(model: string, gpus: readonly number[], at: number): Estimate | null {
    if (gpus.length === 0) return null;
    let watts = 0;
    let errorWatts = 0;
    for (const g of gpus) {
      const state = this.stateAt(g, at);
      if (!state) return null;
      const rest = state.resident.filter((m) => m !== model && m !== dozedName(model));
      const drop = this.fitOf(g)?.difference(
        { resident: [...rest, model], loading: [] },
        { resident: [...rest, dozedName(model)], loading: [] },
      );
      if (drop === null || drop === undefined) return null;
      watts += drop.watts;
      errorWatts += drop.standardErrorWatts ?? 0;
    }
    return { watts, standardErrorWatts: errorWatts };
  }

  /** The watts only, see `marginalEstimateAt`. */
  marginalAt(model: string, gpus: readonly number[], at: number): number | null {
    return this.marginalEstimateAt(model, gpus, at)?.watts ?? null;
  }

  /** The fits' residual noise summed over `gpus` (watts), 0 where a fit cannot say yet. */
  noiseWatts(gpus: readonly number[]): number {
    return gpus.reduce((sum, g) => sum + (this.fitOf(g)?.residualWatts() ?? 0), 0);
  }

  /**
   * What the GPUs would draw more with `model` resident alone than with nothing resident: an upper bound of its cost
   * beside others (the context step is paid once), for when the fit cannot tell that cost yet. Null where it cannot.
   */
  aloneWatts(model: string, gpus: readonly number[]): number | null {
    if (gpus.length === 0) return null;
    let watts = 0;
    for (const g of gpus) {
      const alone = this.fitOf(g)?.marginalWatts(model, []);
      if (alone === null || alone === undefined) return null;
      watts += alone;
    }
    return watts;
  }

  /**
   * Whether the GPU's fit tells its power with the models resident at `at` (loading aside); null without a fit or a
   * residency timeline reaching back to `at`.
   */
  predictsAt(gpuIndex: number, at: number): boolean | null {
    const fit = this.fitOf(gpuIndex);
    const state = this.stateAt(gpuIndex, at);
    if (!fit || !state) return null;
    return fit.predict({ resident: state.resident, loading: [] }) !== null;
  }

  /** When the residency changed in (fromAt, toAt), in order. */
  changesBetween(fromAt: number, toAt: number): number[] {
    return this.timeline.filter((t) => t.at > fromAt && t.at < toAt).map((t) => t.at);
  }

  /** Index of the last snapshot at or before `at`, or -1. */
  private indexAt(at: number): number {
    for (let i = this.timeline.length - 1; i >= 0; i -= 1) if (this.entry(i).at <= at) return i;
    return -1;
  }

  private entry(i: number): { at: number; snapshot: ResidencySnapshot } {
    return this.timeline[i] ?? { at: -Infinity, snapshot: [] };
  }
}

/**
 * The models resident and loading on one GPU in a snapshot (a model on unknown GPUs counts on every GPU); a dozed model
 * is resident under its dozed name, a state of its own in the fit.
 */
export function stateOn(snapshot: ResidencySnapshot, gpuIndex: number): GpuState {
  const resident: string[] = [];
  const loading: string[] = [];
  for (const entry of snapshot) {
    if (!gpusOverlap(entry.gpus, [gpuIndex])) continue;
    if (entry.residency === 'ready') resident.push(entry.name);
    else if (entry.residency === 'dozed') resident.push(dozedName(entry.name));
    else if (entry.residency === 'waking') loading.push(entry.name);
  }
  return { resident: resident.sort(), loading: loading.sort() };
}

/** How long after a change on a GPU its readings are not fitted: the moment of the change, not a state. */
const EDGE_MS = 250;

/** Whether two states hold the same models resident and loading. */
function sameState(a: GpuState, b: GpuState): boolean {
  return (
    a.resident.join('\n') === b.resident.join('\n') && a.loading.join('\n') === b.loading.join('\n')
  );
}

/** Whether a model resident or loading in `before` is neither in `after`. */
function someoneLeft(before: GpuState, after: GpuState): boolean {
  const up = new Set([...after.resident, ...after.loading]);
  return [...before.resident, ...before.loading].some((m) => !up.has(m));
}
