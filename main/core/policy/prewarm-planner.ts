// Pre-warming: when past days show a request at about the same time of day, wake a sleeping model just before it.
import type { ModelEnergyStats } from './energy-stats';
import { formatJoules, formatMs } from './format-units';
import { DAY_MS, type GapHistory } from './gap-history';
import type { KeepAliveSettings } from './keep-alive-settings';

/** A planned pre-warm of one model. */
export interface PrewarmPlan {
  /** When to start the wake (epoch ms). */
  readonly wakeAt: number;
  /** Stay awake at least until then for the predicted request (epoch ms). */
  readonly holdUntil: number;
  /** The earliest of the usual arrivals the plan aims at (epoch ms). */
  readonly expectedFromAt: number;
  /** Past days whose arrival fell in the window, and past days looked at. */
  readonly matchedDays: number;
  readonly lookedAtDays: number;
  /** Expected net saving per day of pre-warming (joules, cold starts priced in). */
  readonly expectedGainJoules: number;
  /** A sentence for the ledger's 'prewarm' event and the API. */
  readonly detail: string;
}

/**
 * Plans a pre-warm for a model that is asleep at `now`. For each of the past `prewarmLookbackDays` days it
 * asks when the next request came after the same time of day; it picks the window of those arrival
 * offsets that maximises the expected gain (a cold start saved on days that fit, minus the idle wait
 * before the request; a wasted wake plus the hold on days whose request came later), and plans only
 * when at least `prewarmMinDays` days fit, the gain is positive, and the same weekday a week ago (when
 * known) fits too. Returns null when no pattern pays.
 */
export function planPrewarm(
  history: GapHistory,
  now: number,
  stats: ModelEnergyStats,
  settings: KeepAliveSettings,
): PrewarmPlan | null {
  if (!settings.prewarm || stats.dPWatts <= 0) return null;
  const offsets: { day: number; inMs: number }[] = [];
  for (let day = 1; day <= settings.prewarmLookbackDays; day++) {
    const past = history.at(now - day * DAY_MS);
    if (past.kind === 'no-history') continue;
    offsets.push({ day, inMs: past.kind === 'busy' ? 0 : past.inMs });
  }
  if (offsets.length < settings.prewarmMinDays) return null;
  const sorted = [...offsets].sort((a, b) => a.inMs - b.inMs);
  const wattsPerMs = stats.dPWatts / 1_000;
  // The wake must start in the future, and the arrival be far enough ahead to be worth predicting.
  const earliestMs = Math.max(stats.wakeMs + settings.prewarmLeadMs, settings.prewarmMinAheadMs);
  let best: { from: number; to: number; gain: number; matched: number } | null = null;
  for (let i = 0; i < sorted.length; i++) {
    const from = (sorted[i] as { inMs: number }).inMs;
    if (from < earliestMs) continue;
    for (let j = i; j < sorted.length; j++) {
      const to = (sorted[j] as { inMs: number }).inMs;
      if (to - from > settings.prewarmMaxSpreadMs) break;
      const matched = j - i + 1;
      if (matched < settings.prewarmMinDays) continue;
      const readyAtMs = from - settings.prewarmLeadMs;
      const holdMs = to + settings.prewarmLeadMs - readyAtMs;
      let gain = 0;
      for (let k = i; k <= j; k++) {
        gain +=
          settings.coldStartCostJoules -
          ((sorted[k] as { inMs: number }).inMs - readyAtMs) * wattsPerMs;
      }
      gain -= (sorted.length - 1 - j) * (stats.wakeJoules + holdMs * wattsPerMs);
      if (gain > 0 && (!best || gain > best.gain)) best = { from, to, gain, matched };
    }
  }
  if (!best) return null;
  const weekAgo = offsets.find((o) => o.day === 7);
  if (weekAgo && (weekAgo.inMs < best.from || weekAgo.inMs > best.to)) return null;
  const readyAt = now + best.from - settings.prewarmLeadMs;
  const perDay = best.gain / offsets.length;
  return {
    wakeAt: readyAt - stats.wakeMs,
    holdUntil: now + best.to + settings.prewarmLeadMs,
    expectedFromAt: now + best.from,
    matchedDays: best.matched,
    lookedAtDays: offsets.length,
    expectedGainJoules: perDay,
    detail:
      `on ${best.matched} of the last ${offsets.length} days a request came ${formatMs(best.from)} to ` +
      `${formatMs(best.to)} after this time; waking ${formatMs(stats.wakeMs + settings.prewarmLeadMs)} early ` +
      `is expected to save ${formatJoules(perDay)} a day`,
  };
}
