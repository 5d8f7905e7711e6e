// The power tables: raw samples (kept `rawRetentionDays`), their minute and hour roll-ups, and series for sparklines.
import type { Database, Statement } from 'better-sqlite3';
import type { Reading } from './measure';
import type { PowerPoint } from './power-math';
import type { PowerRollup } from './rollup';
import { HOUR_MS, MINUTE_MS, rollUpInto, rollUpMinutes } from './rollup';

/** One raw sample row as written. */
export interface SampleRow {
  readonly gpuIndex: number;
  readonly at: number;
  readonly powerWatts: number | null;
  readonly utilizationPercent: number | null;
  readonly vramUsedBytes: number | null;
  /** The GPU's energy counter (joules since the driver loaded) where it has one. */
  readonly energyJoules: number | null;
}

/** One point of a power series: the mean, min and max over [at, at + resolutionMs). */
export interface PowerSeriesPoint {
  readonly at: number;
  readonly avgWatts: number;
  readonly minWatts: number;
  readonly maxWatts: number;
}

/** A power series for a sparkline, with the resolution it was read at. */
export interface PowerSeries {
  readonly gpuIndex: number;
  readonly resolutionMs: number;
  readonly source: 'raw' | 'minutes' | 'hours';
  readonly points: readonly PowerSeriesPoint[];
}

interface RollupRow {
  gpu_index: number;
  start_at: number;
  sample_count: number;
  min_milliwatts: number;
  avg_milliwatts: number;
  max_milliwatts: number;
  energy_millijoules: number;
  covered_ms: number;
}

interface ProgressRow {
  minutes_through_at: number;
  hours_through_at: number;
}

/** One GPU's readings of [$from, $to) with a power reading, plus the nearest on each side (for roll-ups and integrals). */
export const POINTS_AROUND_SQL = `SELECT at, power_milliwatts, energy_millijoules FROM (
  SELECT at, power_milliwatts, energy_millijoules FROM (SELECT at, power_milliwatts, energy_millijoules FROM samples WHERE gpu_index = $gpu AND at < $from AND power_milliwatts IS NOT NULL ORDER BY at DESC LIMIT 1)
  UNION ALL SELECT at, power_milliwatts, energy_millijoules FROM samples WHERE gpu_index = $gpu AND at >= $from AND at < $to AND power_milliwatts IS NOT NULL
  UNION ALL SELECT at, power_milliwatts, energy_millijoules FROM (SELECT at, power_milliwatts, energy_millijoules FROM samples WHERE gpu_index = $gpu AND at >= $to AND power_milliwatts IS NOT NULL ORDER BY at LIMIT 1)
) ORDER BY at`;

/** A row of `POINTS_AROUND_SQL`. */
export interface PointRow {
  readonly at: number;
  readonly power_milliwatts: number;
  readonly energy_millijoules: number | null;
}

/** A row of `POINTS_AROUND_SQL` as a power point, with the energy counter where the GPU has one. */
export function pointFromRow(r: PointRow): PowerPoint {
  return {
    at: r.at,
    powerWatts: r.power_milliwatts / 1000,
    energyJoules: r.energy_millijoules === null ? null : r.energy_millijoules / 1000,
  };
}

const toMilli = (watts: number): number => Math.round(watts * 1000);

function rollupFromRow(r: RollupRow): PowerRollup {
  return {
    gpuIndex: r.gpu_index,
    startAt: r.start_at,
    sampleCount: r.sample_count,
    minWatts: r.min_milliwatts / 1000,
    avgWatts: r.avg_milliwatts / 1000,
    maxWatts: r.max_milliwatts / 1000,
    energyJoules: r.energy_millijoules / 1000,
    coveredMs: r.covered_ms,
  };
}

/** Reads and writes the power tables. Every method runs inside the caller's transaction, if any. */
export class PowerStore {
  private readonly insertSample: Statement;
  private readonly insertMinute: Statement;
  private readonly insertHour: Statement;
  private readonly selectProgress: Statement;
  private readonly upsertProgress: Statement;
  private readonly selectReadings: Statement;
  private readonly selectPoints: Statement;
  private readonly selectMinutes: Statement;
  private readonly deleteRaw: Statement;
  private readonly deleteMinutes: Statement;

  constructor(private readonly db: Database) {
    this.insertSample = db.prepare(
      'INSERT OR IGNORE INTO samples (gpu_index, at, power_milliwatts, utilization_percent, vram_used_bytes, energy_millijoules) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const rollupColumns =
      'gpu_index, start_at, sample_count, min_milliwatts, avg_milliwatts, max_milliwatts, energy_millijoules, covered_ms';
    this.insertMinute = db.prepare(
      `INSERT OR REPLACE INTO power_minutes (${rollupColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertHour = db.prepare(
      `INSERT OR REPLACE INTO power_hours (${rollupColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectProgress = db.prepare(
      'SELECT minutes_through_at, hours_through_at FROM rollup_progress WHERE gpu_index = ?',
    );
    this.upsertProgress = db.prepare(
      'INSERT INTO rollup_progress (gpu_index, minutes_through_at, hours_through_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT (gpu_index) DO UPDATE SET minutes_through_at = excluded.minutes_through_at, hours_through_at = excluded.hours_through_at',
    );
    this.selectReadings = db.prepare(
      'SELECT at, power_milliwatts, utilization_percent, energy_millijoules FROM samples WHERE gpu_index = ? AND at >= ? AND at < ? ORDER BY at',
    );
    this.selectPoints = db.prepare(POINTS_AROUND_SQL);
    this.selectMinutes = db.prepare(
      `SELECT ${rollupColumns} FROM power_minutes WHERE gpu_index = ? AND start_at >= ? AND start_at < ? ORDER BY start_at`,
    );
    this.deleteRaw = db.prepare('DELETE FROM samples WHERE gpu_index = ? AND at < ?');
    this.deleteMinutes = db.prepare('DELETE FROM power_minutes WHERE start_at < ?');
  }

  /** Writes raw samples; a sample already stored (same GPU and time) is kept as it was, so a retried batch is harmless. */
  insertSamples(rows: readonly SampleRow[]): void {
    for (const r of rows) {
      this.insertSample.run(
        r.gpuIndex,
        r.at,
        r.powerWatts === null ? null : toMilli(r.powerWatts),
        r.utilizationPercent,
        r.vramUsedBytes,
        r.energyJoules === null ? null : Math.round(r.energyJoules * 1000),
      );
    }
  }

  /** Raw readings of one GPU in [fromAt, toAt), oldest first. */
  readings(gpuIndex: number, fromAt: number, toAt: number): Reading[] {
    const rows = this.selectReadings.all(gpuIndex, fromAt, toAt) as {
      at: number;
      power_milliwatts: number | null;
      utilization_percent: number | null;
      energy_millijoules: number | null;
    }[];
    return rows.map((r) => ({
      at: r.at,
      powerWatts: r.power_milliwatts === null ? null : r.power_milliwatts / 1000,
      utilizationPercent: r.utilization_percent,
      energyJoules: r.energy_millijoules === null ? null : r.energy_millijoules / 1000,
    }));
  }

  /** Roll-up progress of a GPU: minutes and hours before these times are rolled up. Null for a GPU never seen. */
  progress(gpuIndex: number): { minutesThroughAt: number; hoursThroughAt: number } | null {
    const row = this.selectProgress.get(gpuIndex) as ProgressRow | undefined;
    return row
      ? { minutesThroughAt: row.minutes_through_at, hoursThroughAt: row.hours_through_at }
      : null;
  }

  /** Starts roll-up bookkeeping for a GPU at its first reading. */
  startProgress(gpuIndex: number, firstAt: number): void {
    if (this.progress(gpuIndex)) return;
    this.upsertProgress.run(
      gpuIndex,
      Math.floor(firstAt / MINUTE_MS) * MINUTE_MS,
      Math.floor(firstAt / HOUR_MS) * HOUR_MS,
    );
  }

  /**
   * Rolls up the minutes of one GPU that closed before `closedThroughAt` (minute-aligned) from the
   * raw samples, then any hours that closed. `maxGapMs` as in `rollUpMinutes`.
   */
  rollUpRaw(gpuIndex: number, closedThroughAt: number, maxGapMs: number): void {
    const progress = this.progress(gpuIndex);
    if (!progress || closedThroughAt <= progress.minutesThroughAt) return;
    const fromAt = progress.minutesThroughAt;
    const rows = this.selectPoints.all({
      gpu: gpuIndex,
      from: fromAt,
      to: closedThroughAt,
    }) as PointRow[];
    const points = rows.map(pointFromRow);
    this.ingestMinutes(
      gpuIndex,
      rollUpMinutes(gpuIndex, points, fromAt, closedThroughAt, maxGapMs),
      closedThroughAt,
    );
  }

  /**
   * Stores minute roll-ups of one GPU (from `rollUpMinutes`) and marks minutes before
   * `minutesThroughAt` as done; hours that closed are rolled up from the minutes. The live path
   * and the bench's backfill both come through here.
   */
  ingestMinutes(gpuIndex: number, minutes: readonly PowerRollup[], minutesThroughAt: number): void {
    const progress = this.progress(gpuIndex) ?? {
      minutesThroughAt: minutes[0]?.startAt ?? minutesThroughAt,
      hoursThroughAt: Math.floor((minutes[0]?.startAt ?? minutesThroughAt) / HOUR_MS) * HOUR_MS,
    };
    for (const m of minutes) this.writeRollup(this.insertMinute, m);
    const hoursClosedAt = Math.floor(minutesThroughAt / HOUR_MS) * HOUR_MS;
    let hoursThroughAt = progress.hoursThroughAt;
    if (hoursClosedAt > hoursThroughAt) {
      const rows = (
        this.selectMinutes.all(gpuIndex, hoursThroughAt, hoursClosedAt) as RollupRow[]
      ).map(rollupFromRow);
      for (const h of rollUpInto(rows, HOUR_MS)) this.writeRollup(this.insertHour, h);
      hoursThroughAt = hoursClosedAt;
    }
    this.upsertProgress.run(
      gpuIndex,
      Math.max(progress.minutesThroughAt, minutesThroughAt),
      hoursThroughAt,
    );
  }

  /** GPUs that have ever reported, with the time of their newest raw sample (null once pruned). */
  knownGpus(): { gpuIndex: number; latestAt: number | null }[] {
    const rows = this.db
      .prepare(
        'SELECT p.gpu_index AS gpu_index, (SELECT MAX(at) FROM samples s WHERE s.gpu_index = p.gpu_index) AS latest_at FROM rollup_progress p ORDER BY 1',
      )
      .all() as { gpu_index: number; latest_at: number | null }[];
    return rows.map((r) => ({ gpuIndex: r.gpu_index, latestAt: r.latest_at }));
  }

  /** Deletes raw samples of a GPU older than `beforeAt` (only those already rolled up). */
  pruneRaw(gpuIndex: number, beforeAt: number): void {
    const progress = this.progress(gpuIndex);
    if (!progress) return;
    this.deleteRaw.run(gpuIndex, Math.min(beforeAt, progress.minutesThroughAt));
  }

  /** Deletes minute roll-ups older than `beforeAt` (hours are kept). */
  pruneMinutes(beforeAt: number): void {
    this.deleteMinutes.run(beforeAt);
  }

  /**
   * Power of one GPU over [fromAt, toAt) in at most about `maxPoints` points: raw readings while the
   * step is under a minute and raw readings still cover `fromAt`, then minute roll-ups, then hours.
   */
  series(
    gpuIndex: number,
    fromAt: number,
    toAt: number,
    maxPoints: number,
    rawKeptFromAt: number,
  ): PowerSeries {
    const spanMs = Math.max(1, toAt - fromAt);
    const wantedStepMs = Math.max(1000, Math.ceil(spanMs / Math.max(1, maxPoints)));
    if (wantedStepMs < MINUTE_MS && fromAt >= rawKeptFromAt) {
      const stepMs = wantedStepMs;
      const rows = this.db
        .prepare(
          `SELECT at - (at % $step) AS bucket_at, AVG(power_milliwatts) AS avg, MIN(power_milliwatts) AS min, MAX(power_milliwatts) AS max
           FROM samples WHERE gpu_index = $gpu AND at >= $from AND at < $to AND power_milliwatts IS NOT NULL GROUP BY 1 ORDER BY 1`,
        )
        .all({ step: stepMs, gpu: gpuIndex, from: fromAt, to: toAt }) as SeriesRow[];
      return { gpuIndex, resolutionMs: stepMs, source: 'raw', points: rows.map(seriesPoint) };
    }
    const useHours = wantedStepMs >= HOUR_MS;
    const unitMs = useHours ? HOUR_MS : MINUTE_MS;
    const stepMs = Math.ceil(wantedStepMs / unitMs) * unitMs;
    const table = useHours ? 'power_hours' : 'power_minutes';
    const rows = this.db
      .prepare(
        `SELECT start_at - (start_at % $step) AS bucket_at, SUM(avg_milliwatts * sample_count) * 1.0 / SUM(sample_count) AS avg,
                MIN(min_milliwatts) AS min, MAX(max_milliwatts) AS max
         FROM ${table} WHERE gpu_index = $gpu AND start_at >= $from AND start_at < $to GROUP BY 1 ORDER BY 1`,
      )
      .all({ step: stepMs, gpu: gpuIndex, from: fromAt, to: toAt }) as SeriesRow[];
    return {
      gpuIndex,
      resolutionMs: stepMs,
      source: useHours ? 'hours' : 'minutes',
      points: rows.map(seriesPoint),
    };
  }

  private writeRollup(statement: Statement, r: PowerRollup): void {
    statement.run(
      r.gpuIndex,
      r.startAt,
      r.sampleCount,
      toMilli(r.minWatts),
      toMilli(r.avgWatts),
      toMilli(r.maxWatts),
      Math.round(r.energyJoules * 1000),
      Math.round(r.coveredMs),
    );
  }
}

interface SeriesRow {
  bucket_at: number;
  avg: number;
  min: number;
  max: number;
}

function seriesPoint(r: SeriesRow): PowerSeriesPoint {
  return {
    at: r.bucket_at,
    avgWatts: r.avg / 1000,
    minWatts: r.min / 1000,
    maxWatts: r.max / 1000,
  };
}
