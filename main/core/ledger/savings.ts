// What sleeping saved: the watts credited to each sleep, the joules charged to each wake, and money and CO2.
import type { Estimate } from './power-fit';
import type { UncertaintyParts } from './uncertainty';
import { uncertaintyOf } from './uncertainty';
import { joulesToKwh } from './power-math';

/** Where a credited figure came from. Only `spec` and `none` are estimates (no GPU reading behind them). */
export type CreditSource =
  /** This sleep's (or wake's) own reading, taken while the GPU was otherwise idle. */
  | 'measured'
  /** The model's average over its clean readings (this one was disturbed or missing). */
  | 'learned'
  /** Learned on the same GPU from other models' sleeps that left a model resident. */
  | 'gpu-learned'
  /** From the GPU's power fit over every sample (docs/energy.md): what the model's residency adds beside the others'. */
  | 'fitted'
  /**
   * Not yet identifiable: the fit cannot yet tell the model's cost beside the models now resident, so it is credited
   * its cost alone (an upper bound: the context step is paid once) with the whole figure as its uncertainty.
   */
  | 'unidentified'
  /**
   * A doze (issue 15) the fit cannot tell yet, read by the doze meter: the probe's fresh readings just before the doze
   * call and once dozed, around this doze alone.
   */
  | 'doze-meter'
  /** This reading, disturbed by other activity, with nothing learned to replace it. */
  | 'unclean'
  /** The model's declared `idleWatts` (no GPU reading). */
  | 'spec'
  /** Nothing known: counted as zero. */
  | 'none';

/** Whether a figure from this source is an estimate rather than a measurement. */
export function isEstimate(source: CreditSource): boolean {
  return source === 'spec' || source === 'none';
}

/** Where a measurement stands: waiting for readings, taken, or impossible (no readings). */
export type MeasureStatus = 'pending' | 'measured' | 'unmeasured';

/** A running average. */
export interface Average {
  readonly sum: number;
  readonly count: number;
}

/** The empty average. */
export const NO_AVERAGE: Average = { sum: 0, count: 0 };

/** Adds one value to an average. */
export function addToAverage(average: Average, value: number): Average {
  return { sum: average.sum + value, count: average.count + 1 };
}

/** The mean of an average, or null when empty. */
export function averageOf(average: Average): number | null {
  return average.count > 0 ? average.sum / average.count : null;
}

/** What the ledger has learned of one model from clean readings (GPU otherwise idle). */
export interface LearnedCosts {
  /** Drops when the model was the last one resident on its GPU (the full context step). */
  readonly lastResidentWatts: Average;
  /** Drops when another model stayed resident (small: the step stays paid). */
  readonly sharedWatts: Average;
  /** Wake energies above the asleep baseline. */
  readonly wakeJoules: Average;
}

/** Nothing learned yet. */
export const NOTHING_LEARNED: LearnedCosts = {
  lastResidentWatts: NO_AVERAGE,
  sharedWatts: NO_AVERAGE,
  wakeJoules: NO_AVERAGE,
};

/** The measured facts of one sleep. */
export interface SleepFacts {
  readonly status: MeasureStatus;
  readonly lastResident: boolean;
  /** Watts before minus watts after, or null when not measured. */
  readonly droppedWatts: number | null;
  /** No other model waking or busy, no other transition on the GPU, utilisation low. */
  readonly otherwiseIdle: boolean | null;
  /** What the GPU's power fit says the model's residency added beside the others resident, or null (no fit yet). */
  readonly fittedWatts?: number | null;
  /** The fit's standard error of `fittedWatts`. */
  readonly fittedErrorWatts?: number | null;
  /** The noise of the drop as read from the windows' medians. */
  readonly samplingWatts?: number;
}

/** A credited figure, where it came from and how sure it is. */
export interface Credit {
  readonly value: number;
  readonly source: CreditSource;
  /** One standard uncertainty in the figure's unit (uncertainty.ts); null for an estimate; absent: not worked out. */
  readonly uncertainty?: number | null;
}

/** A credit from the GPU's power fit (never below zero), its standard error as the attribution's uncertainty. */
export function fittedCredit(estimate: Estimate): Credit {
  return withUncertainty(
    { value: Math.max(0, estimate.watts), source: 'fitted' },
    { sampling: 0, attribution: estimate.standardErrorWatts ?? 0 },
  );
}

/** The credit with its uncertainty from its source and `parts` (uncertainty.ts). */
export function withUncertainty(credit: Credit, parts?: UncertaintyParts): Credit {
  return { ...credit, uncertainty: uncertaintyOf(credit.value, credit.source, parts) };
}

/**
 * The watts credited to a sleep: what the GPU really dropped when the reading was clean; else what
 * the GPU's power fit says the model added beside the others resident (so the sleeping models of a
 * GPU add up to what it saved, docs/energy.md); else
 * what the model has learned for the same case (last resident or not); else the disturbed
 * reading (never below zero); with no reading at all, the spec's `idleWatts` as an estimate.
 */
export function creditSleep(
  facts: SleepFacts,
  learned: LearnedCosts,
  idleWatts: number | null,
): Credit {
  const sampling = facts.samplingWatts ?? 0;
  const credit = creditSleepValue(facts, learned, idleWatts);
  // A fitted figure's error holds its sampling and attribution; a clean reading has no split to get wrong.
  if (credit.source === 'fitted')
    return withUncertainty(credit, { sampling: 0, attribution: facts.fittedErrorWatts ?? 0 });
  return withUncertainty(credit, {
    sampling,
    attribution: credit.source === 'measured' ? 0 : null,
  });
}

function creditSleepValue(
  facts: SleepFacts,
  learned: LearnedCosts,
  idleWatts: number | null,
): Credit {
  if (facts.status === 'measured' && facts.droppedWatts !== null && facts.otherwiseIdle === true) {
    return { value: facts.droppedWatts, source: 'measured' };
  }
  if (facts.fittedWatts !== undefined && facts.fittedWatts !== null)
    return { value: Math.max(0, facts.fittedWatts), source: 'fitted' };
  const sameCase = averageOf(facts.lastResident ? learned.lastResidentWatts : learned.sharedWatts);
  if (sameCase !== null) return { value: sameCase, source: 'learned' };
  if (facts.status === 'measured' && facts.droppedWatts !== null)
    return { value: Math.max(0, facts.droppedWatts), source: 'unclean' };
  if (idleWatts !== null) return { value: idleWatts, source: 'spec' };
  return { value: 0, source: 'none' };
}

/**
 * The watts credited to a last-resident sleep once another model is resident on its GPU again:
 * the context step is paid again, so only the model's own shared cost is still saved. Zero (an
 * estimate) when neither the model nor its GPU has a clean shared reading yet.
 */
export function creditAfterTakeover(learned: LearnedCosts, gpuShared: Average): Credit {
  const own = averageOf(learned.sharedWatts);
  if (own !== null) return withUncertainty({ value: own, source: 'learned' });
  const gpu = averageOf(gpuShared);
  if (gpu !== null) return withUncertainty({ value: gpu, source: 'gpu-learned' });
  return withUncertainty({ value: 0, source: 'none' });
}

/** The measured facts of one wake. */
export interface WakeFacts {
  readonly status: MeasureStatus;
  /** Energy above the asleep baseline from wake-requested to ready (or failed), or null. */
  readonly energyJoules: number | null;
  readonly otherwiseIdle: boolean | null;
  /** The model's fitted loading watts times the wake's length, or null (the fit has not seen it load). */
  readonly fittedJoules?: number | null;
  /** The fit's standard error of `fittedJoules`. */
  readonly fittedErrorJoules?: number | null;
  /**
   * Whether `energyJoules` is what this wake drew: the GPU's energy counter with a reading at each end, the rise split
   * by what the fit knows (no even split). It then comes before the fit's average.
   */
  readonly exact?: boolean;
  /** The noise of `energyJoules` (where a reading interval cuts each end of the integral). */
  readonly samplingJoules?: number;
  /**
   * How far its share of a rise it shared may be off, where the fit split it (docs/energy.md); absent where nothing
   * split it, so a disturbed reading counts wholly uncertain.
   */
  readonly attributionJoules?: number;
}

/**
 * The joules charged to a wake: what it drew by the GPU's energy counter where that is exact, else the GPU's power
 * fit (loading watts times the wake's length, shared fairly with wakes beside it), else its own clean reading, else
 * the model's learned average, else the disturbed reading; zero (estimate) without any.
 */
export function creditWake(facts: WakeFacts, learned: LearnedCosts): Credit {
  const credit = creditWakeValue(facts, learned);
  return withUncertainty(
    credit,
    credit.source === 'fitted'
      ? { sampling: 0, attribution: facts.fittedErrorJoules ?? 0 }
      : { sampling: facts.samplingJoules ?? 0, attribution: facts.attributionJoules ?? null },
  );
}

function creditWakeValue(facts: WakeFacts, learned: LearnedCosts): Credit {
  if (facts.exact === true && facts.status === 'measured' && facts.energyJoules !== null)
    return { value: facts.energyJoules, source: 'measured' };
  if (facts.fittedJoules !== undefined && facts.fittedJoules !== null)
    return { value: facts.fittedJoules, source: 'fitted' };
  if (facts.status === 'measured' && facts.energyJoules !== null && facts.otherwiseIdle === true) {
    return { value: facts.energyJoules, source: 'measured' };
  }
  const avg = averageOf(learned.wakeJoules);
  if (avg !== null) return { value: avg, source: 'learned' };
  if (facts.status === 'measured' && facts.energyJoules !== null)
    return { value: facts.energyJoules, source: 'unclean' };
  return { value: 0, source: 'none' };
}

/** Price and grid intensity from the settings; a null part gives null money or CO2 (not configured, never a made-up zero). */
export interface Pricing {
  readonly pricePerKwh: number | null;
  /** ISO 4217 code or symbol shown beside money, e.g. `EUR`. */
  readonly currency: string | null;
  readonly gridCo2GramsPerKwh: number | null;
}

/** No price and no grid intensity configured. */
export const NO_PRICING: Pricing = { pricePerKwh: null, currency: null, gridCo2GramsPerKwh: null };

/** Money for an energy figure, or null without a price. */
export function moneyOf(energyJoules: number, pricing: Pricing): number | null {
  return pricing.pricePerKwh === null ? null : joulesToKwh(energyJoules) * pricing.pricePerKwh;
}

/** Grams of CO2 for an energy figure, or null without a grid intensity. */
export function co2GramsOf(energyJoules: number, pricing: Pricing): number | null {
  return pricing.gridCo2GramsPerKwh === null
    ? null
    : joulesToKwh(energyJoules) * pricing.gridCo2GramsPerKwh;
}
