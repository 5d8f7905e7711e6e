// The offline optimum sleeps exactly through the gaps whose idle energy exceeds a wake plus a cold start.
import { describe, expect, it } from 'vitest';
import { offlineOptimum, optimumSleepsThrough } from './offline-optimum';

describe('offline optimum', () => {
  const costs = { dPWatts: 40, wakeJoules: 2_000, coldStartCostJoules: 2_000 };

  it('sleeps through a gap only when staying awake would cost more than a wake and a cold start', () => {
    // 4 kJ / 40 W = 100 s.
    expect(optimumSleepsThrough(99_000, costs)).toBe(false);
    expect(optimumSleepsThrough(100_000, costs)).toBe(false);
    expect(optimumSleepsThrough(101_000, costs)).toBe(true);
  });

  it('adds up idle energy for short gaps and a wake for each long one', () => {
    const result = offlineOptimum([50_000, 200_000, 10_000, 3_600_000], costs);
    // 50 s and 10 s awake: 60 s x 40 W = 2.4 kJ; two wakes: 4 kJ.
    expect(result.energyJoules).toBe(2_400 + 4_000);
    expect(result.coldStarts).toBe(2);
    expect(result.costJoules).toBe(2_400 + 4_000 + 4_000);
  });
});
