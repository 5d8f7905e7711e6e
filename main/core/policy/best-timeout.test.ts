// The best timeout over a gap histogram, checked on gap sets whose answer is known and against brute force.
import { describe, expect, it } from 'vitest';
import { bestTimeout, expectedGapJoules } from './best-timeout';

const w = (gapMs: number, weight = 1) => ({ gapMs, weight });

describe('best timeout over a gap histogram', () => {
  it('stays awake through gaps that are all cheaper than a wake', () => {
    const best = bestTimeout([w(10_000), w(12_000), w(8_000)], {
      dPWatts: 10,
      wakeJoules: 1_000,
      coldStartCostJoules: 0,
    });
    expect(best).toMatchObject({ timeoutMs: 12_000, coldStartShare: 0 });
    expect(best?.expectedJoules).toBeCloseTo(100, 6);
  });

  it('sleeps at once when every gap is long', () => {
    const best = bestTimeout([w(3_600_000), w(7_200_000)], {
      dPWatts: 10,
      wakeJoules: 1_000,
      coldStartCostJoules: 500,
    });
    expect(best).toEqual({ timeoutMs: 0, expectedJoules: 1_500, coldStartShare: 1 });
  });

  it('on short conversation gaps and long breaks, covers the conversation and sleeps through the breaks', () => {
    // 80% of gaps 30 s, 20% 2 h; dP 20 W, wake 2 kJ. T=30 s: 0.8*600 + 0.2*(600+2000) = 1000 J a gap.
    const gaps = [...Array.from({ length: 8 }, () => w(30_000)), w(7_200_000), w(7_200_000)];
    const best = bestTimeout(gaps, { dPWatts: 20, wakeJoules: 2_000, coldStartCostJoules: 0 });
    expect(best?.timeoutMs).toBe(30_000);
    expect(best?.expectedJoules).toBeCloseTo(1_000, 6);
    expect(best?.coldStartShare).toBeCloseTo(0.2, 9);
  });

  it('a high cold-start cost keeps the model awake through breaks it would otherwise sleep through', () => {
    const gaps = [w(30_000), w(30_000), w(300_000)];
    const cheap = bestTimeout(gaps, { dPWatts: 20, wakeJoules: 2_000, coldStartCostJoules: 0 });
    const dear = bestTimeout(gaps, { dPWatts: 20, wakeJoules: 2_000, coldStartCostJoules: 10_000 });
    expect(cheap?.timeoutMs).toBe(30_000);
    expect(dear?.timeoutMs).toBe(300_000);
  });

  it('weights recent gaps more when told to', () => {
    const gaps = [w(30_000, 0.1), w(30_000, 0.1), w(600_000, 1)];
    expect(
      bestTimeout(gaps, { dPWatts: 20, wakeJoules: 2_000, coldStartCostJoules: 0 })?.timeoutMs,
    ).toBe(0);
  });

  it('finds the cheapest timeout of a random histogram, as a fine scan over every timeout does', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let round = 0; round < 20; round++) {
      const gaps = Array.from({ length: 40 }, () =>
        w(Math.round(rand() * rand() * 900_000), 0.2 + rand()),
      );
      const costs = {
        dPWatts: 5 + rand() * 60,
        wakeJoules: rand() * 5_000,
        coldStartCostJoules: rand() * 5_000,
      };
      const best = bestTimeout(gaps, costs);
      let scanMin = expectedGapJoules(gaps, costs, 0);
      for (let t = 0; t <= 900_000; t += 250)
        scanMin = Math.min(scanMin, expectedGapJoules(gaps, costs, t));
      for (const g of gaps) scanMin = Math.min(scanMin, expectedGapJoules(gaps, costs, g.gapMs));
      expect(best?.expectedJoules).toBeCloseTo(scanMin, 6);
      expect(expectedGapJoules(gaps, costs, best?.timeoutMs ?? -1)).toBeCloseTo(
        best?.expectedJoules ?? NaN,
        6,
      );
    }
  });

  it('has no answer without gaps', () => {
    expect(bestTimeout([], { dPWatts: 1, wakeJoules: 1, coldStartCostJoules: 0 })).toBeNull();
  });
});
