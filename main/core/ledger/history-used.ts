// The energy each model used while awake, per bucket: its resident watts (what its sleep is credited) times its time
// resident (ready to down). Waking energy is the wake's credit; asleep a stopped container draws nothing (docs/energy.md).
import type { Database, Statement } from 'better-sqlite3';

/** An estimate is a credit from the spec or from nothing (savings.ts, isEstimate). */
const ESTIMATE = `('spec', 'none')`;

/**
 * Each ready wake's resident span [ready, down) priced at the credit of the sleep that ended it (the model's marginal
 * beside the models still resident then; the last one down carries the context step, as for savings), else the credit
 * of the sleep it woke from, else the learned or spec fallbacks the savings use. A model that dozed before its stop
 * is awake until the doze at the doze's credit plus the stop's (its watts awake), then dozed at the stop's.
 */
const AWAKE_USED_SUMS = `
  WITH r AS (
    SELECT w.model AS model, w.ended_at AS at, COALESCE(w.down_at, MAX(w.ended_at, $now)) AS end_at,
      nx.credited_watts AS next_watts, nx.credit_source AS next_source, nx.credit_uncertainty AS next_sigma,
      nx.last_resident AS next_last,
      (SELECT pv.id FROM sleeps pv WHERE pv.model = w.model AND pv.at <= w.requested_at AND pv.level = 'stop'
        AND pv.credited_watts IS NOT NULL ORDER BY pv.at DESC LIMIT 1) AS previous_id,
      (SELECT d.id FROM sleeps d WHERE d.model = w.model AND d.level = 'doze' AND d.at >= w.ended_at
        AND d.at < COALESCE(w.down_at, MAX(w.ended_at, $now)) ORDER BY d.at LIMIT 1) AS doze_id
    FROM wakes w LEFT JOIN sleeps nx ON nx.model = w.model AND nx.at = w.down_at
    WHERE w.outcome = 'ready' AND w.ended_at IS NOT NULL AND w.ended_at < $to
      AND (w.down_at IS NULL OR w.down_at > $from) AND ($model IS NULL OR w.model = $model)
  ), u AS (
    SELECT r.model, r.at, r.end_at, dz.at AS doze_at,
      COALESCE(dz.credited_watts, 0) AS doze_watts, COALESCE(dz.credit_uncertainty, 0) AS doze_sigma,
      COALESCE(r.next_watts, pv.credited_watts,
        CASE WHEN COALESCE(r.next_last, 1) THEN f.last_watts ELSE f.shared_watts END, f.idle_watts, 0) AS watts,
      CASE WHEN r.next_watts IS NOT NULL THEN COALESCE(r.next_sigma, 0)
           WHEN pv.credited_watts IS NOT NULL THEN COALESCE(pv.credit_uncertainty, 0)
           ELSE $stand_in * COALESCE(CASE WHEN COALESCE(r.next_last, 1) THEN f.last_watts ELSE f.shared_watts END, 0) END AS sigma,
      CASE WHEN r.next_watts IS NOT NULL THEN r.next_source IN ${ESTIMATE}
           WHEN pv.credited_watts IS NOT NULL THEN pv.credit_source IN ${ESTIMATE}
           ELSE (CASE WHEN COALESCE(r.next_last, 1) THEN f.last_watts ELSE f.shared_watts END) IS NULL END AS estimated
    FROM r LEFT JOIN sleeps pv ON pv.id = r.previous_id LEFT JOIN history_fallbacks f ON f.model = r.model
      LEFT JOIN sleeps dz ON dz.id = r.doze_id
  ), v AS (
    -- Awake until its doze at its whole watts (the doze's credit plus the stop's after it), then dozed at the stop's.
    SELECT model, at, COALESCE(doze_at, end_at) AS end_at, watts + doze_watts AS watts, sigma + doze_sigma AS sigma,
      estimated FROM u
    UNION ALL
    SELECT model, doze_at AS at, end_at, watts, sigma, estimated FROM u WHERE doze_at IS NOT NULL
  )
  SELECT b.i AS i, v.model AS model,
    SUM(MAX(0, MIN(v.end_at, b.end_at) - MAX(v.at, b.start_at)) * v.watts / 1000.0) AS used_joules,
    SUM(MAX(0, MIN(v.end_at, b.end_at) - MAX(v.at, b.start_at)) * v.sigma / 1000.0) AS sigma_joules,
    MAX(v.estimated) AS estimated
  FROM v CROSS JOIN history_buckets b ON b.start_at > v.at - $max_bucket_ms AND b.start_at < v.end_at
  WHERE b.end_at > v.at
  GROUP BY b.i, v.model`;

/** One model's awake energy in one bucket. */
export interface AwakeUsedRow {
  readonly bucket: number;
  readonly model: string;
  readonly usedJoules: number;
  /** One standard uncertainty, added linearly as the savings' are (one fit behind each model's credits). */
  readonly uncertaintyJoules: number;
  readonly estimated: boolean;
}

/** The awake-energy query over the buckets and fallbacks in this connection's temp tables (`HistorySums`). */
export class AwakeUsedSums {
  private readonly statement: Statement;

  constructor(db: Database) {
    this.statement = db.prepare(AWAKE_USED_SUMS);
  }

  /** Runs with the same parameters as the savings' sums. */
  run(params: Record<string, unknown>): AwakeUsedRow[] {
    return (this.statement.all(params) as Record<string, unknown>[]).map((r) => ({
      bucket: Number(r.i),
      model: String(r.model),
      usedJoules: Number(r.used_joules),
      uncertaintyJoules: Number(r.sigma_joules),
      estimated: Number(r.estimated) !== 0,
    }));
  }
}
