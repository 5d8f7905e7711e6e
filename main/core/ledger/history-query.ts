// The ledger's sums over time: history buckets and totals, read from the day cache for settled days and summed now
// for the rest; the day cache is warmed a few days per flush in the background so no query pays for a whole year.
import type { Clock } from '../clock/clock';
import type { BucketRange, BucketTimeZone } from './buckets';
import { bucketRanges, bucketStartAt, nextBucketStartAt } from './buckets';
import type { EventStore } from './event-store';
import type { HistoryFigures, HistoryModelRow } from './history';
import { addSums, assembleHistory, assembleTotals } from './history';
import type { HistoryDays } from './history-days';
import type { CreditFallback, ModelSums, SpanSums } from './history-sums';
import type { HistorySums } from './history-sums';
import type { HistoryQuery, HistoryResult, SavedTotals } from './ledger-types';
import type { Pricing } from './savings';

const DAY_MS = 86_400_000;
/** Settled days summed into the day cache per flush in the background (about 1-2 ms a day). */
const WARM_DAYS_PER_FLUSH = 14;

/** What history queries read. */
export interface HistoryQueryParts {
  readonly clock: Clock;
  readonly store: EventStore;
  readonly sums: HistorySums;
  readonly days: HistoryDays;
  readonly timeZone: BucketTimeZone;
  readonly pricing: () => Pricing;
  readonly fallbacks: () => CreditFallback[];
}

/** History, totals since a time and a model's whole-life totals; the day cache and its warming. */
export class HistoryQueries {
  /** Settled days before this are in the day cache (filled a few days per flush, so no query pays for a year). */
  private warmedBeforeAt = -Infinity;

  constructor(private readonly parts: HistoryQueryParts) {}

  /** Saved energy, money, CO2, wakes, wake times and hours awake and asleep per bucket and model. */
  history(query: HistoryQuery): HistoryResult {
    if (!(query.to > query.from))
      throw new RangeError(`history: "to" (${query.to}) must be after "from" (${query.from})`);
    const { timeZone } = this.parts;
    const ranges = clip(
      bucketRanges(query.from, query.to, query.bucket, timeZone),
      query.from,
      query.to,
    );
    const sums = this.compute(ranges, query.model, query.bucket !== 'hour');
    const pricing = this.parts.pricing();
    return {
      from: query.from,
      to: query.to,
      bucket: query.bucket,
      timeZone,
      buckets: assembleHistory(ranges, sums, pricing),
      ...assembleTotals(sums, pricing),
    };
  }

  /** Totals from `at` to now, e.g. "energy saved today" with `at` = local midnight. */
  savedSince(at: number): SavedTotals {
    const to = Math.max(at, this.parts.clock.now());
    const totals = assembleTotals(
      this.compute([{ startAt: at, endAt: to }], undefined, to - at > DAY_MS),
      this.parts.pricing(),
    );
    return { ...totals.total, from: at, to, byModel: totals.models };
  }

  /** A model's totals from the ledger's first record to now. */
  modelTotal(model: string): { total: HistoryFigures; models: HistoryModelRow[] } {
    const now = this.parts.clock.now();
    const fromAt = Math.min(now, this.parts.store.earliestRecordAt() ?? now);
    return assembleTotals(
      this.compute([{ startAt: fromAt, endAt: Math.max(fromAt + 1, now) }], model, true),
      this.parts.pricing(),
    );
  }

  /** Cached days from `at` on are stale (a late event): drop them and warm again from the start. */
  forgetFrom(at: number): void {
    this.parts.days.forgetFrom(at);
    this.warmedBeforeAt = -Infinity;
  }

  /** Every cached day is stale (changed credits). */
  forgetAll(): void {
    this.parts.days.forgetAll();
    this.warmedBeforeAt = -Infinity;
  }

  /**
   * Fills the day cache for settled days not in it yet, `WARM_DAYS_PER_FLUSH` days per call (a few ms each), so the
   * first history query of a long-running ledger reads cached days instead of summing a year. Returns whether more
   * days wait (the caller flushes again soon).
   */
  warmDayCache(): boolean {
    const { clock, store, timeZone } = this.parts;
    const now = clock.now();
    try {
      const settledBeforeAt = this.settledBeforeAt(now);
      if (this.warmedBeforeAt >= settledBeforeAt) return false;
      const firstAt = store.earliestRecordAt();
      if (firstAt === null) {
        this.warmedBeforeAt = settledBeforeAt;
        return false;
      }
      const fromAt = bucketStartAt(Math.max(firstAt, this.warmedBeforeAt), 'day', timeZone);
      const days = bucketRanges(fromAt, settledBeforeAt, 'day', timeZone)
        .filter((d) => d.endAt <= settledBeforeAt)
        .slice(0, WARM_DAYS_PER_FLUSH);
      const last = days[days.length - 1];
      if (!last) {
        this.warmedBeforeAt = settledBeforeAt;
        return false;
      }
      this.parts.days.daySums(days, now, this.parts.fallbacks());
      this.warmedBeforeAt = last.endAt;
      return last.endAt < settledBeforeAt;
    } catch {
      // Only a slower first query: the cache fills on that query instead; write trouble is reported by the writes.
      return false;
    }
  }

  /** Today's start, or the oldest measurement still pending: days before it no longer change. */
  private settledBeforeAt(now: number): number {
    return Math.min(
      bucketStartAt(now, 'day', this.parts.timeZone),
      this.parts.store.earliestPendingAt() ?? Infinity,
    );
  }

  /**
   * Sums each range per model. With `byDays`, whole days before the settled horizon come from the day cache; the
   * rest is summed now.
   */
  private compute(
    ranges: readonly BucketRange[],
    model: string | undefined,
    byDays: boolean,
  ): SpanSums {
    const { clock, sums: spanSummer, days: dayCache, timeZone } = this.parts;
    const now = clock.now();
    const fallbacks = this.parts.fallbacks();
    if (!byDays) return spanSummer.run(ranges, now, model, fallbacks);

    const settledBeforeAt = this.settledBeforeAt(now);
    const days: { range: BucketRange; bucket: number }[] = [];
    const spans: { range: BucketRange; bucket: number }[] = [];
    ranges.forEach((r, bucket) => {
      for (let cursor = r.startAt; cursor < r.endAt;) {
        const dayStartAt = bucketStartAt(cursor, 'day', timeZone);
        const dayEndAt = nextBucketStartAt(dayStartAt, 'day', timeZone);
        if (dayStartAt === cursor && dayEndAt <= r.endAt && dayEndAt <= settledBeforeAt) {
          days.push({ range: { startAt: dayStartAt, endAt: dayEndAt }, bucket });
        } else {
          const endAt = Math.min(r.endAt, dayEndAt);
          const previous = spans[spans.length - 1];
          if (previous && previous.bucket === bucket && previous.range.endAt === cursor)
            previous.range = { startAt: previous.range.startAt, endAt };
          else spans.push({ range: { startAt: cursor, endAt }, bucket });
        }
        cursor = dayEndAt;
      }
    });

    const perBucket = ranges.map(() => new Map<string, ModelSums[]>());
    const add = (bucket: number, sums: ModelSums): void => {
      if (model !== undefined && sums.model !== model) return;
      const map = perBucket[bucket] as Map<string, ModelSums[]>;
      const list = map.get(sums.model);
      if (list) list.push(sums);
      else map.set(sums.model, [sums]);
    };
    const daySums = dayCache.daySums(
      days.map((d) => d.range),
      now,
      fallbacks,
    );
    for (const d of days)
      for (const sums of daySums.get(d.range.startAt) ?? []) add(d.bucket, sums);
    const spanSums = spanSummer.run(
      spans.map((s) => s.range),
      now,
      model,
      fallbacks,
    );
    spans.forEach((s, i) => {
      for (const sums of spanSums[i] ?? []) add(s.bucket, sums);
    });
    return perBucket.map((m) =>
      [...m].map(([name, list]) =>
        list.length === 1 ? (list[0] as ModelSums) : addSums(name, list),
      ),
    );
  }
}

/** Clips the first and last bucket to [fromAt, toAt). */
function clip(ranges: readonly BucketRange[], fromAt: number, toAt: number): BucketRange[] {
  return ranges.map((r) => ({
    startAt: Math.max(r.startAt, fromAt),
    endAt: Math.min(r.endAt, toAt),
  }));
}
