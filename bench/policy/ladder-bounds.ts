// What bounds a learned ladder on a trace: the best pair per context in hindsight (one pair per hour of day, per
// class of the previous gap, per count of recent gaps), i.e. what a policy that knew those pairs from the first gap
// would cost, and the plain learner given the hindsight pair until it has 20 gaps (its start-up cost removed).
import type { IdleGap } from '../../main/core/policy/gap-history';
import { learnerThresholds } from '../../main/core/policy/ladder-learners';
import {
  bestLadderThresholds,
  ladderGapJoules,
  type LadderCosts,
} from '../../main/core/policy/ladder-policy';

/** A context of a gap, from what is known at its start (the gaps before it and its start time). */
type Context = (gaps: readonly IdleGap[], i: number) => number;

const lengthOf = (g: IdleGap | undefined): number => (g ? g.endAt - g.startAt : 0);

export const CONTEXTS: Readonly<Record<string, Context>> = {
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

/** The joules of the best pair per context class in hindsight. */
export function bestPerContextJoules(
  gaps: readonly IdleGap[],
  context: Context,
  c: LadderCosts,
): number {
  const classes = new Map<number, number[]>();
  gaps.forEach((g, i) => {
    const key = context(gaps, i);
    const list = classes.get(key) ?? [];
    list.push(lengthOf(g));
    classes.set(key, list);
  });
  let joules = 0;
  for (const list of classes.values())
    joules += bestLadderThresholds(list, c, Number.MAX_SAFE_INTEGER).joules;
  return joules;
}

/** The plain learner (unclamped) with the hindsight pair for its first `minGaps` gaps instead of the envelope. */
export function plainWithoutStartUpJoules(
  gaps: readonly IdleGap[],
  c: LadderCosts,
  minGaps: number,
): number {
  const lengths = gaps.map(lengthOf);
  const hindsight = bestLadderThresholds(lengths, c, Number.MAX_SAFE_INTEGER).thresholds;
  let joules = 0;
  gaps.forEach((g, i) => {
    const t =
      i < minGaps
        ? hindsight
        : learnerThresholds('plain', {
            past: gaps.slice(0, i),
            now: g.startAt,
            costs: c,
            minGaps,
          });
    joules += ladderGapJoules(lengthOf(g), t, c);
  });
  return joules;
}
