// The sleep ladder's thresholds: the lower envelope, the cost of a gap, and the best pair over past gaps.
import { describe, expect, it } from 'vitest';
import {
  bestLadderThresholds,
  envelopeThresholds,
  ladderGapJoules,
  ladderOptimumGapJoules,
  type LadderCosts,
} from './ladder-policy';

/** 30 W awake, 5 W dozed; a doze wake worth 750 J (energy plus a 2 s wait), a cold start 8,400 J (plus 20 s). */
const COSTS: LadderCosts = {
  awakeWatts: 30,
  dozedWatts: 5,
  dozeWakeJoules: 750,
  stopWakeJoules: 8_400,
};

describe('envelopeThresholds', () => {
  it('dozes where staying awake overtakes dozing at once, stops where dozing overtakes stopping', () => {
    // 750 J / 25 W = 30 s; (8,400 - 750) J / 5 W = 1,530 s.
    expect(envelopeThresholds(COSTS)).toEqual({ dozeAfterMs: 30_000, stopAfterMs: 1_530_000 });
  });

  it('skips a doze that is never worth it and falls back to the single break-even stop', () => {
    const dear = { ...COSTS, dozedWatts: 29, dozeWakeJoules: 8_000 };
    expect(envelopeThresholds(dear)).toEqual({ dozeAfterMs: 280_000, stopAfterMs: 280_000 });
  });

  it('never costs more than twice the offline optimum of any gap', () => {
    const t = envelopeThresholds(COSTS);
    for (let gapMs = 0; gapMs < 4_000_000; gapMs += 997) {
      expect(ladderGapJoules(gapMs, t, COSTS)).toBeLessThanOrEqual(
        2 * ladderOptimumGapJoules(gapMs, COSTS) + 1e-9,
      );
    }
  });
});

describe('ladderGapJoules', () => {
  const t = { dozeAfterMs: 60_000, stopAfterMs: 600_000 };
  it('prices a gap by the rung it ends on', () => {
    expect(ladderGapJoules(10_000, t, COSTS)).toBe(300);
    expect(ladderGapJoules(100_000, t, COSTS)).toBe(1_800 + 200 + 750);
    expect(ladderGapJoules(1_000_000, t, COSTS)).toBe(1_800 + 2_700 + 8_400);
  });
});

describe('bestLadderThresholds', () => {
  it('finds the pair a brute-force search over the gaps finds', () => {
    const gaps = [
      5_000, 8_000, 40_000, 45_000, 50_000, 300_000, 2_000_000, 7_000_000, 9_000, 120_000,
    ];
    const { thresholds, joules } = bestLadderThresholds(gaps, COSTS);
    const cost = (a: number, b: number) =>
      gaps.reduce((s, g) => s + ladderGapJoules(g, { dozeAfterMs: a, stopAfterMs: b }, COSTS), 0);
    let brute = Number.POSITIVE_INFINITY;
    const candidates = [0, ...gaps, Number.POSITIVE_INFINITY];
    for (const a of candidates)
      for (const b of candidates) if (b >= a) brute = Math.min(brute, cost(a, b));
    expect(joules).toBeCloseTo(brute, 6);
    expect(cost(thresholds.dozeAfterMs, thresholds.stopAfterMs)).toBeCloseTo(joules, 6);
  });
});
