// Adaptive: break-even until enough gaps are known, then the cheapest timeout over the gaps (at this time of day).
import { describe, expect, it } from 'vitest';
import { adaptiveDecision } from './adaptive-policy';
import { DAY_MS, GapHistory } from './gap-history';
import { keepAliveSettings } from './keep-alive-settings';
import { policySpec } from './testdata/policy-fixtures';

const spec = policySpec('chat', 'adaptive');
const stats = { dPWatts: 20, wakeJoules: 2_000, wakeMs: 20_000, count: 10 };
const settings = keepAliveSettings({ coldStartCostJoules: 0, gapHalfLifeMs: 0 });
const MONDAY = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

function history(): GapHistory {
  return new GapHistory({ maxAgeMs: settings.historyMaxAgeMs, maxGaps: settings.historyMaxGaps });
}

describe('adaptive keep-alive policy', () => {
  it('uses break-even until it has seen 20 gaps, and says how many it has', () => {
    const h = history();
    for (let i = 0; i < 7; i++)
      h.add({ startAt: MONDAY + i * 600_000, endAt: MONDAY + i * 600_000 + 30_000 });
    const decision = adaptiveDecision(spec, stats, h, MONDAY + HOUR, settings);
    // Break-even: 2 kJ / 20 W = 100 s.
    expect(decision.idleMs).toBe(100_000);
    expect(decision.reason).toBe(
      'adaptive: 7 of 20 idle gaps seen, so break-even: wake costs 2 kJ, idle costs 20 W -> 1 min 40 s',
    );
  });

  it('covers 30 s conversation gaps and sleeps right after them when the other gaps are hours long', () => {
    const h = history();
    let at = MONDAY;
    for (let i = 0; i < 40; i++) {
      const gapMs = i % 5 === 4 ? 2 * HOUR : 30_000;
      h.add({ startAt: at, endAt: at + gapMs });
      at += gapMs + 10_000;
    }
    const decision = adaptiveDecision(
      spec,
      stats,
      h,
      at,
      keepAliveSettings({ ...settings, timeOfDayBoost: 1 }),
    );
    // Just above 30 s (a 5% margin, at least 1 s), far below break-even's 100 s.
    expect(decision.idleMs).toBe(31_500);
    expect(decision.reason).toMatch(
      /^adaptive: over 40 gaps, sleeping after 32 s costs .* 20% cold starts \(break-even's 1 min 40 s: /,
    );
  });

  it('stays awake through the 3-minute gaps of a steady stream where break-even would sleep through each', () => {
    const h = history();
    for (let i = 0; i < 30; i++)
      h.add({ startAt: MONDAY + i * 200_000, endAt: MONDAY + i * 200_000 + 180_000 });
    // Staying 180 s costs 3.6 kJ; a wake plus a 5 kJ cold start costs 7 kJ.
    const decision = adaptiveDecision(
      spec,
      stats,
      h,
      MONDAY + 30 * 200_000,
      keepAliveSettings({ ...settings, coldStartCostJoules: 5_000 }),
    );
    expect(decision.idleMs).toBe(189_000);
  });

  it('weighs the gaps of past days at this time of day more: sleeps at once at lunch, covers the morning gaps', () => {
    const h = history();
    for (let day = 0; day < 5; day++) {
      const base = MONDAY + day * DAY_MS;
      // Mornings 09:00-11:55: a 3 min gap every 5 min; at 12:01 a 59 min lunch.
      for (let t = 9 * HOUR; t < 12 * HOUR; t += 300_000)
        h.add({ startAt: base + t, endAt: base + t + 180_000 });
      h.add({ startAt: base + 12 * HOUR + 60_000, endAt: base + 13 * HOUR });
    }
    // Staying 3 min costs 3.6 kJ, a wake plus a cold start 7 kJ: cover the morning gaps, sleep through lunch.
    const s = keepAliveSettings({
      ...settings,
      coldStartCostJoules: 5_000,
      timeOfDayWindowMs: 5 * 60_000,
      timeOfDayBoost: 50,
    });
    const nextMonday = MONDAY + 7 * DAY_MS;
    const morning = adaptiveDecision(spec, stats, h, nextMonday + 10 * HOUR, s);
    const lunch = adaptiveDecision(spec, stats, h, nextMonday + 12 * HOUR + 60_000, s);
    expect(morning.idleMs).toBe(189_000);
    expect(morning.reason).toMatch(
      /^adaptive: over 185 gaps \(15 from past days near this time of day, weighted x50\)/,
    );
    expect(lunch.idleMs).toBe(s.minIdleMs);
    expect(lunch.reason).toMatch(
      /^adaptive: over 185 gaps \(5 from past days near this time of day, weighted x50\), sleeping after 1 s /,
    );
    // Without the time of day, one timeout serves both: the morning gaps win.
    const blind = adaptiveDecision(
      spec,
      stats,
      h,
      nextMonday + 12 * HOUR + 60_000,
      keepAliveSettings({ ...s, timeOfDayBoost: 1 }),
    );
    expect(blind.idleMs).toBe(189_000);
  });

  it('never sleeps a model whose idle is 0', () => {
    expect(
      adaptiveDecision(
        policySpec('chat', 'adaptive', { idleMs: 0 }),
        stats,
        history(),
        MONDAY,
        settings,
      ).idleMs,
    ).toBe(0);
  });

  it('falls back to break-even, then to the spec, while no wake has been measured', () => {
    const decision = adaptiveDecision(spec, null, history(), MONDAY, settings);
    expect(decision).toEqual({
      idleMs: spec.idleMs,
      reason: "adaptive: falling back to break-even: no wake measured yet; using the spec's 10 min",
    });
  });
});
