// The ledger's arithmetic on power readings: energy integration, medians and percentiles.

/** One power reading of one GPU. */
export interface PowerPoint {
  /** Epoch ms. */
  readonly at: number;
  readonly powerWatts: number;
}

/** Energy over a span and how much of the span the readings covered. */
export interface EnergyIntegral {
  readonly energyJoules: number;
  /** Ms of the span with readings on both sides no more than `maxGapMs` apart. */
  readonly coveredMs: number;
}

/**
 * How a span's energy is attributed: at each moment, `share` of the power above `offsetWatts`. `breaks` are the
 * moments the attribution changes (a segment between readings is cut there).
 */
export interface Attribution {
  readonly breaks: readonly number[];
  readonly at: (at: number) => { readonly share: number; readonly offsetWatts: number };
}

/** All of the power, from zero. */
const WHOLE: Attribution = { breaks: [], at: () => ({ share: 1, offsetWatts: 0 }) };

/**
 * Integrates power over [fromAt, toAt) by the trapezoid rule between consecutive readings, with
 * linear interpolation where a reading pair straddles a bound. A gap longer than `maxGapMs` is
 * not integrated (unknown, not zero), so `coveredMs` tells how much of the span is measured.
 * `points` must be sorted by `at`; pass one reading before `fromAt` and one after `toAt` when there are.
 * With `attribution`, each piece counts only its share of the power above its offset.
 */
export function integrateJoules(
  points: readonly PowerPoint[],
  fromAt: number,
  toAt: number,
  maxGapMs: number,
  attribution: Attribution = WHOLE,
): EnergyIntegral {
  let energyJoules = 0;
  let coveredMs = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as PowerPoint;
    const b = points[i] as PowerPoint;
    if (b.at <= fromAt || a.at >= toAt) continue;
    const spanMs = b.at - a.at;
    if (spanMs <= 0 || spanMs > maxGapMs) continue;
    const startAt = Math.max(a.at, fromAt);
    const endAt = Math.min(b.at, toAt);
    const cuts = [startAt, ...attribution.breaks.filter((t) => t > startAt && t < endAt), endAt];
    for (let k = 1; k < cuts.length; k++) {
      const pieceFrom = cuts[k - 1] as number;
      const pieceTo = cuts[k] as number;
      const { share, offsetWatts } = attribution.at((pieceFrom + pieceTo) / 2);
      const meanWatts = (interpolate(a, b, pieceFrom) + interpolate(a, b, pieceTo)) / 2;
      energyJoules += share * (meanWatts - offsetWatts) * ((pieceTo - pieceFrom) / 1000);
    }
    coveredMs += endAt - startAt;
  }
  return { energyJoules, coveredMs };
}

/** Power at `at` on the straight line between two readings. */
export function interpolate(a: PowerPoint, b: PowerPoint, at: number): number {
  if (b.at === a.at) return b.powerWatts;
  return a.powerWatts + ((b.powerWatts - a.powerWatts) * (at - a.at)) / (b.at - a.at);
}

/** The median, or null for no values. Robust to the few transitional readings at the edge of a window. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The arithmetic mean, or null for no values. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * The p-th percentile by the nearest-rank method (the smallest value with at least p% of the
 * values at or below it), or null for no values. p50 of [1,2,3,4] is 2; p95 of 1..20 is 19.
 */
export function percentile(values: readonly number[], p: number): number | null {
  return percentiles(values, [p])[0] ?? null;
}

/** Several nearest-rank percentiles of the same values, sorting them once. */
export function percentiles(values: readonly number[], ps: readonly number[]): (number | null)[] {
  for (const p of ps)
    if (!(p > 0 && p <= 100)) throw new RangeError(`percentile: p must be in (0, 100], got ${p}`);
  if (values.length === 0) return ps.map(() => null);
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number);
}

/** Joules to kWh. */
export function joulesToKwh(energyJoules: number): number {
  return energyJoules / 3_600_000;
}
