// Unit tests of the history's calendar buckets.
import { describe, expect, it } from 'vitest';
import { bucketIndexOf, bucketRanges, bucketStartAt, nextBucketStartAt } from './buckets';

const utc = (iso: string): number => Date.parse(iso);

describe('history buckets', () => {
  it('starts hours, days, ISO weeks (Monday) and months where the calendar does', () => {
    const at = utc('2026-03-12T15:42:10Z'); // a Thursday
    expect(bucketStartAt(at, 'hour', 'utc')).toBe(utc('2026-03-12T15:00:00Z'));
    expect(bucketStartAt(at, 'day', 'utc')).toBe(utc('2026-03-12T00:00:00Z'));
    expect(bucketStartAt(at, 'week', 'utc')).toBe(utc('2026-03-09T00:00:00Z'));
    expect(bucketStartAt(at, 'month', 'utc')).toBe(utc('2026-03-01T00:00:00Z'));
    expect(bucketStartAt(utc('2026-03-15T23:00:00Z'), 'week', 'utc')).toBe(
      utc('2026-03-09T00:00:00Z'),
    ); // Sunday
    expect(nextBucketStartAt(utc('2026-12-01T00:00:00Z'), 'month', 'utc')).toBe(
      utc('2027-01-01T00:00:00Z'),
    );
    expect(nextBucketStartAt(utc('2026-02-01T00:00:00Z'), 'month', 'utc')).toBe(
      utc('2026-03-01T00:00:00Z'),
    );
  });

  it('covers a span with contiguous buckets, the first starting before it', () => {
    const ranges = bucketRanges(
      utc('2026-01-30T12:00:00Z'),
      utc('2026-02-02T00:00:00Z'),
      'day',
      'utc',
    );
    expect(ranges.map((r) => new Date(r.startAt).toISOString().slice(0, 10))).toEqual([
      '2026-01-30',
      '2026-01-31',
      '2026-02-01',
    ]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.startAt).toBe(ranges[i - 1]?.endAt);
    expect(bucketIndexOf(ranges, utc('2026-01-31T23:59:59Z'))).toBe(1);
    expect(bucketIndexOf(ranges, utc('2026-02-02T00:00:00Z'))).toBe(-1);
  });

  it('has a year of daily buckets in 2026 (365) and of months (12)', () => {
    expect(
      bucketRanges(utc('2026-01-01T00:00:00Z'), utc('2027-01-01T00:00:00Z'), 'day', 'utc'),
    ).toHaveLength(365);
    expect(
      bucketRanges(utc('2026-01-01T00:00:00Z'), utc('2027-01-01T00:00:00Z'), 'month', 'utc'),
    ).toHaveLength(12);
  });
});
