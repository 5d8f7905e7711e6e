// Each GPU's measured energy over a span, split into the energy its models used and the GPU's own (its idle baseline
// and whatever no model's figure covers), so the parts add up to the measurement (docs/energy.md, "Energy used").
import type { Database, Statement } from 'better-sqlite3';
import { integrateJoules } from './power-math';
import { POINTS_AROUND_SQL, pointFromRow, type PointRow } from './power-store';
import { parseGpuSet } from './residency';
import type { Pricing } from './savings';
import { moneyOf } from './savings';
import { HOUR_MS, MINUTE_MS } from './rollup';

/** One GPU's energy over a span. */
export interface GpuEnergyFigures {
  readonly gpuIndex: number;
  /** What the GPU drew, integrated from its readings (raw at the span's ends, minute and hour roll-ups between). */
  readonly measuredJoules: number;
  /** What `measuredJoules` cost at the price (null without one). */
  readonly measuredMoney: number | null;
  /** How much of the span its readings covered (gaps are not guessed). */
  readonly coveredMs: number;
  /** The energy its models used (awake and waking), each model's split evenly over its GPUs. */
  readonly modelsUsedJoules: number;
  /** The GPU's own: measured less its models' parts (idle baseline, and anything no model's figure covers). */
  readonly baselineJoules: number;
  /** Each model's part on this GPU. */
  readonly byModel: ReadonlyMap<string, number>;
}

/** Energy over a piece of the span and how much of it readings covered. */
interface Measured {
  readonly energyJoules: number;
  readonly coveredMs: number;
}
const NOTHING: Measured = { energyJoules: 0, coveredMs: 0 };

const floorTo = (at: number, stepMs: number): number => Math.floor(at / stepMs) * stepMs;
const ceilTo = (at: number, stepMs: number): number => Math.ceil(at / stepMs) * stepMs;

/** A roll-up table's energy over [lo, hi), a partly covered row counting its share of the overlap. */
const rollupEnergy = (table: string, stepMs: number): string => `
  SELECT COALESCE(SUM(energy_millijoules * (MIN(start_at + ${stepMs}, $hi) - MAX(start_at, $lo)) / ${stepMs}.0), 0) AS mj,
    COALESCE(SUM(covered_ms * (MIN(start_at + ${stepMs}, $hi) - MAX(start_at, $lo)) / ${stepMs}.0), 0) AS covered
  FROM ${table} WHERE gpu_index = $gpu AND start_at > $lo - ${stepMs} AND start_at < $hi`;

/** Reads the power tables for measured energy, and the GPUs each model ran on. */
export class GpuEnergy {
  private readonly hours: Statement;
  private readonly minutes: Statement;
  private readonly progress: Statement;
  private readonly points: Statement;
  private readonly modelGpus: Statement;

  constructor(
    db: Database,
    /** Readings further apart than this leave a gap (not integrated), as in the roll-ups. */
    private readonly maxGapMs: number,
  ) {
    this.hours = db.prepare(rollupEnergy('power_hours', HOUR_MS));
    this.minutes = db.prepare(rollupEnergy('power_minutes', MINUTE_MS));
    this.progress = db.prepare(
      'SELECT gpu_index, minutes_through_at, hours_through_at FROM rollup_progress ORDER BY gpu_index',
    );
    this.points = db.prepare(POINTS_AROUND_SQL);
    this.modelGpus = db.prepare(
      'SELECT model, gpu_indexes FROM wakes WHERE id IN (SELECT MAX(id) FROM wakes GROUP BY model)',
    );
  }

  /** Every GPU that reported, with its measured energy over [fromAt, toAt) and `usedByModel` split onto it. */
  figures(
    fromAt: number,
    toAt: number,
    usedByModel: ReadonlyMap<string, number>,
    pricing: Pricing,
  ): GpuEnergyFigures[] {
    const gpus = this.progress.all() as {
      gpu_index: number;
      minutes_through_at: number;
      hours_through_at: number;
    }[];
    const known = gpus.map((g) => g.gpu_index);
    const gpusOf = new Map<string, readonly number[]>();
    for (const r of this.modelGpus.all() as { model: string; gpu_indexes: string | null }[])
      gpusOf.set(r.model, parseGpuSet(r.gpu_indexes) ?? known);
    return gpus.map((g) => {
      const { energyJoules, coveredMs } = this.measured(
        g.gpu_index,
        { minutesThroughAt: g.minutes_through_at, hoursThroughAt: g.hours_through_at },
        fromAt,
        toAt,
      );
      const byModel = new Map<string, number>();
      for (const [model, joules] of usedByModel) {
        const on = gpusOf.get(model) ?? known;
        if (on.includes(g.gpu_index)) byModel.set(model, joules / on.length);
      }
      const modelsUsedJoules = [...byModel.values()].reduce((a, b) => a + b, 0);
      return {
        gpuIndex: g.gpu_index,
        measuredJoules: energyJoules,
        measuredMoney: moneyOf(energyJoules, pricing),
        coveredMs,
        modelsUsedJoules,
        baselineJoules: energyJoules - modelsUsedJoules,
        byModel,
      };
    });
  }

  /**
   * Raw readings for the partial minutes at the ends and after the roll-ups; whole hours from the hour roll-ups, the
   * minutes of a partial hour from the minute roll-ups while kept (else the hour's share). A year reads about 9000
   * hour rows and at most two hours' minutes.
   */
  private measured(
    gpu: number,
    progress: { minutesThroughAt: number; hoursThroughAt: number },
    fromAt: number,
    toAt: number,
  ): Measured {
    const { minutesThroughAt, hoursThroughAt } = progress;
    const midFrom = Math.min(ceilTo(fromAt, MINUTE_MS), toAt);
    const midTo = Math.max(midFrom, Math.min(floorTo(toAt, MINUTE_MS), minutesThroughAt));
    const raw = (lo: number, hi: number): Measured => {
      const rows = this.points.all({ gpu, from: lo, to: hi }) as PointRow[];
      return integrateJoules(rows.map(pointFromRow), lo, hi, this.maxGapMs);
    };
    const rollup = (statement: Statement, lo: number, hi: number): Measured => {
      const r = statement.get({ gpu, lo, hi }) as { mj: number; covered: number };
      return { energyJoules: r.mj / 1000, coveredMs: r.covered };
    };
    // A partial minute: raw readings, else (pruned) its share of the minute or hour roll-up that covers most of it.
    const edge = (lo: number, hi: number): Measured => {
      if (hi <= lo) return NOTHING;
      const tries = [raw(lo, hi), rollup(this.minutes, lo, hi), rollup(this.hours, lo, hi)];
      return tries.reduce((best, t) => (t.coveredMs > best.coveredMs + 1 ? t : best));
    };
    // Part of an hour between whole minutes: the minute roll-ups while kept, else the hour's share.
    const minutes = (lo: number, hi: number): Measured => {
      if (hi <= lo) return NOTHING;
      const tries = [rollup(this.minutes, lo, hi), rollup(this.hours, lo, hi)];
      return tries.reduce((best, t) => (t.coveredMs > best.coveredMs + 1 ? t : best));
    };
    const hoursFrom = Math.min(ceilTo(midFrom, HOUR_MS), midTo);
    const hoursTo = Math.max(hoursFrom, Math.min(floorTo(midTo, HOUR_MS), hoursThroughAt));
    const parts = [
      edge(fromAt, midFrom),
      minutes(midFrom, hoursFrom),
      hoursTo > hoursFrom ? rollup(this.hours, hoursFrom, hoursTo) : NOTHING,
      minutes(hoursTo, midTo),
      edge(midTo, toAt),
    ];
    const energyJoules = parts.reduce((sum, p) => sum + p.energyJoules, 0);
    const coveredMs = parts.reduce((sum, p) => sum + p.coveredMs, 0);
    return { energyJoules, coveredMs };
  }
}
