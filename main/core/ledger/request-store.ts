// The request tables (issue 16): one row per forwarded request, kept `rawRetentionDays`, and a roll-up per day, model
// and client that is kept for good; totals per model over a period, and the GPUs' whole energy for "all-in" shares.
import type { Database, Statement } from 'better-sqlite3';

/** One forwarded request, as stored. */
export interface RequestRow {
  /** Epoch ms when the model was handed the request. */
  readonly at: number;
  readonly model: string;
  /** `key:` and 12 hex digits of the API key's hash, or the User-Agent. */
  readonly client: string;
  /** The model's status code; 0 when none came. */
  readonly status: number;
  readonly complete: boolean;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Tokens estimated (the model reported no usage). */
  readonly estimated: boolean;
  readonly firstByteMs: number | null;
  readonly durationMs: number;
  /** GPU energy above idle, shared by tokens; null when no reading covered it. */
  readonly marginalJoules: number | null;
}

/** A model's requests over a period. */
export interface RequestTotals {
  readonly model: string;
  readonly requests: number;
  readonly failed: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Requests whose tokens are estimated. */
  readonly estimated: number;
  /** Requests with a measured energy. */
  readonly measured: number;
  readonly marginalJoules: number;
  readonly durationMs: number;
  readonly firstByteMsMean: number | null;
}

/** A day's figures of one model (for the CSV). */
export interface RequestDay extends RequestTotals {
  readonly dayStartAt: number;
}

interface TotalsRow {
  model: string;
  requests: number;
  failed: number;
  prompt_tokens: number;
  completion_tokens: number;
  estimated: number;
  measured: number;
  marginal_millijoules: number;
  duration_ms: number;
  first_byte_ms: number;
  first_byte_count: number;
  day_start_at?: number;
}

const SUMS = `SUM(requests) AS requests, SUM(failed) AS failed, SUM(prompt_tokens) AS prompt_tokens,
  SUM(completion_tokens) AS completion_tokens, SUM(estimated) AS estimated, SUM(measured) AS measured,
  SUM(marginal_millijoules) AS marginal_millijoules, SUM(duration_ms) AS duration_ms,
  SUM(first_byte_ms) AS first_byte_ms, SUM(first_byte_count) AS first_byte_count`;

function totalsOf(r: TotalsRow): RequestTotals {
  return {
    model: r.model,
    requests: r.requests,
    failed: r.failed,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    estimated: r.estimated,
    measured: r.measured,
    marginalJoules: r.marginal_millijoules / 1000,
    durationMs: r.duration_ms,
    firstByteMsMean: r.first_byte_count > 0 ? r.first_byte_ms / r.first_byte_count : null,
  };
}

/** Reads and writes the request tables; every method runs inside the caller's transaction, if any. */
export class RequestStore {
  private readonly insertRow: Statement;
  private readonly upsertDay: Statement;
  private readonly deleteOld: Statement;

  constructor(
    private readonly db: Database,
    private readonly calendar: string,
  ) {
    this.insertRow = db.prepare(
      `INSERT INTO requests (at, model, client, status, complete, prompt_tokens, completion_tokens, estimated,
        first_byte_ms, duration_ms, marginal_millijoules) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsertDay = db.prepare(
      `INSERT INTO request_days (calendar, day_start_at, model, client, requests, failed, prompt_tokens, completion_tokens,
        estimated, measured, marginal_millijoules, duration_ms, first_byte_ms, first_byte_count)
       VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (calendar, day_start_at, model, client) DO UPDATE SET
        requests = requests + 1, failed = failed + excluded.failed,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        estimated = estimated + excluded.estimated, measured = measured + excluded.measured,
        marginal_millijoules = marginal_millijoules + excluded.marginal_millijoules,
        duration_ms = duration_ms + excluded.duration_ms,
        first_byte_ms = first_byte_ms + excluded.first_byte_ms,
        first_byte_count = first_byte_count + excluded.first_byte_count`,
    );
    this.deleteOld = db.prepare('DELETE FROM requests WHERE at < ?');
  }

  /** Stores requests and adds them to their day's roll-up (`dayStartOf` gives the day in the ledger's calendar). */
  insert(rows: readonly RequestRow[], dayStartOf: (at: number) => number): void {
    for (const r of rows) {
      const millijoules = r.marginalJoules === null ? null : Math.round(r.marginalJoules * 1000);
      const firstByteMs = r.firstByteMs === null ? null : Math.round(r.firstByteMs);
      const failed = !r.complete || r.status === 0 || r.status >= 400 ? 1 : 0;
      this.insertRow.run(
        r.at,
        r.model,
        r.client,
        r.status,
        r.complete ? 1 : 0,
        r.promptTokens,
        r.completionTokens,
        r.estimated ? 1 : 0,
        firstByteMs,
        Math.round(r.durationMs),
        millijoules,
      );
      this.upsertDay.run(
        this.calendar,
        dayStartOf(r.at),
        r.model,
        r.client,
        failed,
        r.promptTokens,
        r.completionTokens,
        r.estimated ? 1 : 0,
        millijoules === null ? 0 : 1,
        millijoules ?? 0,
        Math.round(r.durationMs),
        firstByteMs ?? 0,
        firstByteMs === null ? 0 : 1,
      );
    }
  }

  /** Deletes single requests older than `beforeAt` (their days' roll-ups stay). */
  prune(beforeAt: number): void {
    this.deleteOld.run(beforeAt);
  }

  /** Totals per model of the days starting in [fromDayAt, toAt). */
  totals(fromDayAt: number, toAt: number): RequestTotals[] {
    const rows = this.db
      .prepare(
        `SELECT model, ${SUMS} FROM request_days WHERE calendar = ? AND day_start_at >= ? AND day_start_at < ?
         GROUP BY model ORDER BY model`,
      )
      .all(this.calendar, fromDayAt, toAt) as TotalsRow[];
    return rows.map(totalsOf);
  }

  /** Figures per day and model of the days starting in [fromDayAt, toAt). */
  days(fromDayAt: number, toAt: number): RequestDay[] {
    const rows = this.db
      .prepare(
        `SELECT day_start_at, model, ${SUMS} FROM request_days WHERE calendar = ? AND day_start_at >= ? AND day_start_at < ?
         GROUP BY day_start_at, model ORDER BY day_start_at, model`,
      )
      .all(this.calendar, fromDayAt, toAt) as TotalsRow[];
    return rows.map((r) => ({ ...totalsOf(r), dayStartAt: r.day_start_at ?? 0 }));
  }

  /** Single requests in [fromAt, toAt), oldest first (only those still kept). */
  recent(fromAt: number, toAt: number, limit: number): (RequestRow & { id: number })[] {
    const rows = this.db
      .prepare(
        `SELECT id, at, model, client, status, complete, prompt_tokens, completion_tokens, estimated, first_byte_ms,
          duration_ms, marginal_millijoules FROM requests WHERE at >= ? AND at < ? ORDER BY at LIMIT ?`,
      )
      .all(fromAt, toAt, limit) as {
      id: number;
      at: number;
      model: string;
      client: string;
      status: number;
      complete: number;
      prompt_tokens: number;
      completion_tokens: number;
      estimated: number;
      first_byte_ms: number | null;
      duration_ms: number;
      marginal_millijoules: number | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      model: r.model,
      client: r.client,
      status: r.status,
      complete: r.complete === 1,
      promptTokens: r.prompt_tokens,
      completionTokens: r.completion_tokens,
      estimated: r.estimated === 1,
      firstByteMs: r.first_byte_ms,
      durationMs: r.duration_ms,
      marginalJoules: r.marginal_millijoules === null ? null : r.marginal_millijoules / 1000,
    }));
  }

  /** Every GPU's measured energy (joules) in the minutes starting in [fromAt, toAt): what "all-in" shares out. */
  gpuJoules(fromAt: number, toAt: number): number {
    const row = this.db
      .prepare(
        'SELECT COALESCE(SUM(energy_millijoules), 0) AS mj FROM power_minutes WHERE start_at >= ? AND start_at < ?',
      )
      .get(fromAt, toAt) as { mj: number };
    return row.mj / 1000;
  }
}
