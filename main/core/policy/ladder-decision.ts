// The keep-alive decision of a model with a doze (issue 15): doze after T1, stop after T2, from the measured costs
// (the lower envelope, or the pair its ladder experts learned from its past gaps: ladder-learners.ts); before they
// are measured, doze at the single-level policy's idle time and stop a fixed while later.
import type { ModelSpec } from '../config/model-spec';
import { usableStats } from './break-even-policy';
import type { DozeEnergyStats, ModelEnergyStats } from './energy-stats';
import { formatMs, formatWatts } from './format-units';
import type { IdleDecision } from './idle-decision';
import type { KeepAliveSettings } from './keep-alive-settings';
import { clampedLadder, type LearnedLadderPair } from './ladder-learners';
import { envelopeThresholds, type LadderCosts } from './ladder-policy';

/** Until a doze is measured: stop this long after the doze (the doze is cheap to keep, a cold start is not). */
export const UNMEASURED_DOZED_MS = 60 * 60_000;

/** The ladder's costs from learned figures; null until both a cold wake and a doze (its drop and wake) are measured. */
export function ladderCostsOf(
  stats: ModelEnergyStats | null,
  doze: DozeEnergyStats | null,
  coldStartCostJoules: number,
): LadderCosts | null {
  if (stats === null || !usableStats(stats) || doze === null) return null;
  if (doze.dropWatts === null || doze.wakeMs === null) return null;
  const waitShare = stats.wakeMs > 0 ? Math.min(1, doze.wakeMs / stats.wakeMs) : 1;
  return {
    awakeWatts: stats.dPWatts,
    dozedWatts: Math.max(0, stats.dPWatts - doze.dropWatts),
    // A doze wake draws about the awake power for its time, and costs the user its share of a cold start's wait.
    dozeWakeJoules: (stats.dPWatts * doze.wakeMs) / 1000 + coldStartCostJoules * waitShare,
    stopWakeJoules: stats.wakeJoules + coldStartCostJoules,
  };
}

/**
 * Adds the doze to `base` (the single-level policy's decision) for a model with a doze. `learned`: the pair its
 * ladder experts chose from its past idle gaps (ladder-learners.ts); while null or learned from no gaps, the envelope
 * (at most 2x the optimum on any gap). Thresholds are clamped to the settings' idle range.
 */
export function ladderDecision(
  spec: ModelSpec,
  base: IdleDecision,
  costs: LadderCosts | null,
  learned: LearnedLadderPair | null,
  settings: Pick<KeepAliveSettings, 'minIdleMs' | 'maxIdleMs'>,
): IdleDecision {
  if (!spec.doze || base.idleMs === 0) return base;
  if (costs === null) {
    return {
      idleMs: base.idleMs + UNMEASURED_DOZED_MS,
      dozeAfterMs: base.idleMs,
      reason: `doze after ${formatMs(base.idleMs)} (${base.reason}); no doze measured yet, so stop ${formatMs(UNMEASURED_DOZED_MS)} later`,
    };
  }
  const fromGaps = learned?.fromGaps ?? 0;
  const { dozeAfterMs, stopAfterMs } = clampedLadder(
    learned !== null && fromGaps > 0 ? learned.thresholds : envelopeThresholds(costs),
    settings,
  );
  const from =
    learned !== null && fromGaps > 0
      ? `the best pair over its last ${fromGaps} idle gaps, ${learned.learner} learner`
      : 'the break-even of each step';
  const costsText = `awake ${formatWatts(costs.awakeWatts)}, dozed ${formatWatts(costs.dozedWatts)}`;
  if (stopAfterMs <= dozeAfterMs)
    return {
      idleMs: stopAfterMs,
      reason: `ladder: stop after ${formatMs(stopAfterMs)}, no doze (${from}; ${costsText})`,
    };
  return {
    idleMs: stopAfterMs,
    dozeAfterMs,
    reason: `ladder: doze after ${formatMs(dozeAfterMs)}, stop after ${formatMs(stopAfterMs)} (${from}; ${costsText})`,
  };
}
