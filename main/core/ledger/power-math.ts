// The ledger's arithmetic on power readings: energy integration, medians and percentiles.

/** One power reading of one GPU. */
export interface PowerPoint {
  /** Epoch ms. */
  readonly at: number;
  readonly powerWatts: number;
  /** The GPU's energy counter at `at` (NVML's total energy, DCGM's TOTAL_ENERGY_CONSUMPTION), in joules, where it has one. */
  readonly energyJoules?: number | null;
}

/** Energy over a span and how much of the span the readings covered. */
export interface EnergyIntegral {
  readonly energyJoules: number;
  /** Ms of the span with readings on both sides no more than `maxGapMs` apart. */
  readonly coveredMs: number;
  /** Ms of `coveredMs` whose energy came from the GPU's energy counter. */
  readonly counterMs: number;
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
 * Integrates power over [fromAt, toAt) between consecutive readings: by their energy counter where both carry it,
 * else by the trapezoid rule with linear interpolation where a reading pair straddles a bound. A gap longer than `maxGapMs` is
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
  let counterMs = 0;
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
      const meanWatts = meanWattsOver(a, b, pieceFrom, pieceTo);
      energyJoules += share * (meanWatts - offsetWatts) * ((pieceTo - pieceFrom) / 1000);
    }
    coveredMs += endAt - startAt;
    if (counterMeanWatts(a, b) !== null) counterMs += endAt - startAt;
  }
  return { energyJoules, coveredMs, counterMs };
}

/**
 * The mean power over [fromAt, toAt] inside the interval between two readings: from the GPU's energy counter where both
 * readings carry it (exact over the whole interval, spread evenly within it), else the straight line between the two
 * power readings (the trapezoid rule). A counter that went backwards (a driver reload) or gives an impossible mean is
 * not trusted.
 */
export function meanWattsOver(a: PowerPoint, b: PowerPoint, fromAt: number, toAt: number): number {
  const counterWatts = counterMeanWatts(a, b);
  if (counterWatts !== null) return counterWatts;
  return (interpolate(a, b, fromAt) + interpolate(a, b, toAt)) / 2;
}

/** The mean power between two readings by their energy counter, or null where the counter cannot tell it. */
export function counterMeanWatts(a: PowerPoint, b: PowerPoint): number | null {
  if (a.energyJoules === undefined || a.energyJoules === null) return null;
  if (b.energyJoules === undefined || b.energyJoules === null || b.at <= a.at) return null;
  const watts = (b.energyJoules - a.energyJoules) / ((b.at - a.at) / 1000);
  // Beyond any board's draw, or below zero: a reset or a glitch, not power.
  if (!Number.isFinite(watts) || watts < 0 || watts > MAX_BOARD_WATTS) return null;
  // A counter that did not move while the board drew power is a stale one (an exporter that collects less often than
  // it is scraped: dcgm-exporter's default is every 30 s), not a GPU that drew nothing.
  if (watts === 0 && a.powerWatts > 1 && b.powerWatts > 1) return null;
  return watts;
}

/** No GPU board draws more (the largest boards today are rated 1-1.5 kW); a counter mean above it is a glitch. */
const MAX_BOARD_WATTS = 5_000;

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
