// The idle gaps of one model (from the end of a use to the next arrival), kept for the adaptive policy.

/** One idle period: the model had nothing in flight from `startAt` until a request arrived at `endAt`. */
export interface IdleGap {
  readonly startAt: number;
  readonly endAt: number;
}

/** A gap length with the weight it carries in a histogram. */
export interface WeightedGap {
  readonly gapMs: number;
  readonly weight: number;
}

/** What the history answers about one past day at the same time of day. */
export type PastDayAt =
  | { readonly kind: 'no-history' }
  /** The model was in use at that moment. */
  | { readonly kind: 'busy' }
  /** It was idle, and the next request came `inMs` later. */
  | { readonly kind: 'idle'; readonly inMs: number };

/** A day in ms (the time-of-day arithmetic ignores daylight-saving shifts: they move patterns by an hour twice a year). */
export const DAY_MS = 86_400_000;

/** The gaps of one model, oldest first, bounded in age and count. */
export class GapHistory {
  private gaps: IdleGap[] = [];

  constructor(private readonly limits: { readonly maxAgeMs: number; readonly maxGaps: number }) {}

  /** Records a gap; gaps must come in time order (a gap that starts before the last one's end is ignored). */
  add(gap: IdleGap): void {
    if (!(gap.endAt >= gap.startAt)) return;
    const last = this.gaps[this.gaps.length - 1];
    if (last && gap.startAt < last.endAt) return;
    this.gaps.push(gap);
    const tooOld = gap.endAt - this.limits.maxAgeMs;
    let drop = Math.max(0, this.gaps.length - this.limits.maxGaps);
    while (drop < this.gaps.length && (this.gaps[drop]?.endAt ?? Infinity) < tooOld) drop++;
    if (drop > 0) this.gaps = this.gaps.slice(drop);
  }

  /** How many gaps are kept. */
  size(): number {
    return this.gaps.length;
  }

  /** Every kept gap, oldest first. */
  all(): readonly IdleGap[] {
    return this.gaps;
  }

  /** Every gap, weighted by recency (halving every `halfLifeMs` before `now`). */
  weighted(now: number, halfLifeMs: number): WeightedGap[] {
    return this.gaps.map((g) => ({
      gapMs: g.endAt - g.startAt,
      weight: decay(now - g.endAt, halfLifeMs),
    }));
  }

  /**
   * Every gap, weighted by recency, and `boost` times more when it began on an earlier day within `windowMs`
   * of `now`'s time of day (so a lunch break or a nightly job shapes the decision at that hour).
   */
  weightedByTimeOfDay(
    now: number,
    halfLifeMs: number,
    windowMs: number,
    boost: number,
  ): { gaps: WeightedGap[]; nearCount: number } {
    let nearCount = 0;
    const gaps = this.gaps.map((g) => {
      const near = now - g.startAt > windowMs && timeOfDayDistanceMs(g.startAt, now) <= windowMs;
      if (near) nearCount++;
      return {
        gapMs: g.endAt - g.startAt,
        weight: decay(now - g.endAt, halfLifeMs) * (near ? boost : 1),
      };
    });
    return { gaps, nearCount };
  }

  /** Whether the model was busy or idle at instant `at` in the past, and if idle, how long until the next arrival. */
  at(at: number): PastDayAt {
    const first = this.gaps[0];
    const last = this.gaps[this.gaps.length - 1];
    if (!first || !last || at < first.startAt || at >= last.endAt) return { kind: 'no-history' };
    // The last gap that started at or before `at`.
    let lo = 0;
    let hi = this.gaps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.gaps[mid]?.startAt ?? Infinity) <= at) lo = mid;
      else hi = mid - 1;
    }
    const gap = this.gaps[lo];
    if (gap && at < gap.endAt) return { kind: 'idle', inMs: gap.endAt - at };
    return { kind: 'busy' };
  }
}

/** The distance between two instants' times of day, 0 .. 12 h. */
export function timeOfDayDistanceMs(a: number, b: number): number {
  const d = (((a - b) % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.min(d, DAY_MS - d);
}

function decay(ageMs: number, halfLifeMs: number): number {
  if (halfLifeMs <= 0) return 1;
  return Math.pow(0.5, Math.max(0, ageMs) / halfLifeMs);
}
