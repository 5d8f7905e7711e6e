// The offline optimum that knows every gap in advance: the bound the online policies are measured against.
import type { GapCosts } from '../best-timeout';

/** What the offline optimum spends over a sequence of gaps. */
export interface OfflineOptimum {
  /** Idle energy plus wake energy (joules), cold starts not priced in. */
  readonly energyJoules: number;
  readonly coldStarts: number;
  /** Energy plus cold starts at `coldStartCostJoules` each. */
  readonly costJoules: number;
}

/** Whether the optimum sleeps through a gap: when staying awake would cost more than a wake plus a cold start. */
export function optimumSleepsThrough(gapMs: number, costs: GapCosts): boolean {
  return (costs.dPWatts * gapMs) / 1_000 > costs.wakeJoules + costs.coldStartCostJoules;
}

/** For each gap: sleep at once if dP x gap > E_wake + cold-start cost, else stay awake. */
export function offlineOptimum(gapsMs: readonly number[], costs: GapCosts): OfflineOptimum {
  let energyJoules = 0;
  let coldStarts = 0;
  for (const gapMs of gapsMs) {
    if (optimumSleepsThrough(gapMs, costs)) {
      energyJoules += costs.wakeJoules;
      coldStarts++;
    } else {
      energyJoules += (costs.dPWatts * gapMs) / 1_000;
    }
  }
  return {
    energyJoules,
    coldStarts,
    costJoules: energyJoules + coldStarts * costs.coldStartCostJoules,
  };
}
