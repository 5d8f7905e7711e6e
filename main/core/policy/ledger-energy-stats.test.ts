// The keep-alive policies read the ledger's learned figures: none until a wake and an idle cost are known.
import { describe, expect, it } from 'vitest';
import { energyStatsFromLearned, ledgerEnergyStats } from './ledger-energy-stats';

describe('energy figures from the ledger', () => {
  it('hands the policies dP, the mean wake energy and the median wake time once both are learned', () => {
    const source = ledgerEnergyStats({
      learnedEnergy: (model) =>
        model === 'llama'
          ? { dpWatts: 31.5, wakeJoules: 2_200, wakeJoulesCount: 4, wakeP50Ms: 18_000 }
          : { dpWatts: null, wakeJoules: null, wakeJoulesCount: 0, wakeP50Ms: null },
    });
    expect(source.energyStatsFor('llama')).toEqual({
      dPWatts: 31.5,
      wakeJoules: 2_200,
      wakeMs: 18_000,
      count: 4,
    });
    expect(source.energyStatsFor('whisper')).toBeNull();
  });

  it('has nothing while the idle cost or the wake energy is still unknown', () => {
    expect(
      energyStatsFromLearned({
        dpWatts: null,
        wakeJoules: 2_000,
        wakeJoulesCount: 2,
        wakeP50Ms: 15_000,
      }),
    ).toBeNull();
    expect(
      energyStatsFromLearned({
        dpWatts: 30,
        wakeJoules: null,
        wakeJoulesCount: 0,
        wakeP50Ms: 15_000,
      }),
    ).toBeNull();
  });
});
