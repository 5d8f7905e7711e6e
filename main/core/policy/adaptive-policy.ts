// The adaptive keep-alive policy: the timeout that minimises expected energy plus cold-start cost over the
// model's own histogram of idle gaps (those that began near this time of day weigh more), else break-even.
import type { ModelSpec } from '../config/model-spec';
import { bestTimeout, expectedGapJoules, type GapCosts } from './best-timeout';
import { breakEvenDecision, usableStats } from './break-even-policy';
import type { ModelEnergyStats } from './energy-stats';
import { fixedDecision } from './fixed-policy';
import { formatJoules, formatMs } from './format-units';
import type { GapHistory } from './gap-history';
import type { IdleDecision } from './idle-decision';
import type { KeepAliveSettings } from './keep-alive-settings';

/** A gap as long as the chosen one should still not end in a sleep: the timeout sits this much above it. */
function withMargin(gapMs: number): number {
  return gapMs + Math.max(1_000, gapMs * 0.05);
}

/**
 * The adaptive idle time for a model whose idle timer starts at `now`. Until `minGapsForAdaptive` gaps are
 * known (or without usable energy figures) it is the break-even time that counts the cold-start cost too
 * ((E_wake + cold-start cost) / dP, the ski-rental rule for the same cost), and the reason says so.
 */
export function adaptiveDecision(
  spec: ModelSpec,
  stats: ModelEnergyStats | null,
  history: GapHistory,
  now: number,
  settings: KeepAliveSettings,
): IdleDecision {
  if (spec.idleMs === 0) return fixedDecision(spec);
  const breakEven = breakEvenDecision(spec, stats, settings, settings.coldStartCostJoules);
  if (stats === null || !usableStats(stats))
    return { idleMs: breakEven.idleMs, reason: `adaptive: falling back to ${breakEven.reason}` };
  if (history.size() < settings.minGapsForAdaptive) {
    return {
      idleMs: breakEven.idleMs,
      reason: `adaptive: ${history.size()} of ${settings.minGapsForAdaptive} idle gaps seen, so ${breakEven.reason}`,
    };
  }
  const { gaps, nearCount } = history.weightedByTimeOfDay(
    now,
    settings.gapHalfLifeMs,
    settings.timeOfDayWindowMs,
    settings.timeOfDayBoost,
  );
  const costs: GapCosts = {
    dPWatts: stats.dPWatts,
    wakeJoules: stats.wakeJoules,
    coldStartCostJoules: settings.coldStartCostJoules,
  };
  const best = bestTimeout(gaps, costs);
  if (!best)
    return { idleMs: breakEven.idleMs, reason: `adaptive: no usable gaps, so ${breakEven.reason}` };
  const idleMs = Math.round(
    Math.min(
      settings.maxIdleMs,
      Math.max(settings.minIdleMs, best.timeoutMs === 0 ? 0 : withMargin(best.timeoutMs)),
    ),
  );
  const which =
    nearCount > 0 && settings.timeOfDayBoost !== 1
      ? `${gaps.length} gaps (${nearCount} from past days near this time of day, weighted x${settings.timeOfDayBoost})`
      : `${gaps.length} gaps`;
  const breakEvenJoules = expectedGapJoules(gaps, costs, breakEven.idleMs);
  return {
    idleMs,
    reason:
      `adaptive: over ${which}, sleeping after ${formatMs(idleMs)} costs ${formatJoules(best.expectedJoules)} a gap ` +
      `with ${Math.round(best.coldStartShare * 100)}% cold starts (break-even's ${formatMs(breakEven.idleMs)}: ` +
      `${formatJoules(breakEvenJoules)}); a cold start counts as ${formatJoules(settings.coldStartCostJoules)}`,
  };
}
