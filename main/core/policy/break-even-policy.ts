// The break-even keep-alive policy (ski rental): stay awake as long as a wake costs, then sleep.
// Staying idle for E_wake / dP costs exactly one wake, so whatever the next gap, this spends at most
// twice the energy of the offline optimum that knows it (Karlin et al., "Competitive randomized algorithms").
import type { ModelSpec } from '../config/model-spec';
import type { ModelEnergyStats } from './energy-stats';
import { fixedDecision } from './fixed-policy';
import { formatJoules, formatMs, formatWatts } from './format-units';
import type { IdleDecision } from './idle-decision';
import type { KeepAliveSettings } from './keep-alive-settings';

/** Energy figures usable for a decision: at least one wake measured and a positive idle cost. */
export function usableStats(stats: ModelEnergyStats | null): boolean {
  return stats !== null && stats.count > 0 && stats.dPWatts > 0 && stats.wakeJoules >= 0;
}

/**
 * The break-even idle time E_wake / dP, clamped to the settings; without usable figures, the spec's fixed time,
 * saying so. With `coldStartCostJoules` it is (E_wake + cold-start cost) / dP: the same rule for a cost that
 * counts cold starts (the adaptive policy's fallback), never worse than twice that cost's offline optimum.
 */
export function breakEvenDecision(
  spec: ModelSpec,
  stats: ModelEnergyStats | null,
  settings: Pick<KeepAliveSettings, 'minIdleMs' | 'maxIdleMs'>,
  coldStartCostJoules = 0,
): IdleDecision {
  if (spec.idleMs === 0) return fixedDecision(spec);
  if (stats === null || !usableStats(stats)) {
    const fallback = fixedDecision(spec);
    const why =
      stats === null || stats.count <= 0
        ? 'no wake measured yet'
        : `idle cost not measurable (dP ${formatWatts(stats.dPWatts)})`;
    return {
      idleMs: fallback.idleMs,
      reason: `break-even: ${why}; using the spec's ${formatMs(spec.idleMs)}`,
    };
  }
  const rawMs = ((stats.wakeJoules + coldStartCostJoules) / stats.dPWatts) * 1_000;
  const idleMs = Math.round(Math.min(settings.maxIdleMs, Math.max(settings.minIdleMs, rawMs)));
  const coldStart =
    coldStartCostJoules > 0 ? ` + ${formatJoules(coldStartCostJoules)} for the cold start` : '';
  const clamp = idleMs === Math.round(rawMs) ? '' : ` (clamped to ${formatMs(idleMs)})`;
  return {
    idleMs,
    reason: `break-even: wake costs ${formatJoules(stats.wakeJoules)}${coldStart}, idle costs ${formatWatts(stats.dPWatts)} -> ${formatMs(rawMs)}${clamp}`,
  };
}
