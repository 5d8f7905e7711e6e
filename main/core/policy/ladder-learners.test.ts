// The ladder's learners and the experts that follow the cheapest of them: envelope until enough gaps, the
// time-of-day learner at a daily long gap, the leader chosen on past gaps only, imported history scored the same.
import { describe, expect, it } from 'vitest';
import type { IdleGap } from './gap-history';
import { KEEP_ALIVE_DEFAULTS } from './keep-alive-settings';
import {
  LadderExperts,
  learnerThresholds,
  MAX_SCORED_BACKLOG,
  type LadderLearnerName,
} from './ladder-learners';
import { envelopeThresholds, type LadderCosts } from './ladder-policy';

/** 30 W awake, 5 W dozed; a doze wake is worth 660 J, a cold start 7,200 J. */
const COSTS: LadderCosts = {
  awakeWatts: 30,
  dozedWatts: 5,
  dozeWakeJoules: 660,
  stopWakeJoules: 7_200,
};
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MONDAY = Date.UTC(2026, 0, 5);
/** The product's idle range (1 s .. 2 h) and 20 gaps before learning. */
const SETTINGS = KEEP_ALIVE_DEFAULTS;

/**
 * Days of a model used from 08:00 with 10 min gaps (doze at once and wake: 3,660 J, half a stop), each day a
 * 3 h lunch gap from 12:00 (stop at once: 7,200 J; dozing through it costs 54,660 J).
 */
function days(count: number): IdleGap[] {
  const gaps: IdleGap[] = [];
  for (let d = 0; d < count; d++) {
    const day = MONDAY + d * DAY_MS;
    for (let h = 0; h < 4; h++) {
      const startAt = day + 8 * HOUR_MS + h * 0.9 * HOUR_MS;
      gaps.push({ startAt, endAt: startAt + 600_000 });
    }
    gaps.push({ startAt: day + 12 * HOUR_MS, endAt: day + 15 * HOUR_MS });
  }
  return gaps;
}

describe('learnerThresholds', () => {
  it('answers the envelope until it has enough gaps (the smoothed learner: half as many)', () => {
    const past = days(2); // 10 gaps
    const input = { past, now: MONDAY + 3 * DAY_MS, costs: COSTS, minGaps: 20 };
    expect(learnerThresholds('plain', input)).toEqual(envelopeThresholds(COSTS));
    expect(learnerThresholds('time of day', input)).toEqual(envelopeThresholds(COSTS));
    expect(learnerThresholds('smoothed', input)).not.toEqual(envelopeThresholds(COSTS));
  });

  it('time of day: stops at once at the hour of the daily long gap, where the plain pair dozes through it', () => {
    const past = days(8);
    const lunch = { past, now: MONDAY + 8 * DAY_MS + 12 * HOUR_MS, costs: COSTS, minGaps: 20 };
    const plain = learnerThresholds('plain', lunch);
    // Over all gaps the 10 min ones outnumber the lunches 4 to 1: doze at once and stay dozed through 10 min.
    expect(plain.dozeAfterMs).toBe(0);
    expect(plain.stopAfterMs).toBeGreaterThanOrEqual(600_000);
    // Near 12:00 only the lunches began on earlier days: they weigh 10x, so stopping at once is cheapest.
    expect(learnerThresholds('time of day', lunch).stopAfterMs).toBe(0);
    // At 08:00 the near gaps are the 10 min ones: the same pair as the plain learner.
    const morning = { ...lunch, now: MONDAY + 8 * DAY_MS + 8 * HOUR_MS };
    expect(learnerThresholds('time of day', morning)).toEqual(learnerThresholds('plain', morning));
  });
});

describe('LadderExperts', () => {
  it('follows the learner that would have cost least over the gaps so far', () => {
    const gaps = days(10);
    const experts = new LadderExperts();
    const leaders: LadderLearnerName[] = [];
    for (let i = 0; i < gaps.length; i++) {
      const gap = gaps[i];
      if (!gap) continue;
      leaders.push(experts.decide(gaps.slice(0, i), gap.startAt, COSTS, SETTINGS).learner);
    }
    // Ties go to the first learner; once the lunches have been priced, time of day is cheapest and leads.
    expect(leaders[0]).toBe('plain');
    expect(leaders.at(-1)).toBe('time of day');
    const totals = experts.totals();
    expect(totals.get('time of day')).toBeLessThan(totals.get('plain') ?? 0);
    const lunch = experts.decide(gaps, MONDAY + 10 * DAY_MS + 12 * HOUR_MS, COSTS, SETTINGS);
    expect(lunch).toMatchObject({ learner: 'time of day', fromGaps: 50, scoredGaps: 50 });
    // Stop at once, within the idle range: after its shortest, 1 s.
    expect(lunch.thresholds).toEqual({ dozeAfterMs: 1_000, stopAfterMs: 1_000 });
  });

  it('prices imported history as if it had decided at each gap, with only the gaps before it', () => {
    const gaps = days(10);
    const live = new LadderExperts();
    for (let i = 0; i <= gaps.length; i++) {
      live.decide(gaps.slice(0, i), gaps[i]?.startAt ?? MONDAY + 11 * DAY_MS, COSTS, SETTINGS);
    }
    const imported = new LadderExperts();
    imported.decide(gaps, MONDAY + 11 * DAY_MS, COSTS, SETTINGS);
    for (const [name, joules] of live.totals())
      expect(imported.totals().get(name)).toBeCloseTo(joules, 6);
  });

  it('scores at most the newest MAX_SCORED_BACKLOG gaps of a long imported history at once', () => {
    const gaps = days(Math.ceil((MAX_SCORED_BACKLOG + 50) / 5));
    const learned = new LadderExperts().decide(gaps, MONDAY + 100 * DAY_MS, COSTS, SETTINGS);
    expect(learned.scoredGaps).toBe(MAX_SCORED_BACKLOG);
    expect(learned.fromGaps).toBe(gaps.length);
  });
});
