// The gap history answers what happened at a past instant and forgets old gaps.
import { describe, expect, it } from 'vitest';
import { GapHistory, timeOfDayDistanceMs } from './gap-history';

const DAY = 86_400_000;

describe('gap history', () => {
  it('tells whether the model was idle (and for how long more) or busy at a past instant', () => {
    const h = new GapHistory({ maxAgeMs: 10 * DAY, maxGaps: 100 });
    h.add({ startAt: 1_000, endAt: 5_000 });
    h.add({ startAt: 8_000, endAt: 20_000 });
    expect(h.at(500)).toEqual({ kind: 'no-history' });
    expect(h.at(2_000)).toEqual({ kind: 'idle', inMs: 3_000 });
    expect(h.at(6_000)).toEqual({ kind: 'busy' });
    expect(h.at(8_000)).toEqual({ kind: 'idle', inMs: 12_000 });
    expect(h.at(20_000)).toEqual({ kind: 'no-history' });
  });

  it('ignores gaps out of order and forgets the oldest beyond its limits', () => {
    const h = new GapHistory({ maxAgeMs: DAY, maxGaps: 3 });
    h.add({ startAt: 0, endAt: 10 });
    h.add({ startAt: 5, endAt: 20 });
    expect(h.size()).toBe(1);
    for (let i = 1; i <= 4; i++) h.add({ startAt: i * 100, endAt: i * 100 + 10 });
    expect(h.all().map((g) => g.startAt)).toEqual([200, 300, 400]);
    h.add({ startAt: 2 * DAY, endAt: 2 * DAY + 10 });
    expect(h.all().map((g) => g.startAt)).toEqual([2 * DAY]);
  });

  it('measures time-of-day distance across midnight', () => {
    expect(timeOfDayDistanceMs(Date.UTC(2026, 0, 5, 23, 50), Date.UTC(2026, 0, 9, 0, 10))).toBe(
      20 * 60_000,
    );
  });
});
