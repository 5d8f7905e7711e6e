// The ledger's requests (issue 16): settled requests written through the write queue, single ones pruned after
// `rawRetentionDays`, and the figures read back: totals per model with their "all-in" energy, days, CSV.
import type { Database } from 'better-sqlite3';
import type { Clock, TimerHandle } from '../clock/clock';
import type { BucketTimeZone } from './buckets';
import { bucketStartAt } from './buckets';
import { toCsv } from './csv';
import { calendarKey } from './history-days';
import { dateText } from './ledger-csv';
import type { RequestDay, RequestRow, RequestTotals } from './request-store';
import { RequestStore } from './request-store';
import type { WriteQueue } from './write-queue';

const DAY_MS = 86_400_000;
/** Single requests past retention are deleted at most this often. */
const PRUNE_EVERY_MS = 3_600_000;
/**
 * Settled requests wait this long to be committed together: one transaction (and, with synchronous=FULL, one fsync)
 * per request held the event loop for each and took `siesta serve` from ~7,500 to ~200 requests a second.
 */
const BATCH_MS = 1_000;
/** ...or until this many wait. */
const BATCH_ROWS = 2_000;

/** A model's totals with its share of all the GPUs' energy. */
export interface ModelRequestTotals extends RequestTotals {
  /** Marginal joules plus its share (by tokens) of the GPUs' energy no request was charged: idle and wakes. */
  readonly allInJoules: number;
}

/** What requests cost over a period. */
export interface RequestSummary {
  /** The first day's start (the period is read in whole days) and the end. */
  readonly fromAt: number;
  readonly toAt: number;
  readonly models: readonly ModelRequestTotals[];
  /** All GPUs' measured energy over the period. */
  readonly gpuJoules: number;
}

/** What the request log needs of the ledger. */
export interface RequestLogOptions {
  readonly db: Database;
  readonly writes: WriteQueue;
  readonly clock: Clock;
  readonly timeZone: BucketTimeZone;
  readonly rawRetentionDays: number;
  readonly assertOpen: () => void;
}

/** Requests in the ledger. */
export class RequestLog {
  private readonly store: RequestStore;
  private prunedAt = -Infinity;
  private pending: RequestRow[] = [];
  private timer: TimerHandle | null = null;

  constructor(private readonly o: RequestLogOptions) {
    this.store = new RequestStore(o.db, calendarKey(o.timeZone));
  }

  /**
   * Takes settled requests; they are committed together within `BATCH_MS` (queued and retried like events when the
   * disk refuses), at once when read back, and when the ledger closes.
   */
  record(rows: readonly RequestRow[]): void {
    this.o.assertOpen();
    if (rows.length === 0) return;
    this.pending.push(...rows);
    if (this.pending.length >= BATCH_ROWS) this.flush();
    else this.timer ??= this.o.clock.setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Commits the requests waiting for their batch now. */
  flush(): void {
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    const now = this.o.clock.now();
    const prune = now - this.prunedAt >= PRUNE_EVERY_MS;
    if (prune) this.prunedAt = now;
    this.o.writes.write(() => {
      this.store.insert(rows, (at) => bucketStartAt(at, 'day', this.o.timeZone));
      if (prune) this.store.prune(now - this.o.rawRetentionDays * DAY_MS);
    }, 'save requests to');
  }

  /** Totals per model of the days from the one holding `fromAt` to `toAt`, each with its all-in energy. */
  summary(fromAt: number, toAt: number): RequestSummary {
    this.o.assertOpen();
    this.flush();
    const dayAt = bucketStartAt(fromAt, 'day', this.o.timeZone);
    const totals = this.store.totals(dayAt, toAt);
    const gpuJoules = this.store.gpuJoules(dayAt, toAt);
    const marginal = totals.reduce((n, t) => n + t.marginalJoules, 0);
    const tokens = totals.reduce((n, t) => n + t.promptTokens + t.completionTokens, 0);
    const unshared = Math.max(0, gpuJoules - marginal);
    const models = totals.map((t) => ({
      ...t,
      allInJoules:
        t.marginalJoules +
        (tokens > 0 ? (unshared * (t.promptTokens + t.completionTokens)) / tokens : 0),
    }));
    return { fromAt: dayAt, toAt, models, gpuJoules };
  }

  /** Figures per day and model. */
  days(fromAt: number, toAt: number): RequestDay[] {
    this.o.assertOpen();
    this.flush();
    return this.store.days(bucketStartAt(fromAt, 'day', this.o.timeZone), toAt);
  }

  /** Single requests in [fromAt, toAt) still kept, oldest first, at most `limit`. */
  recent(fromAt: number, toAt: number, limit = 10_000): (RequestRow & { id: number })[] {
    this.o.assertOpen();
    this.flush();
    return this.store.recent(fromAt, toAt, limit);
  }

  /** Requests per day and model as CSV with a header row. */
  dailyCsv(fromAt: number, toAt: number): string {
    return toCsv(
      [
        'date',
        'model',
        'requests',
        'failed',
        'prompt_tokens',
        'completion_tokens',
        'estimated_requests',
        'measured_requests',
        'marginal_joules',
        'marginal_kwh',
        'mean_first_byte_ms',
      ],
      this.days(fromAt, toAt).map((d) => [
        dateText(d.dayStartAt, this.o.timeZone),
        d.model,
        d.requests,
        d.failed,
        d.promptTokens,
        d.completionTokens,
        d.estimated,
        d.measured,
        Number(d.marginalJoules.toFixed(3)),
        Number((d.marginalJoules / 3_600_000).toFixed(9)),
        d.firstByteMsMean === null ? null : Math.round(d.firstByteMsMean),
      ]),
    );
  }
}
