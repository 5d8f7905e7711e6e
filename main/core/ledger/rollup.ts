// Roll-ups of raw power readings into per-minute and per-hour rows (min/avg/max watts and joules), kept for years.
import type { PowerPoint } from './power-math';
import { meanWattsOver } from './power-math';

/** One minute. */
export const MINUTE_MS = 60_000;
/** One hour. */
export const HOUR_MS = 3_600_000;

/** Power of one GPU over one bucket (a minute or an hour). */
export interface PowerRollup {
  readonly gpuIndex: number;
  /** Epoch ms of the bucket's start (UTC-aligned to the bucket size). */
  readonly startAt: number;
  readonly sampleCount: number;
  readonly minWatts: number;
  /** Mean of the readings in the bucket. */
  readonly avgWatts: number;
  readonly maxWatts: number;
  /** Energy over the covered part of the bucket (the energy counter where the GPU has one, else the trapezoid rule). */
  readonly energyJoules: number;
  /** Ms of the bucket covered by readings no more than `maxGapMs` apart. */
  readonly coveredMs: number;
}

/**
 * Rolls sorted readings of one GPU up into minutes in [fromAt, toAt) (both minute-aligned).
 * Include the last reading before `fromAt` and the first after `toAt` so energy at the edges is
 * counted. Minutes without a reading get no row. `maxGapMs` (at most a minute) bounds the gap
 * between readings that is still integrated.
 */
export function rollUpMinutes(
  gpuIndex: number,
  points: readonly PowerPoint[],
  fromAt: number,
  toAt: number,
  maxGapMs: number,
): PowerRollup[] {
  if (fromAt % MINUTE_MS !== 0 || toAt % MINUTE_MS !== 0)
    throw new RangeError('rollUpMinutes: bounds must be minute-aligned');
  if (maxGapMs > MINUTE_MS)
    throw new RangeError('rollUpMinutes: maxGapMs must be at most one minute');
  const slots = Math.max(0, (toAt - fromAt) / MINUTE_MS);
  const count = new Uint32Array(slots);
  const sum = new Float64Array(slots);
  const min = new Float64Array(slots).fill(Infinity);
  const max = new Float64Array(slots).fill(-Infinity);
  const energy = new Float64Array(slots);
  const covered = new Float64Array(slots);

  for (let i = 0; i < points.length; i++) {
    const b = points[i] as PowerPoint;
    if (b.at >= fromAt && b.at < toAt) {
      const slot = Math.floor((b.at - fromAt) / MINUTE_MS);
      count[slot] = (count[slot] as number) + 1;
      sum[slot] = (sum[slot] as number) + b.powerWatts;
      if (b.powerWatts < (min[slot] as number)) min[slot] = b.powerWatts;
      if (b.powerWatts > (max[slot] as number)) max[slot] = b.powerWatts;
    }
    if (i === 0) continue;
    const a = points[i - 1] as PowerPoint;
    const gapMs = b.at - a.at;
    if (gapMs <= 0 || gapMs > maxGapMs || b.at <= fromAt || a.at >= toAt) continue;
    // Split the segment at minute boundaries (a segment spans at most two minutes).
    let startAt = Math.max(a.at, fromAt);
    const endAt = Math.min(b.at, toAt);
    while (startAt < endAt) {
      const slot = Math.floor((startAt - fromAt) / MINUTE_MS);
      const slotEndAt = Math.min(endAt, fromAt + (slot + 1) * MINUTE_MS);
      const watts = meanWattsOver(a, b, startAt, slotEndAt);
      energy[slot] = (energy[slot] as number) + (watts * (slotEndAt - startAt)) / 1000;
      covered[slot] = (covered[slot] as number) + (slotEndAt - startAt);
      startAt = slotEndAt;
    }
  }

  const rows: PowerRollup[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const n = count[slot] as number;
    if (n === 0) continue;
    rows.push({
      gpuIndex,
      startAt: fromAt + slot * MINUTE_MS,
      sampleCount: n,
      minWatts: min[slot] as number,
      avgWatts: (sum[slot] as number) / n,
      maxWatts: max[slot] as number,
      energyJoules: energy[slot] as number,
      coveredMs: covered[slot] as number,
    });
  }
  return rows;
}

/**
 * Combines finer rows of one GPU into buckets of `bucketMs` (e.g. minutes into hours): min of
 * mins, max of maxes, mean weighted by reading count, energy and coverage summed.
 */
export function rollUpInto(rows: readonly PowerRollup[], bucketMs: number): PowerRollup[] {
  const out = new Map<string, { -readonly [K in keyof PowerRollup]: PowerRollup[K] }>();
  for (const row of rows) {
    const startAt = Math.floor(row.startAt / bucketMs) * bucketMs;
    const key = `${row.gpuIndex}:${startAt}`;
    const acc = out.get(key);
    if (!acc) {
      out.set(key, { ...row, startAt });
      continue;
    }
    const n = acc.sampleCount + row.sampleCount;
    acc.avgWatts = (acc.avgWatts * acc.sampleCount + row.avgWatts * row.sampleCount) / n;
    acc.sampleCount = n;
    acc.minWatts = Math.min(acc.minWatts, row.minWatts);
    acc.maxWatts = Math.max(acc.maxWatts, row.maxWatts);
    acc.energyJoules += row.energyJoules;
    acc.coveredMs += row.coveredMs;
  }
  return [...out.values()].sort((x, y) => x.gpuIndex - y.gpuIndex || x.startAt - y.startAt);
}
