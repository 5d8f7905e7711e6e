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

/** A model's learned doze figures (issue 15): what a doze drops from the GPU's power, and how long its wake takes. */
export interface DozeEnergyStats {
  /** GPU power awake-idle minus dozed, mean over its measured dozes; null before one was measured. */
  readonly dropWatts: number | null;
  /** How long a wake from a doze takes (wake-requested to ready), mean; null before the first. */
  readonly wakeMs: number | null;
  /** How many dozes and doze wakes the figures come from. */
  readonly dozes: number;
  readonly wakes: number;
}

/** Where the policies read a model's energy figures from (the ledger in the app, the power model in the simulator). */
export interface EnergyStatsSource {
  /** The model's learned figures, or null when nothing is known yet. */
  energyStatsFor(model: string): ModelEnergyStats | null;
  /** The model's learned doze figures, or null when it never dozed (absent: not learned here). */
  dozeStatsFor?(model: string): DozeEnergyStats | null;
}

/** An `EnergyStatsSource` over fixed figures (tests, and models whose costs are given in settings). */
export function fixedEnergyStats(
  byModel: Readonly<Record<string, ModelEnergyStats>>,
): EnergyStatsSource {
  return { energyStatsFor: (model) => byModel[model] ?? null };
}
