// The idle timeout that minimises the expected cost of a gap drawn from a histogram of past gaps.
import type { WeightedGap } from './gap-history';

/** The costs a timeout trades: idle power against a wake plus the annoyance of a cold start. */
export interface GapCosts {
  readonly dPWatts: number;
  readonly wakeJoules: number;
  readonly coldStartCostJoules: number;
}

/** The best timeout found and what it is expected to cost. */
export interface BestTimeout {
  /**
   * Sleep once idle this long: 0 (sleep at once), the length of one past gap (stay through gaps up to it),
   * or the longest gap seen (stay through every gap seen).
   */
  readonly timeoutMs: number;
  /** Expected cost per gap (joules, cold starts priced in) at that timeout. */
  readonly expectedJoules: number;
  /** Expected share of gaps that end in a cold start. */
  readonly coldStartShare: number;
}

/**
 * Expected cost per gap of timeout T over weighted gaps g: a gap no longer than T costs dP*g; a longer one
 * costs dP*T + E_wake + cold-start cost. Between two gap lengths the cost only rises with T, so the best T is
 * 0 or one of the gap lengths: one sorted pass with prefix sums finds it.
 */
export function bestTimeout(gaps: readonly WeightedGap[], costs: GapCosts): BestTimeout | null {
  const sorted = gaps.filter((g) => g.weight > 0 && g.gapMs >= 0).sort((a, b) => a.gapMs - b.gapMs);
  if (sorted.length === 0) return null;
  const totalWeight = sorted.reduce((s, g) => s + g.weight, 0);
  const sleepJoules = costs.wakeJoules + costs.coldStartCostJoules;
  const wattsPerMs = costs.dPWatts / 1_000;
  let best: BestTimeout = { timeoutMs: 0, expectedJoules: sleepJoules, coldStartShare: 1 };
  let weightBelow = 0;
  let idleJoulesBelow = 0;
  for (let i = 0; i < sorted.length; i++) {
    const g = sorted[i] as WeightedGap;
    weightBelow += g.weight;
    idleJoulesBelow += g.weight * g.gapMs * wattsPerMs;
    // Gaps of equal length are all covered by the same T: evaluate after the last of them.
    const next = sorted[i + 1];
    if (next && next.gapMs === g.gapMs) continue;
    const weightAbove = totalWeight - weightBelow;
    const expectedJoules =
      (idleJoulesBelow + weightAbove * (g.gapMs * wattsPerMs + sleepJoules)) / totalWeight;
    if (expectedJoules < best.expectedJoules) {
      best = { timeoutMs: g.gapMs, expectedJoules, coldStartShare: weightAbove / totalWeight };
    }
  }
  return best;
}

/** The expected cost per gap of a given timeout over the same histogram (to compare with the best). */
export function expectedGapJoules(
  gaps: readonly WeightedGap[],
  costs: GapCosts,
  timeoutMs: number,
): number {
  let weight = 0;
  let joules = 0;
  const sleepJoules = costs.wakeJoules + costs.coldStartCostJoules;
  for (const g of gaps) {
    if (g.weight <= 0) continue;
    weight += g.weight;
    joules +=
      g.weight *
      (g.gapMs <= timeoutMs
        ? (g.gapMs * costs.dPWatts) / 1_000
        : (timeoutMs * costs.dPWatts) / 1_000 + sleepJoules);
  }
  return weight > 0 ? joules / weight : 0;
}
