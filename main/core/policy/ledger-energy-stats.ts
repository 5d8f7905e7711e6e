// Reads the keep-alive policies' energy figures (dP, E_wake, wake time) from what the ledger has learned of each model.
import type { LearnedEnergy } from '../ledger/ledger';
import type { Clock } from '../clock/clock';
import type { EnergyStatsSource, ModelEnergyStats } from './energy-stats';
import { cachedDozeStats, type DozeHistoryReader } from './ledger-doze-stats';

/** The part of the ledger this needs (`Ledger.learnedEnergy`: no savings sums, so cheap at every idle period). */
export interface LearnedStatsReader {
  learnedEnergy(model: string): LearnedEnergy;
}

/**
 * One model's figures from the ledger's: dP (measured over clean sleeps, else the spec's idle-watts), the mean wake
 * energy and the median wake time. Null until a wake energy and an idle cost are both known, so the policies
 * fall back to the spec's idle time and say why.
 */
export function energyStatsFromLearned(stats: LearnedEnergy): ModelEnergyStats | null {
  if (stats.dpWatts === null || stats.wakeJoules === null || stats.wakeJoulesCount <= 0)
    return null;
  return {
    dPWatts: stats.dpWatts,
    wakeJoules: stats.wakeJoules,
    wakeMs: stats.wakeP50Ms ?? 0,
    count: stats.wakeJoulesCount,
  };
}

/**
 * An `EnergyStatsSource` over the ledger: each decision reads the ledger's current figures for the model; with a
 * clock, its doze figures too (ledger-doze-stats.ts).
 */
export function ledgerEnergyStats(
  ledger: LearnedStatsReader,
  doze?: { readonly history: DozeHistoryReader; readonly clock: Clock },
): EnergyStatsSource {
  const energyStatsFor = (model: string): ModelEnergyStats | null =>
    energyStatsFromLearned(ledger.learnedEnergy(model));
  if (!doze) return { energyStatsFor };
  return { energyStatsFor, dozeStatsFor: cachedDozeStats(doze.history, doze.clock) };
}
