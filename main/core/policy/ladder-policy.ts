// The keep-alive over the sleep ladder (issue 15): doze after T1, stop after T2, as a multi-state ski rental on the
// measured costs (watts in each state; energy of each wake plus what its wait is worth to the user).

/** What each rung costs. Watts above the GPU's baseline; a wake's joules include the user's wait priced in. */
export interface LadderCosts {
  readonly awakeWatts: number;
  readonly dozedWatts: number;
  /** Stopped: nothing above the baseline. */
  readonly dozeWakeJoules: number;
  readonly stopWakeJoules: number;
}

/** Doze once idle `dozeAfterMs`, stop once idle `stopAfterMs` (>= dozeAfterMs); Infinity: never. */
export interface LadderThresholds {
  readonly dozeAfterMs: number;
  readonly stopAfterMs: number;
}

/** Cost (joules) of one idle gap under the thresholds. */
export function ladderGapJoules(gapMs: number, t: LadderThresholds, c: LadderCosts): number {
  const t1 = Math.min(t.dozeAfterMs, t.stopAfterMs);
  if (gapMs <= t1) return (c.awakeWatts * gapMs) / 1000;
  const awake = (c.awakeWatts * t1) / 1000;
  if (gapMs <= t.stopAfterMs)
    return awake + (c.dozedWatts * (gapMs - t1)) / 1000 + c.dozeWakeJoules;
  return awake + (c.dozedWatts * (t.stopAfterMs - t1)) / 1000 + c.stopWakeJoules;
}

/** The offline optimum of one gap, knowing its length: stay awake, doze at once, or stop at once. */
export function ladderOptimumGapJoules(gapMs: number, c: LadderCosts): number {
  return Math.min(
    (c.awakeWatts * gapMs) / 1000,
    c.dozeWakeJoules + (c.dozedWatts * gapMs) / 1000,
    c.stopWakeJoules,
  );
}

/**
 * The lower-envelope thresholds (deterministic, at most 2x the optimum on any gap): doze where staying awake starts
 * to cost more than dozing at once would have, stop where dozing starts to cost more than stopping. A doze that is
 * never on the envelope (it costs too much to wake from, or draws too much) is skipped.
 */
export function envelopeThresholds(c: LadderCosts): LadderThresholds {
  const stopOnlyMs = (1000 * c.stopWakeJoules) / c.awakeWatts;
  const dozeAfterMs = (1000 * c.dozeWakeJoules) / Math.max(1e-9, c.awakeWatts - c.dozedWatts);
  const stopAfterMs =
    c.dozedWatts <= 0
      ? Number.POSITIVE_INFINITY
      : (1000 * (c.stopWakeJoules - c.dozeWakeJoules)) / c.dozedWatts;
  if (
    c.dozedWatts >= c.awakeWatts ||
    c.dozeWakeJoules >= c.stopWakeJoules ||
    stopAfterMs <= dozeAfterMs
  ) {
    return { dozeAfterMs: stopOnlyMs, stopAfterMs: stopOnlyMs };
  }
  return { dozeAfterMs, stopAfterMs };
}

/**
 * The thresholds that would have cost least over these past gaps (the best fixed pair in hindsight when given all
 * of them; the learned pair when given those seen so far). Candidates: 0, the envelope's, and up to `maxCandidates`
 * quantiles of the gaps; each pair is priced in O(log n) with prefix sums.
 */
export function bestLadderThresholds(
  gapsMs: readonly number[],
  c: LadderCosts,
  maxCandidates = 160,
): { readonly thresholds: LadderThresholds; readonly joules: number } {
  return bestWeightedLadderThresholds(
    gapsMs.map((gapMs) => ({ gapMs, weight: 1 })),
    c,
    maxCandidates,
  );
}

/** `bestLadderThresholds` over weighted gaps (recency, time of day): each gap's cost counts `weight` times. */
export function bestWeightedLadderThresholds(
  gaps: readonly { readonly gapMs: number; readonly weight: number }[],
  c: LadderCosts,
  maxCandidates = 160,
): { readonly thresholds: LadderThresholds; readonly joules: number } {
  const sorted = gaps.filter((g) => g.gapMs >= 0 && g.weight > 0).sort((a, b) => a.gapMs - b.gapMs);
  // Prefix sums of the weights and of the weighted lengths.
  const weightTo = [0];
  const lengthTo = [0];
  for (const g of sorted) {
    weightTo.push((weightTo.at(-1) ?? 0) + g.weight);
    lengthTo.push((lengthTo.at(-1) ?? 0) + g.weight * g.gapMs);
  }
  const n = sorted.length;
  /** How many gaps are <= t. */
  const countUpTo = (t: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid]?.gapMs ?? 0) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const total = (t1: number, t2: number): number => {
    const a = countUpTo(t1);
    const b = countUpTo(t2);
    const w = (k: number): number => weightTo[k] ?? 0;
    const len = (k: number): number => lengthTo[k] ?? 0;
    const awakeOnly = (c.awakeWatts * len(a)) / 1000;
    const dozed =
      b === a
        ? 0
        : (w(b) - w(a)) * ((c.awakeWatts * t1) / 1000 + c.dozeWakeJoules) +
          (c.dozedWatts * (len(b) - len(a) - (w(b) - w(a)) * t1)) / 1000;
    const stopped =
      t2 === Number.POSITIVE_INFINITY
        ? 0
        : (w(n) - w(b)) *
          ((c.awakeWatts * t1) / 1000 + (c.dozedWatts * (t2 - t1)) / 1000 + c.stopWakeJoules);
    return awakeOnly + dozed + stopped;
  };
  const envelope = envelopeThresholds(c);
  const candidates = new Set<number>([
    0,
    envelope.dozeAfterMs,
    envelope.stopAfterMs,
    Number.POSITIVE_INFINITY,
  ]);
  const step = Math.max(1, Math.floor(n / maxCandidates));
  for (let i = 0; i < n; i += step) candidates.add(sorted[i]?.gapMs ?? 0);
  if (n > 0) candidates.add(sorted[n - 1]?.gapMs ?? 0);
  const list = [...candidates].sort((x, y) => x - y);
  let best = { thresholds: envelope, joules: total(envelope.dozeAfterMs, envelope.stopAfterMs) };
  for (let i = 0; i < list.length; i++) {
    for (let j = i; j < list.length; j++) {
      const t1 = list[i] ?? 0;
      const t2 = list[j] ?? 0;
      const joules = total(t1, t2);
      if (joules < best.joules) best = { thresholds: { dozeAfterMs: t1, stopAfterMs: t2 }, joules };
    }
  }
  return best;
}
