// What a keep-alive policy needs to know of a model's energy: its idle cost and its wake cost, as the ledger learns them.

/** A model's learned energy figures (the ledger computes them from GPU readings around sleeps and wakes). */
export interface ModelEnergyStats {
  /** Power the model costs while resident and idle (the drop in GPU power when it sleeps). */
  readonly dPWatts: number;
  /** Energy of one wake above the asleep baseline, from wake-requested to ready. */
  readonly wakeJoules: number;
  /** How long a wake takes, from wake-requested to ready. */
  readonly wakeMs: number;
  /** How many wakes the figures are averaged over; 0 means nothing measured yet. */
  readonly count: number;
}

/** Where the policies read a model's energy figures from (the ledger in the app, the power model in the simulator). */
export interface EnergyStatsSource {
  /** The model's learned figures, or null when nothing is known yet. */
  energyStatsFor(model: string): ModelEnergyStats | null;
}

/** An `EnergyStatsSource` over fixed figures (tests, and models whose costs are given in settings). */
export function fixedEnergyStats(
  byModel: Readonly<Record<string, ModelEnergyStats>>,
): EnergyStatsSource {
  return { energyStatsFor: (model) => byModel[model] ?? null };
}
