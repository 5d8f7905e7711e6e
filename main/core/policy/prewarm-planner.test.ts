// Pre-warming wakes a sleeping model before an arrival that past days show at the same time of day, and only then.
import { describe, expect, it } from 'vitest';
import { DAY_MS, GapHistory } from './gap-history';
import { keepAliveSettings } from './keep-alive-settings';
import { planPrewarm } from './prewarm-planner';

const HOUR = 3_600_000;
const MONDAY = Date.UTC(2026, 0, 5);
const stats = { dPWatts: 20, wakeJoules: 2_000, wakeMs: 20_000, count: 10 };
const settings = keepAliveSettings({ coldStartCostJoules: 6_000 });

/** Working days: idle from 18:00 to the next morning's first request at `morningAt(day)`, then a few short gaps. */
function workdays(days: number, morningAt: (day: number) => number | null): GapHistory {
  const h = new GapHistory({ maxAgeMs: 60 * DAY_MS, maxGaps: 10_000 });
  let idleSince = MONDAY - 6 * HOUR;
  for (let day = 0; day < days; day++) {
    const first = morningAt(day);
    if (first === null) continue;
    const base = MONDAY + day * DAY_MS;
    h.add({ startAt: idleSince, endAt: base + first });
    h.add({ startAt: base + 10 * HOUR, endAt: base + 10 * HOUR + 60_000 });
    h.add({ startAt: base + 14 * HOUR, endAt: base + 14 * HOUR + 60_000 });
    idleSince = base + 18 * HOUR;
  }
  return h;
}

describe('pre-warm planner', () => {
  it('wakes the model before the 08:30 request that came on every past day', () => {
    const jitter = [0, 40_000, -30_000, 60_000, 10_000, -60_000, 20_000];
    const h = workdays(7, (day) => 8.5 * HOUR + (jitter[day] ?? 0));
    const now = MONDAY + 6 * DAY_MS + 18 * HOUR;
    const plan = planPrewarm(h, now, stats, settings);
    expect(plan).not.toBeNull();
    // Earliest past arrival: 08:29 the next morning (offset 14.5 h - 60 s); ready 60 s before, wake 20 s before that.
    expect(plan?.expectedFromAt).toBe(now + 14.5 * HOUR - 60_000);
    expect(plan?.wakeAt).toBe(now + 14.5 * HOUR - 60_000 - 60_000 - 20_000);
    expect(plan?.holdUntil).toBe(now + 14.5 * HOUR + 60_000 + 60_000);
    expect(plan?.matchedDays).toBe(7);
    expect(plan?.detail).toMatch(
      /^on 7 of the last 7 days a request came 14 h 29 min to 14 h 31 min after this time/,
    );
  });

  it('does not pre-warm when the arrivals are scattered over the day', () => {
    const scattered = [7, 11.2, 9.1, 15.5, 8.3, 13.4, 10.6];
    const h = workdays(7, (day) => (scattered[day] ?? 9) * HOUR);
    expect(planPrewarm(h, MONDAY + 6 * DAY_MS + 18 * HOUR, stats, settings)).toBeNull();
  });

  it('does not pre-warm when waiting for the usual arrival costs more than the cold start it saves', () => {
    // Arrivals spread over 40 minutes: 20 W x ~20 min of waiting is 24 kJ, more than a 6 kJ cold start.
    const spread = [0, 40, 10, 30, 20, 5, 35];
    const h = workdays(7, (day) => 8 * HOUR + (spread[day] ?? 0) * 60_000);
    expect(planPrewarm(h, MONDAY + 6 * DAY_MS + 18 * HOUR, stats, settings)).toBeNull();
  });

  it('skips Saturday morning when last Saturday had no request, though the weekdays had one at 08:30', () => {
    // Two weeks of Monday-to-Friday mornings; it is Friday 18:00 of the second week.
    const h = workdays(12, (day) => (day % 7 < 5 ? 8.5 * HOUR : null));
    const friday = MONDAY + 11 * DAY_MS + 18 * HOUR;
    expect(planPrewarm(h, friday, stats, settings)).toBeNull();
    // Sunday 18:00: last Sunday was followed by a Monday 08:30 request, and so were the weekdays.
    const sunday = MONDAY + 13 * DAY_MS + 18 * HOUR;
    const h2 = workdays(14, (day) => (day % 7 < 5 ? 8.5 * HOUR : null));
    expect(planPrewarm(h2, sunday, stats, settings)?.expectedFromAt).toBe(sunday + 14.5 * HOUR);
  });

  it('plans nothing when pre-warming is off or the history is too short', () => {
    const h = workdays(7, () => 8.5 * HOUR);
    const now = MONDAY + 6 * DAY_MS + 18 * HOUR;
    expect(planPrewarm(h, now, stats, keepAliveSettings({ prewarm: false }))).toBeNull();
    expect(
      planPrewarm(
        workdays(2, () => 8.5 * HOUR),
        MONDAY + 1 * DAY_MS + 18 * HOUR,
        stats,
        settings,
      ),
    ).toBeNull();
  });
});
