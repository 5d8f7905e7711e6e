// The history view's figures per bucket and per model: saved energy, money, CO2, wakes, wake times, hours awake and asleep.
import type { BucketRange } from './buckets';
import type { ModelSums, SpanSums } from './history-sums';
import { joulesToKwh, percentiles } from './power-math';
import type { Pricing } from './savings';
import { co2GramsOf, moneyOf } from './savings';

/** The figures of one bucket (for one model, or all of them). */
export interface HistoryFigures {
  /** Net: what sleeping saved minus what the wakes cost. May be negative. */
  readonly savedJoules: number;
  readonly savedKwh: number;
  /** Null when no price per kWh is configured. */
  readonly money: number | null;
  readonly currency: string | null;
  /** Null when no grid intensity is configured. */
  readonly co2Grams: number | null;
  /** Gross: credited watts times time asleep. */
  readonly asleepSavedJoules: number;
  /** The part of `asleepSavedJoules` dozes saved (issue 15): what each doze freed, until the next ready. */
  readonly dozeSavedJoules: number;
  /** Energy the wakes requested in the bucket cost. */
  readonly wakeJoules: number;
  /** Wakes requested in the bucket (failed ones included). */
  readonly wakes: number;
  readonly failedWakes: number;
  /** Wake time (request to ready) of the successful wakes requested in the bucket, nearest-rank. */
  readonly wakeP50Ms: number | null;
  readonly wakeP95Ms: number | null;
  /** From wake request to sleep (or failure). */
  readonly hoursAwake: number;
  /** From sleep (or doze) to the next wake request. */
  readonly hoursAsleep: number;
  /** True when any figure behind it is an estimate (no GPU reading). */
  readonly estimated: boolean;
  /** One standard uncertainty of `savedJoules`: the sensor's, the sampling's and the attribution's (uncertainty.ts). */
  readonly savedUncertaintyJoules: number;
  /** Energy used: awake (resident at the watts its sleeps are credited) plus waking (the wakes' energy); asleep, none. */
  readonly usedJoules: number;
  readonly usedKwh: number;
  /** What `usedJoules` cost at the configured price; null without one. */
  readonly usedMoney: number | null;
  /** The awake part of `usedJoules` (the waking part is `wakeJoules`). */
  readonly awakeUsedJoules: number;
  /** One standard uncertainty of `usedJoules`. */
  readonly usedUncertaintyJoules: number;
}

/** One model's figures in one bucket. */
export interface HistoryModelRow extends HistoryFigures {
  readonly model: string;
}

/** One bucket of the history: its bounds (clipped to the query), the total and each model with activity. */
export interface HistoryBucket {
  readonly startAt: number;
  readonly endAt: number;
  readonly total: HistoryFigures;
  readonly models: readonly HistoryModelRow[];
}

/** Adds spans' sums of one model (spans of one bucket, or all models for a total). */
export function addSums(model: string, list: readonly ModelSums[]): ModelSums {
  let asleepSavedJoules = 0;
  let dozeSavedJoules = 0;
  let asleepMs = 0;
  let wakeJoules = 0;
  let wakes = 0;
  let failedWakes = 0;
  let awakeMs = 0;
  let estimated = false;
  let savedUncertaintyJoules = 0;
  let awakeUsedJoules = 0;
  let usedUncertaintyJoules = 0;
  const wakeMs: number[] = [];
  for (const s of list) {
    asleepSavedJoules += s.asleepSavedJoules;
    dozeSavedJoules += s.dozeSavedJoules;
    asleepMs += s.asleepMs;
    wakeJoules += s.wakeJoules;
    wakes += s.wakes;
    failedWakes += s.failedWakes;
    awakeMs += s.awakeMs;
    estimated ||= s.estimated;
    savedUncertaintyJoules += s.savedUncertaintyJoules;
    awakeUsedJoules += s.awakeUsedJoules;
    usedUncertaintyJoules += s.usedUncertaintyJoules;
    for (const ms of s.wakeMs) wakeMs.push(ms);
  }
  return {
    model,
    asleepSavedJoules,
    dozeSavedJoules,
    asleepMs,
    wakeJoules,
    wakes,
    failedWakes,
    awakeMs,
    wakeMs,
    estimated,
    savedUncertaintyJoules,
    awakeUsedJoules,
    usedUncertaintyJoules,
  };
}

/** Figures from sums: net saved energy with its kWh, money and CO2, and the wake-time percentiles. */
function figuresOf(sums: ModelSums, pricing: Pricing): HistoryFigures {
  const savedJoules = sums.asleepSavedJoules - sums.wakeJoules;
  const [p50 = null, p95 = null] = percentiles(sums.wakeMs, [50, 95]);
  const usedJoules = sums.awakeUsedJoules + sums.wakeJoules;
  return {
    savedJoules,
    savedKwh: joulesToKwh(savedJoules),
    money: moneyOf(savedJoules, pricing),
    currency: pricing.currency,
    co2Grams: co2GramsOf(savedJoules, pricing),
    asleepSavedJoules: sums.asleepSavedJoules,
    dozeSavedJoules: sums.dozeSavedJoules,
    wakeJoules: sums.wakeJoules,
    wakes: sums.wakes,
    failedWakes: sums.failedWakes,
    wakeP50Ms: p50,
    wakeP95Ms: p95,
    hoursAwake: sums.awakeMs / 3_600_000,
    hoursAsleep: sums.asleepMs / 3_600_000,
    estimated: sums.estimated,
    savedUncertaintyJoules: sums.savedUncertaintyJoules,
    usedJoules,
    usedKwh: joulesToKwh(usedJoules),
    usedMoney: moneyOf(usedJoules, pricing),
    awakeUsedJoules: sums.awakeUsedJoules,
    usedUncertaintyJoules: sums.usedUncertaintyJoules,
  };
}

/** Turns each range's sums into a history bucket: every model with activity (by name) and the total. */
export function assembleHistory(
  ranges: readonly BucketRange[],
  sums: SpanSums,
  pricing: Pricing,
): HistoryBucket[] {
  return ranges.map((range, index) => {
    const rows = [...(sums[index] ?? [])].sort((a, b) => a.model.localeCompare(b.model));
    const total = addSums('', rows);
    return {
      startAt: range.startAt,
      endAt: range.endAt,
      total: figuresOf(total, pricing),
      models: rows.map((r) => ({ ...figuresOf(r, pricing), model: r.model })),
    };
  });
}

/** The whole range at once: the total and each model, wake percentiles over all its wakes (not averaged over buckets). */
export function assembleTotals(
  sums: SpanSums,
  pricing: Pricing,
): { total: HistoryFigures; models: HistoryModelRow[] } {
  const byModel = new Map<string, ModelSums[]>();
  for (const span of sums) {
    for (const s of span) {
      const list = byModel.get(s.model);
      if (list) list.push(s);
      else byModel.set(s.model, [s]);
    }
  }
  const rows = [...byModel]
    .map(([model, list]) => addSums(model, list))
    .sort((a, b) => a.model.localeCompare(b.model));
  return {
    total: figuresOf(addSums('', rows), pricing),
    models: rows.map((r) => ({ ...figuresOf(r, pricing), model: r.model })),
  };
}
