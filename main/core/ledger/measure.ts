// Reading one sleep's power drop and one wake's energy from the GPU readings around them.
import type { Attribution, PowerPoint } from './power-math';
import { integrateJoules, median } from './power-math';

/** One raw reading as stored. */
export interface Reading {
  readonly at: number;
  readonly powerWatts: number | null;
  readonly utilizationPercent: number | null;
  /** The GPU's energy counter at `at`, in joules, where it has one. */
  readonly energyJoules?: number | null;
}

/** Windows and thresholds of the measurements. */
export interface MeasurementSettings {
  /** The window before a sleep (or a wake) whose median power is "before" (or the asleep baseline). */
  readonly beforeWindowMs: number;
  /** Time after a sleep for the GPU to free the context and lower its P-state before "after" is read. */
  readonly settleMs: number;
  /** The window after `settleMs` whose median power is "after". */
  readonly afterWindowMs: number;
  /** Utilisation above this in the windows means the GPU was not otherwise idle. */
  readonly idleUtilizationPercent: number;
  /** Readings further apart than this are a gap: not integrated. */
  readonly maxGapMs: number;
  /** A measurement whose windows still lack readings this long after they end is given up (an estimate is used). */
  readonly giveUpAfterMs: number;
}

/** Defaults for a 1 Hz probe. */
export const DEFAULT_MEASUREMENT: MeasurementSettings = {
  beforeWindowMs: 30_000,
  settleMs: 10_000,
  afterWindowMs: 20_000,
  idleUtilizationPercent: 10,
  maxGapMs: 10_000,
  giveUpAfterMs: 120_000,
};

/** A sleep's reading, summed over the model's GPUs. */
export interface SleepReading {
  readonly wattsBefore: number;
  readonly wattsAfter: number;
  readonly droppedWatts: number;
  /** Highest utilisation seen in either window, or null where the driver reports none. */
  readonly maxUtilizationPercent: number | null;
}

/** Readings of several GPUs, each sorted by time. */
export type ReadingsByGpu = ReadonlyMap<number, readonly Reading[]>;

/** When a sleep at `at` can be measured: the end of its "after" window. */
export function sleepWindowEndAt(at: number, settings: MeasurementSettings): number {
  return at + settings.settleMs + settings.afterWindowMs;
}

/** The medians before and after a sleep at `at`, summed over GPUs; null when any GPU lacks readings in a window. */
export function measureSleep(
  readings: ReadingsByGpu,
  at: number,
  settings: MeasurementSettings,
): SleepReading | null {
  if (readings.size === 0) return null;
  let wattsBefore = 0;
  let wattsAfter = 0;
  let maxUtil: number | null = null;
  const afterFrom = at + settings.settleMs;
  const afterTo = sleepWindowEndAt(at, settings);
  for (const list of readings.values()) {
    const before = windowOf(list, at - settings.beforeWindowMs, at);
    const after = windowOf(list, afterFrom, afterTo);
    const b = median(powersOf(before));
    const a = median(powersOf(after));
    if (b === null || a === null) return null;
    wattsBefore += b;
    wattsAfter += a;
    maxUtil = maxOf(maxUtil, maxUtilization(before), maxUtilization(after));
  }
  return {
    wattsBefore,
    wattsAfter,
    droppedWatts: wattsBefore - wattsAfter,
    maxUtilizationPercent: maxUtil,
  };
}

/** A wake's reading, summed over the model's GPUs. */
export interface WakeReading {
  /** Median power before the wake was requested. */
  readonly baselineWatts: number;
  /** Energy above the baseline from wake-requested to ready (or failed). */
  readonly energyJoules: number;
  /** Highest utilisation in the baseline window. */
  readonly maxUtilizationPercent: number | null;
  /**
   * Whether the energy is exact up to the sensor: every GPU's counter covered the whole wake and a reading fell at
   * each end (within `EDGE_READING_MS` after it), so no end was cut inside a reading interval.
   */
  readonly exact: boolean;
}

/** How soon after a wake's request or end a reading counts as taken at it (the ledger reads the GPU at each edge). */
export const EDGE_READING_MS = 250;

/**
 * The energy above the asleep baseline over [requestedAt, endedAt), summed over GPUs; null when
 * a GPU has no baseline readings or its readings cover less than 90% of the wake. With `attributionOf`, a GPU's
 * power above the baseline is attributed as it says (shared with other wakes, less what others' residency added).
 */
export function measureWake(
  readings: ReadingsByGpu,
  requestedAt: number,
  endedAt: number,
  settings: MeasurementSettings,
  attributionOf?: (gpuIndex: number, baselineWatts: number) => Attribution | null,
): WakeReading | null {
  if (readings.size === 0) return null;
  let baselineWatts = 0;
  let energyJoules = 0;
  let maxUtil: number | null = null;
  let exact = true;
  const spanMs = Math.max(0, endedAt - requestedAt);
  for (const [gpuIndex, list] of readings) {
    const before = windowOf(list, requestedAt - settings.beforeWindowMs, requestedAt);
    const baseline = median(powersOf(before));
    if (baseline === null) return null;
    const points = list.filter(
      (r): r is Reading & { powerWatts: number } => r.powerWatts !== null,
    ) as readonly PowerPoint[];
    const attribution = attributionOf?.(gpuIndex, baseline) ?? {
      breaks: [],
      at: () => ({ share: 1, offsetWatts: baseline }),
    };
    const integral = integrateJoules(points, requestedAt, endedAt, settings.maxGapMs, attribution);
    if (spanMs > 0 && integral.coveredMs < spanMs * 0.9) return null;
    baselineWatts += baseline;
    // Scale a nearly covered wake to its full length rather than count the gap as free.
    const scale = integral.coveredMs > 0 ? spanMs / integral.coveredMs : 0;
    energyJoules += integral.energyJoules * scale;
    maxUtil = maxOf(maxUtil, maxUtilization(before));
    const readAt = (edgeAt: number): boolean =>
      points.some((p) => p.at >= edgeAt && p.at <= edgeAt + EDGE_READING_MS);
    exact &&= integral.counterMs >= spanMs && readAt(requestedAt) && readAt(endedAt);
  }
  return { baselineWatts, energyJoules, maxUtilizationPercent: maxUtil, exact };
}

function windowOf(list: readonly Reading[], fromAt: number, toAt: number): Reading[] {
  return list.filter((r) => r.at >= fromAt && r.at < toAt);
}

function powersOf(list: readonly Reading[]): number[] {
  const out: number[] = [];
  for (const r of list) if (r.powerWatts !== null) out.push(r.powerWatts);
  return out;
}

function maxUtilization(list: readonly Reading[]): number | null {
  let max: number | null = null;
  for (const r of list)
    if (r.utilizationPercent !== null)
      max = max === null ? r.utilizationPercent : Math.max(max, r.utilizationPercent);
  return max;
}

function maxOf(...values: (number | null)[]): number | null {
  let max: number | null = null;
  for (const v of values) if (v !== null) max = max === null ? v : Math.max(max, v);
  return max;
}
