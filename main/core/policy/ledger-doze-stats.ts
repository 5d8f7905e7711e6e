// Learns each model's doze figures from the ledger (issue 15): its doze wake time from the `ready` events of wakes from a
// doze, and what a doze drops from the GPU's power from the stored samples around its `doze` events (the same windows
// as a sleep's drop: the median over 30 s before against the median over 20 s from 10 s after), only where the model
// stayed dozed through them. Read through the ledger's public queries; cached for a minute per model.
import type { Clock } from '../clock/clock';
import type { StoredEvent } from '../ledger/event-store';
import { DEFAULT_MEASUREMENT } from '../ledger/measure';
import { median } from '../ledger/power-math';
import type { PowerSeries } from '../ledger/power-store';
import type { DozeEnergyStats } from './energy-stats';

/** The ledger's queries this reads. */
export interface DozeHistoryReader {
  events(from: number, to: number): StoredEvent[];
  powerSeries(gpuIndex: number, from: number, to: number, maxPoints?: number): PowerSeries;
}

/** How far back it looks (the raw samples' retention), how many dozes it averages, how long a result is kept. */
const LOOK_BACK_MS = 7 * 86_400_000;
const RECENT = 20;
const CACHE_MS = 60_000;

/** A model's doze figures from the ledger, or null when it never dozed or woke from a doze. */
export function dozeStatsFromLedger(
  ledger: DozeHistoryReader,
  model: string,
  now: number,
): DozeEnergyStats | null {
  const events = ledger.events(now - LOOK_BACK_MS, now + 1).filter((e) => e.model === model);
  const wakeMs = events
    .map((e) => e.event)
    .flatMap((e) => (e.kind === 'ready' && e.from === 'dozed' ? [e.wakeMs] : []))
    .slice(-RECENT);
  const drops: number[] = [];
  const dozes = events.filter((e) => e.kind === 'doze').slice(-RECENT);
  for (const doze of dozes) {
    const drop = dozeDropWatts(ledger, doze, events);
    if (drop !== null) drops.push(drop);
  }
  if (wakeMs.length === 0 && drops.length === 0) return null;
  return {
    dropWatts: drops.length === 0 ? null : drops.reduce((a, b) => a + b, 0) / drops.length,
    wakeMs: median(wakeMs),
    dozes: drops.length,
    wakes: wakeMs.length,
  };
}

/** The power a doze dropped, summed over the model's GPUs; null when it woke or stopped within the windows. */
function dozeDropWatts(
  ledger: DozeHistoryReader,
  doze: StoredEvent,
  events: readonly StoredEvent[],
): number | null {
  const m = DEFAULT_MEASUREMENT;
  const afterFrom = doze.at + m.settleMs;
  const afterTo = afterFrom + m.afterWindowMs;
  const next = events.find((e) => e.at > doze.at && e.kind !== 'doze');
  if (next !== undefined && next.at < afterTo) return null;
  const gpus = doze.gpuIndexes && doze.gpuIndexes.length > 0 ? doze.gpuIndexes : [0];
  let drop = 0;
  for (const gpu of gpus) {
    const series = ledger.powerSeries(gpu, doze.at - m.beforeWindowMs, afterTo, 1_000);
    if (series.source !== 'raw') return null;
    const watts = (from: number, to: number): number | null =>
      median(series.points.filter((p) => p.at >= from && p.at < to).map((p) => p.avgWatts));
    const before = watts(doze.at - m.beforeWindowMs, doze.at);
    const after = watts(afterFrom, afterTo);
    if (before === null || after === null) return null;
    drop += before - after;
  }
  return drop;
}

/** `dozeStatsFor` over the ledger, each model's result kept for a minute. */
export function cachedDozeStats(
  ledger: DozeHistoryReader,
  clock: Clock,
): (model: string) => DozeEnergyStats | null {
  const cache = new Map<string, { at: number; stats: DozeEnergyStats | null }>();
  return (model) => {
    const now = clock.now();
    const hit = cache.get(model);
    if (hit && now - hit.at < CACHE_MS) return hit.stats;
    const stats = dozeStatsFromLedger(ledger, model, now);
    cache.set(model, { at: now, stats });
    return stats;
  };
}
