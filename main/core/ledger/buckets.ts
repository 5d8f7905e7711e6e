// Calendar buckets for the history view: hours, days, ISO weeks (Monday first) and months, in local time or UTC.

/** The size of a history bucket. */
export type BucketSize = 'hour' | 'day' | 'week' | 'month';

/** Whose calendar the buckets follow: the machine's local time zone (DST-aware) or UTC. */
export type BucketTimeZone = 'local' | 'utc';

/** One bucket: [startAt, endAt). */
export interface BucketRange {
  readonly startAt: number;
  readonly endAt: number;
}

interface CalendarParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  weekday: number;
}

function partsOf(at: number, timeZone: BucketTimeZone): CalendarParts {
  const d = new Date(at);
  return timeZone === 'utc'
    ? {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth(),
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        weekday: d.getUTCDay(),
      }
    : {
        year: d.getFullYear(),
        month: d.getMonth(),
        day: d.getDate(),
        hour: d.getHours(),
        weekday: d.getDay(),
      };
}

function timeOf(
  timeZone: BucketTimeZone,
  year: number,
  month: number,
  day: number,
  hour = 0,
): number {
  return timeZone === 'utc'
    ? Date.UTC(year, month, day, hour)
    : new Date(year, month, day, hour).getTime();
}

/** The start of the bucket holding `at`. */
export function bucketStartAt(at: number, size: BucketSize, timeZone: BucketTimeZone): number {
  const p = partsOf(at, timeZone);
  switch (size) {
    case 'hour':
      // Whole-hour offsets are the norm; a half-hour zone still gets hours aligned to its own clock.
      return timeOf(timeZone, p.year, p.month, p.day, p.hour);
    case 'day':
      return timeOf(timeZone, p.year, p.month, p.day);
    case 'week': {
      const sinceMonday = (p.weekday + 6) % 7;
      return timeOf(timeZone, p.year, p.month, p.day - sinceMonday);
    }
    case 'month':
      return timeOf(timeZone, p.year, p.month, 1);
  }
}

/** The start of the bucket after the one starting at `startAt`. */
export function nextBucketStartAt(
  startAt: number,
  size: BucketSize,
  timeZone: BucketTimeZone,
): number {
  const p = partsOf(startAt, timeZone);
  switch (size) {
    case 'hour': {
      // Step by the clock, not by 3,600,000 ms, so a DST change gives a 0- or 2-hour bucket only where the clock jumps.
      const next = timeOf(timeZone, p.year, p.month, p.day, p.hour + 1);
      return next > startAt ? next : startAt + 3_600_000;
    }
    case 'day':
      return timeOf(timeZone, p.year, p.month, p.day + 1);
    case 'week':
      return timeOf(timeZone, p.year, p.month, p.day + 7);
    case 'month':
      return timeOf(timeZone, p.year, p.month + 1, 1);
  }
}

/** Every bucket that overlaps [fromAt, toAt), in order; the first starts at or before `fromAt`. */
export function bucketRanges(
  fromAt: number,
  toAt: number,
  size: BucketSize,
  timeZone: BucketTimeZone,
): BucketRange[] {
  const ranges: BucketRange[] = [];
  let startAt = bucketStartAt(fromAt, size, timeZone);
  while (startAt < toAt) {
    const endAt = nextBucketStartAt(startAt, size, timeZone);
    ranges.push({ startAt, endAt });
    startAt = endAt;
  }
  return ranges;
}

/** Index of the range holding `at` in sorted, contiguous `ranges`, or -1. */
export function bucketIndexOf(ranges: readonly BucketRange[], at: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid] as BucketRange;
    if (at < r.startAt) hi = mid - 1;
    else if (at >= r.endAt) lo = mid + 1;
    else return mid;
  }
  return -1;
}
