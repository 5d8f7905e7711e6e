// What bounds a learned ladder on a trace, out of sample: the best pair per context class (one pair for all gaps,
// one per hour of day, per previous gap, per count of recent gaps) fitted on one half of the trace and priced on the
// other (both ways), i.e. a learner with half the trace already seen and no noise in its fit; and the plain learner
// given the hindsight pair until it has its 20 gaps (its start-up cost removed). Pairs clamped as the product does.
import type { IdleGap } from '../../main/core/policy/gap-history';
import { KEEP_ALIVE_DEFAULTS } from '../../main/core/policy/keep-alive-settings';
import { clampedLadder, learnerThresholds } from '../../main/core/policy/ladder-learners';
import {
  bestLadderThresholds,
  ladderGapJoules,
  type LadderCosts,
  type LadderThresholds,
} from '../../main/core/policy/ladder-policy';

/** A context of a gap, from what is known at its start (the gaps before it and its start time). */
type Context = (gaps: readonly IdleGap[], i: number) => number;

const lengthOf = (g: IdleGap | undefined): number => (g ? g.endAt - g.startAt : 0);

export const CONTEXTS: Readonly<Record<string, Context>> = {
  'one pair': () => 0,
  'per hour': (gaps, i) => new Date(gaps[i]?.startAt ?? 0).getUTCHours(),
  'per prev. gap': (gaps, i) =>
    i === 0 ? -1 : Math.min(12, Math.floor(Math.log2(1 + lengthOf(gaps[i - 1]) / 1000))),
  'per last 30 min': (gaps, i) => {
    const start = gaps[i]?.startAt ?? 0;
    let count = 0;
    for (let j = i - 1; j >= 0 && (gaps[j]?.endAt ?? 0) >= start - 1_800_000; j--) count++;
    return Math.min(20, count);
  },
};

const best = (lengths: readonly number[], c: LadderCosts): LadderThresholds =>
  clampedLadder(
    bestLadderThresholds(lengths, c, Number.MAX_SAFE_INTEGER).thresholds,
    KEEP_ALIVE_DEFAULTS,
  );

/** Joules of the best pair per context class fitted on one half of the gaps and priced on the other, both ways. */
export function crossFittedJoules(
  gaps: readonly IdleGap[],
  context: Context,
  c: LadderCosts,
): number {
  const keys = gaps.map((_, i) => context(gaps, i));
  const half = Math.floor(gaps.length / 2);
  const halves = [
    [0, half],
    [half, gaps.length],
  ] as const;
  let joules = 0;
  for (const [fit, priced] of [
    [halves[0], halves[1]],
    [halves[1], halves[0]],
  ] as const) {
    const classes = new Map<number, number[]>();
    for (let i = fit[0]; i < fit[1]; i++) {
      const list = classes.get(keys[i] ?? 0) ?? [];
      list.push(lengthOf(gaps[i]));
      classes.set(keys[i] ?? 0, list);
    }
    const whole = best(gaps.slice(fit[0], fit[1]).map(lengthOf), c);
    const pairs = new Map([...classes].map(([key, list]) => [key, best(list, c)]));
    for (let i = priced[0]; i < priced[1]; i++)
      joules += ladderGapJoules(lengthOf(gaps[i]), pairs.get(keys[i] ?? 0) ?? whole, c);
  }
  return joules;
}

/** The plain learner with the hindsight pair for its first `minGaps` gaps instead of the envelope. */
export function plainWithoutStartUpJoules(
  gaps: readonly IdleGap[],
  c: LadderCosts,
  minGaps: number,
): number {
  const hindsight = best(gaps.map(lengthOf), c);
  let joules = 0;
  gaps.forEach((g, i) => {
    const t =
      i < minGaps
        ? hindsight
        : clampedLadder(
            learnerThresholds('plain', {
              past: gaps.slice(0, i),
              now: g.startAt,
              costs: c,
              minGaps,
            }),
            KEEP_ALIVE_DEFAULTS,
          );
    joules += ladderGapJoules(lengthOf(g), t, c);
  });
  return joules;
}
