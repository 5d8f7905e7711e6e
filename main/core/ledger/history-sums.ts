// The history's sums per bucket and model, computed inside SQLite so a year of sleeps and wakes never crosses into JS row by row.
import type { Database, Statement } from 'better-sqlite3';
import type { BucketRange } from './buckets';
import { AwakeUsedSums } from './history-used';
import { uncertaintyOf } from './uncertainty';

/** What sleeping saved and the wakes cost in one span for one model. Additive: spans combine by adding. */
export interface ModelSums {
  readonly model: string;
  /** Credited watts times time asleep (sleep to next ready), with the takeover rate after a takeover. */
  readonly asleepSavedJoules: number;
  /**
   * The part of `asleepSavedJoules` credited to dozes (issue 15): the watts each doze freed, for as long as they stayed
   * freed (while dozed, and after the stop that followed until the next ready).
   */
  readonly dozeSavedJoules: number;
  /** Sleep (or doze) to the next wake request; a stop after a doze adds none (its doze already counts that time). */
  readonly asleepMs: number;
  /** Energy of the wakes requested in the bucket. */
  readonly wakeJoules: number;
  readonly wakes: number;
  readonly failedWakes: number;
  /** Wake request to sleep (or failure). */
  readonly awakeMs: number;
  /** Wake time (request to ready) of each successful wake requested in the span. */
  readonly wakeMs: readonly number[];
  /** Some figure behind these sums has no GPU reading behind it. */
  readonly estimated: boolean;
  /**
   * One standard uncertainty of the net saving (asleep saved less wakes), joules: each credit's uncertainty times its
   * time, added linearly (a model's credits share one fit, so their errors go together); estimates add none.
   */
  readonly savedUncertaintyJoules: number;
  /** Energy used while resident (ready to down) at the watts its sleeps are credited (history-used.ts). */
  readonly awakeUsedJoules: number;
  /** One standard uncertainty of the energy used (awake and waking), added linearly like the saving's. */
  readonly usedUncertaintyJoules: number;
}

/**
 * What stands in for a credit not resolved yet (a measurement still pending): the model's learned
 * averages now, else its spec idle watts (an estimate), else zero (an estimate).
 */
export interface CreditFallback {
  readonly model: string;
  readonly lastResidentWatts: number | null;
  readonly sharedWatts: number | null;
  readonly wakeJoules: number | null;
  readonly idleWatts: number | null;
}

/** Each span's sums, one entry per model with activity, in span order. */
export type SpanSums = readonly (readonly ModelSums[])[];

// An estimate is a credit from the spec or from nothing (savings.ts, isEstimate).
const ESTIMATE = `('spec', 'none')`;

const SLEEP_SUMS = `
  WITH s AS (
    SELECT sl.model AS model, sl.at AS at, sl.level AS level,
      COALESCE(sl.ended_at, MAX(sl.at, $now)) AS end_at,
      COALESCE(sl.wake_requested_at, sl.ended_at, MAX(sl.at, $now)) AS asleep_end_at,
      CASE WHEN sl.credited_watts IS NOT NULL THEN sl.credited_watts WHEN sl.level != 'stop' THEN 0
           ELSE COALESCE(CASE WHEN sl.last_resident THEN f.last_watts ELSE f.shared_watts END, f.idle_watts, 0) END AS watts,
      CASE WHEN sl.credited_watts IS NOT NULL THEN sl.credit_source WHEN sl.level != 'stop' THEN 'pending'
           WHEN (CASE WHEN sl.last_resident THEN f.last_watts ELSE f.shared_watts END) IS NOT NULL THEN 'learned'
           WHEN f.idle_watts IS NOT NULL THEN 'spec' ELSE 'none' END AS source,
      CASE WHEN sl.credited_watts IS NOT NULL THEN COALESCE(sl.credit_uncertainty, 0) WHEN sl.level != 'stop' THEN 0
           ELSE $stand_in * COALESCE(CASE WHEN sl.last_resident THEN f.last_watts ELSE f.shared_watts END, 0) END AS watts_sigma,
      sl.takeover_at AS takeover_at, sl.takeover_watts AS takeover_watts, sl.takeover_source AS takeover_source,
      COALESCE(sl.takeover_uncertainty, 0) AS takeover_sigma
    FROM sleeps sl LEFT JOIN history_fallbacks f ON f.model = sl.model
    WHERE sl.at < $to AND (sl.ended_at IS NULL OR sl.ended_at > $from) AND ($model IS NULL OR sl.model = $model)
  ), t AS (
    SELECT *, (source NOT IN ${ESTIMATE} AND takeover_at IS NOT NULL AND takeover_watts IS NOT NULL AND takeover_source IS NOT NULL) AS has_takeover
    FROM s
  ), u AS (
    SELECT *,
      CASE WHEN has_takeover THEN MIN(MAX(takeover_at, at), end_at) ELSE end_at END AS switch_at,
      CASE WHEN has_takeover THEN MIN(takeover_watts, watts) ELSE 0 END AS after_watts,
      CASE WHEN NOT has_takeover THEN 0 WHEN takeover_watts <= watts THEN takeover_sigma ELSE watts_sigma END AS after_sigma
    FROM t
  )
  SELECT b.i AS i, u.model AS model,
    SUM((MAX(0, MIN(u.switch_at, b.end_at) - MAX(u.at, b.start_at)) * u.watts
       + MAX(0, MIN(u.end_at, b.end_at) - MAX(u.switch_at, b.start_at)) * u.after_watts) / 1000.0) AS saved_joules,
    SUM((MAX(0, MIN(u.switch_at, b.end_at) - MAX(u.at, b.start_at)) * u.watts_sigma
       + MAX(0, MIN(u.end_at, b.end_at) - MAX(u.switch_at, b.start_at)) * u.after_sigma) / 1000.0) AS saved_sigma_joules,
    SUM(CASE WHEN u.level = 'doze' THEN (MAX(0, MIN(u.switch_at, b.end_at) - MAX(u.at, b.start_at)) * u.watts
       + MAX(0, MIN(u.end_at, b.end_at) - MAX(u.switch_at, b.start_at)) * u.after_watts) / 1000.0 ELSE 0 END) AS doze_saved_joules,
    SUM(CASE WHEN u.level = 'stop-after-doze' THEN 0 ELSE MAX(0, MIN(u.asleep_end_at, b.end_at) - MAX(u.at, b.start_at)) END) AS asleep_ms,
    MAX(u.source IN ${ESTIMATE} OR (u.has_takeover AND u.takeover_source IN ${ESTIMATE})) AS estimated
  FROM u CROSS JOIN history_buckets b ON b.start_at > u.at - $max_bucket_ms AND b.start_at < u.end_at
  WHERE b.end_at > u.at
  GROUP BY b.i, u.model`;

const WAKE_SUMS = `
  SELECT b.i AS i, w.model AS model, COUNT(*) AS wakes, SUM(w.outcome = 'failed') AS failed,
    SUM(CASE WHEN w.credited_joules IS NOT NULL THEN w.credited_joules ELSE COALESCE(f.wake_joules, 0) END) AS joules,
    SUM(CASE WHEN w.credited_joules IS NOT NULL THEN COALESCE(w.credit_uncertainty, 0)
             ELSE $stand_in * COALESCE(f.wake_joules, 0) END) AS sigma_joules,
    MAX(CASE WHEN w.credited_joules IS NOT NULL THEN w.credit_source IN ${ESTIMATE} ELSE f.wake_joules IS NULL END) AS estimated
  FROM wakes w CROSS JOIN history_buckets b ON b.start_at <= w.requested_at AND b.start_at > w.requested_at - $max_bucket_ms
  LEFT JOIN history_fallbacks f ON f.model = w.model
  WHERE w.requested_at >= $from AND w.requested_at < $to AND b.end_at > w.requested_at AND ($model IS NULL OR w.model = $model)
  GROUP BY b.i, w.model`;

// A doze within a wake's span (issue 15) is not awake: from the doze to its wake request or the stop, subtracted.
const AWAKE_SUMS = `
  WITH a AS (
    SELECT model, requested_at, COALESCE(down_at, MAX(requested_at, $now)) AS down_at, 1 AS sign FROM wakes
    WHERE requested_at < $to AND (down_at IS NULL OR down_at > $from) AND ($model IS NULL OR model = $model)
    UNION ALL
    SELECT sl.model, sl.at,
      MIN(COALESCE(sl.wake_requested_at, MAX(sl.at, $now)), COALESCE(w.down_at, MAX(sl.at, $now))), -1
    FROM sleeps sl JOIN wakes w
      ON w.model = sl.model AND w.requested_at <= sl.at AND (w.down_at IS NULL OR w.down_at > sl.at)
    WHERE sl.level = 'doze' AND sl.at < $to AND (sl.ended_at IS NULL OR sl.ended_at > $from)
      AND ($model IS NULL OR sl.model = $model)
  )
  SELECT b.i AS i, a.model AS model,
    SUM(a.sign * MAX(0, MIN(a.down_at, b.end_at) - MAX(a.requested_at, b.start_at))) AS awake_ms
  FROM a CROSS JOIN history_buckets b ON b.start_at > a.requested_at - $max_bucket_ms AND b.start_at < a.down_at
  WHERE b.end_at > a.requested_at
  GROUP BY b.i, a.model`;

const WAKE_TIMES = `
  SELECT b.i, w.model, w.ended_at - w.requested_at
  FROM wakes w CROSS JOIN history_buckets b ON b.start_at <= w.requested_at AND b.start_at > w.requested_at - $max_bucket_ms
  WHERE w.requested_at >= $from AND w.requested_at < $to AND b.end_at > w.requested_at
    AND w.outcome = 'ready' AND w.ended_at IS NOT NULL AND ($model IS NULL OR w.model = $model)`;

type Row = Record<string, unknown>;

type MutableSums = {
  -readonly [K in keyof ModelSums]: K extends 'wakeMs' ? number[] : ModelSums[K];
};

/** Runs the sums over the buckets in temp tables of this connection (writable even when the main file is not). */
export class HistorySums {
  private readonly clearBuckets: Statement;
  private readonly insertBucket: Statement;
  private readonly clearFallbacks: Statement;
  private readonly insertFallback: Statement;
  private readonly sleepSums: Statement;
  private readonly wakeSums: Statement;
  private readonly awakeSums: Statement;
  private readonly wakeTimes: Statement;
  private readonly awakeUsed: AwakeUsedSums;

  constructor(private readonly db: Database) {
    db.pragma('temp_store = MEMORY');
    db.exec(`
      CREATE TEMP TABLE IF NOT EXISTS history_buckets (i INTEGER PRIMARY KEY, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS temp.history_buckets_by_start ON history_buckets (start_at, end_at);
      CREATE TEMP TABLE IF NOT EXISTS history_fallbacks (
        model TEXT PRIMARY KEY, last_watts REAL, shared_watts REAL, wake_joules REAL, idle_watts REAL
      );
    `);
    this.clearBuckets = db.prepare('DELETE FROM temp.history_buckets');
    this.insertBucket = db.prepare(
      'INSERT INTO temp.history_buckets (i, start_at, end_at) VALUES (?, ?, ?)',
    );
    this.clearFallbacks = db.prepare('DELETE FROM temp.history_fallbacks');
    this.insertFallback = db.prepare(
      'INSERT INTO temp.history_fallbacks (model, last_watts, shared_watts, wake_joules, idle_watts) VALUES (?, ?, ?, ?, ?)',
    );
    this.sleepSums = db.prepare(SLEEP_SUMS);
    this.wakeSums = db.prepare(WAKE_SUMS);
    this.awakeSums = db.prepare(AWAKE_SUMS);
    this.wakeTimes = db.prepare(WAKE_TIMES).raw();
    this.awakeUsed = new AwakeUsedSums(db);
  }

  /** Sums every sleep and wake into sorted, non-overlapping `ranges`, for one model or all (`model` undefined). */
  run(
    ranges: readonly BucketRange[],
    nowAt: number,
    model: string | undefined,
    fallbacks: readonly CreditFallback[],
  ): SpanSums {
    const first = ranges[0];
    const last = ranges[ranges.length - 1];
    if (!first || !last) return [];
    return this.db.transaction((): SpanSums => {
      this.clearBuckets.run();
      let maxBucketMs = 1;
      ranges.forEach((r, i) => {
        this.insertBucket.run(i, r.startAt, r.endAt);
        maxBucketMs = Math.max(maxBucketMs, r.endAt - r.startAt + 1);
      });
      this.clearFallbacks.run();
      for (const f of fallbacks)
        this.insertFallback.run(
          f.model,
          f.lastResidentWatts,
          f.sharedWatts,
          f.wakeJoules,
          f.idleWatts,
        );
      const params = {
        now: nowAt,
        from: first.startAt,
        to: last.endAt,
        model: model ?? null,
        max_bucket_ms: maxBucketMs,
        stand_in: uncertaintyOf(1, 'learned'),
      };

      const spans = ranges.map(() => new Map<string, MutableSums>());
      const sumsOf = (i: number, m: string): MutableSums => {
        const span = spans[i] as Map<string, MutableSums>;
        let s = span.get(m);
        if (!s) {
          s = {
            model: m,
            asleepSavedJoules: 0,
            dozeSavedJoules: 0,
            asleepMs: 0,
            wakeJoules: 0,
            wakes: 0,
            failedWakes: 0,
            awakeMs: 0,
            wakeMs: [],
            estimated: false,
            savedUncertaintyJoules: 0,
            awakeUsedJoules: 0,
            usedUncertaintyJoules: 0,
          };
          span.set(m, s);
        }
        return s;
      };
      for (const r of this.sleepSums.all(params) as Row[]) {
        const s = sumsOf(Number(r.i), String(r.model));
        s.asleepSavedJoules = Number(r.saved_joules);
        s.asleepMs = Number(r.asleep_ms);
        s.dozeSavedJoules = Number(r.doze_saved_joules);
        s.savedUncertaintyJoules += Number(r.saved_sigma_joules);
        s.estimated ||= Number(r.estimated) !== 0;
      }
      for (const r of this.wakeSums.all(params) as Row[]) {
        const s = sumsOf(Number(r.i), String(r.model));
        s.wakes = Number(r.wakes);
        s.failedWakes = Number(r.failed);
        s.wakeJoules = Number(r.joules);
        s.savedUncertaintyJoules += Number(r.sigma_joules);
        s.usedUncertaintyJoules += Number(r.sigma_joules);
        s.estimated ||= Number(r.estimated) !== 0;
      }
      for (const r of this.awakeUsed.run(params)) {
        const s = sumsOf(r.bucket, r.model);
        s.awakeUsedJoules = r.usedJoules;
        s.usedUncertaintyJoules += r.uncertaintyJoules;
        s.estimated ||= r.estimated;
      }
      for (const r of this.awakeSums.all(params) as Row[])
        sumsOf(Number(r.i), String(r.model)).awakeMs = Number(r.awake_ms);
      for (const r of this.wakeTimes.all(params) as [number, string, number][])
        sumsOf(r[0], r[1]).wakeMs.push(r[2]);
      return spans.map((span) => [...span.values()]);
    })();
  }
}
