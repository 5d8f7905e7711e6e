// The synthetic traces are the same on every run and show the daily patterns they claim.
import { describe, expect, it } from 'vitest';
import { nightlyBatchTrace, officeTrace, personalTrace } from './synthetic-traces';
import type { Trace } from './trace';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const hourOfDay = (t: Trace, offsetMs: number) => ((t.startAt + offsetMs) % DAY) / HOUR;
const weekday = (t: Trace, offsetMs: number) => new Date(t.startAt + offsetMs).getUTCDay();

describe('synthetic traces', () => {
  it('are generated the same from the same seed and differently from another', () => {
    expect(officeTrace()).toEqual(officeTrace());
    expect(officeTrace(14, 9).requests).not.toEqual(officeTrace(14, 1).requests);
  });

  it('office: weekday requests between 08:00 and 18:30, a quiet lunch hour, little at weekends, over two weeks', () => {
    const t = officeTrace();
    const weekdays = t.requests.filter((r) => ![0, 6].includes(weekday(t, r.offsetMs)));
    expect(
      weekdays.every((r) => hourOfDay(t, r.offsetMs) >= 8 && hourOfDay(t, r.offsetMs) < 19),
    ).toBe(true);
    const at = (from: number, to: number) =>
      weekdays.filter((r) => hourOfDay(t, r.offsetMs) >= from && hourOfDay(t, r.offsetMs) < to)
        .length;
    expect(at(12.5, 12.75)).toBeLessThan(at(10.5, 10.75) / 3);
    expect(t.requests.length - weekdays.length).toBeLessThan(weekdays.length / 20);
    expect((t.requests[t.requests.length - 1]?.offsetMs ?? 0) / DAY).toBeGreaterThan(11);
  });

  it('nightly batch: most requests between 01:50 and 03:00 every night', () => {
    const t = nightlyBatchTrace();
    const night = t.requests.filter(
      (r) => hourOfDay(t, r.offsetMs) >= 1.8 && hourOfDay(t, r.offsetMs) < 3,
    );
    expect(night.length / t.requests.length).toBeGreaterThan(0.95);
    const nights = new Set(night.map((r) => Math.floor(r.offsetMs / DAY)));
    expect(nights.size).toBe(14);
  });

  it('personal: a few requests a day', () => {
    const t = personalTrace();
    const days = (t.requests[t.requests.length - 1]?.offsetMs ?? 0) / DAY;
    expect(t.requests.length / days).toBeGreaterThan(2);
    expect(t.requests.length / days).toBeLessThan(20);
  });
});
