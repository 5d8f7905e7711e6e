// The ledger's writes: events and other rows committed at once in their own transaction (or queued behind earlier
// ones while the disk refuses them), power samples batched per flush; failures retried with backoff and reported.
import type { Database } from 'better-sqlite3';
import type { Clock, TimerHandle } from '../clock/clock';
import { LedgerError, ledgerErrorFrom } from './ledger-error';
import type { SampleRow } from './power-store';

/** One write, run inside a transaction. */
export type WriteOp = () => void;

/** What the write queue needs. */
export interface WriteQueueOptions {
  readonly db: Database;
  readonly clock: Clock;
  /** The ledger's file, for messages. */
  readonly path: string;
  /** When given, failures are reported here and retried; without it they throw (see `LedgerOptions.onError`). */
  readonly onError?: (error: LedgerError) => void;
  readonly flushIntervalMs: number;
  readonly maxBatchRows: number;
  readonly maxBufferedSamples: number;
  /**
   * Runs inside the flush's transaction after the queued writes: commits `rows` (maybe none) and does the work that
   * follows them; returns when a flush is due again for work still pending (Infinity when none).
   */
  readonly commit: (rows: readonly SampleRow[], now: number) => number;
  /** After a flush failed and its transaction rolled back: caches filled inside it may be stale. */
  readonly onRolledBack: () => void;
  /** After each timed flush: background work such as warming a cache. */
  readonly afterTimedFlush: () => void;
}

/** Queued writes and buffered samples, the flush timer and the backoff while the disk refuses writes. */
export class WriteQueue {
  private buffer: SampleRow[] = [];
  private queue: WriteOp[] = [];
  private failingError: LedgerError | null = null;
  private unthrown: LedgerError | null = null;
  private failures = 0;
  private retryAt = 0;
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly options: WriteQueueOptions) {}

  /** The last write failure while writes fail; null once a flush succeeds. */
  get failing(): LedgerError | null {
    return this.failingError;
  }

  /** Samples waiting in memory to be committed. */
  get bufferedSamples(): number {
    return this.buffer.length;
  }

  /** Writes waiting for the disk to accept them. */
  get queuedWrites(): number {
    return this.queue.length;
  }

  /**
   * Buffers samples; they are committed within `flushIntervalMs` (or at `maxBatchRows`). Without `onError`, a failed
   * background flush is thrown from here; the samples stay buffered for the retry.
   */
  addSamples(rows: readonly SampleRow[]): void {
    for (const row of rows) this.buffer.push(row);
    if (this.buffer.length > this.options.maxBufferedSamples) {
      const dropped = this.buffer.length - this.options.maxBufferedSamples;
      this.buffer = this.buffer.slice(dropped);
      this.report(
        new LedgerError(
          'samples-dropped',
          `The energy ledger ${this.options.path} could not be written for a while: dropped the ${dropped} oldest unsaved power samples (events are kept). ${this.failingError?.message ?? ''}`.trim(),
          this.options.path,
        ),
      );
    }
    const now = this.options.clock.now();
    if (this.buffer.length >= this.options.maxBatchRows && now >= this.retryAt) this.writeAll();
    else this.schedule(Math.max(now + this.options.flushIntervalMs, this.retryAt));
    this.throwUnthrown();
  }

  /** Runs a write now in its own transaction, or behind earlier writes that wait for the disk. */
  write(op: WriteOp, action: string): void {
    if (this.queue.length > 0) {
      this.queue.push(op);
      if (this.options.clock.now() >= this.retryAt) this.writeAll();
      return;
    }
    try {
      this.options.db.transaction(op).immediate();
    } catch (error: unknown) {
      const ledgerError = ledgerErrorFrom(error, this.options.path, action);
      if (!this.options.onError) throw ledgerError;
      this.queue.push(op);
      this.fail(ledgerError);
    }
  }

  /** Commits buffered samples and queued writes now. Without `onError` a failure throws. */
  flush(): void {
    this.writeAll();
    this.throwUnthrown();
  }

  /** Sets the flush timer to fire at `at` unless it already fires earlier. */
  schedule(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    const clock = this.options.clock;
    if (this.timer) clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = clock.setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.writeAll();
      this.options.afterTimedFlush();
    }, at - clock.now());
  }

  /** A problem to report: to `onError`, or thrown from the next record call without it. */
  report(error: LedgerError): void {
    if (this.options.onError) this.options.onError(error);
    else this.unthrown = error;
  }

  /** Commits what it can, stops the timer and returns what could not be saved (null when nothing was lost). */
  stop(): LedgerError | null {
    if (this.stopped) return null;
    this.writeAll();
    const failing = this.failingError;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    this.stopped = true;
    if (!failing) return null;
    return new LedgerError(
      failing.code,
      `${failing.message} Closing anyway: ${this.buffer.length} power samples and ${this.queue.length} events were not saved.`,
      this.options.path,
      { cause: failing },
    );
  }

  private throwUnthrown(): void {
    const error = this.unthrown;
    if (error) {
      this.unthrown = null;
      throw error;
    }
  }

  /** Commits queued writes, then buffered samples and what follows them (`commit`), in one transaction. */
  private writeAll(): void {
    if (this.stopped) return;
    const clock = this.options.clock;
    if (this.timer) clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    const now = clock.now();
    const ops = this.queue;
    const rows = this.buffer;
    let nextDueAt = Infinity;
    try {
      this.options.db
        .transaction(() => {
          for (const op of ops) op();
          nextDueAt = this.options.commit(rows, now);
        })
        .immediate();
    } catch (error: unknown) {
      this.options.onRolledBack();
      this.fail(ledgerErrorFrom(error, this.options.path, 'save to'));
      return;
    }
    this.queue = this.queue.slice(ops.length);
    this.buffer = this.buffer.slice(rows.length);
    this.failingError = null;
    this.failures = 0;
    this.retryAt = 0;
    if (this.buffer.length > 0) this.schedule(now + this.options.flushIntervalMs);
    if (nextDueAt < Infinity) this.schedule(nextDueAt);
  }

  private fail(error: LedgerError): void {
    this.failingError = error;
    this.failures += 1;
    const backoffMs = Math.min(30_000, 1000 * 2 ** Math.min(10, this.failures - 1));
    this.retryAt = this.options.clock.now() + backoffMs;
    this.schedule(this.retryAt);
    this.report(error);
  }
}
