// The learned (T1, T2) of the sleep ladder (issue 15): three learners over a model's past idle gaps, and the one
// followed at each gap chosen by what each would have cost over the gaps seen so far (follow the leader).
import { timeOfDayDistanceMs, type IdleGap } from './gap-history';
import type { KeepAliveSettings } from './keep-alive-settings';
import {
  bestWeightedLadderThresholds,
  envelopeThresholds,
  ladderGapJoules,
  type LadderCosts,
  type LadderThresholds,
} from './ladder-policy';

/** Candidate thresholds per pair search (quantiles of the gaps): each learner runs one search per decision. */
export const LEARNED_PAIR_CANDIDATES = 60;

/** The smoothed learner spreads each gap over its length x e^-0.4, x1, x e^0.4 (weights 1/4, 1/2, 1/4). */
export const SMOOTHING_LOG_WIDTH = 0.4;

/** The time-of-day learner weighs gaps that began on an earlier day within 45 min of this time of day 10x. */
export const TIME_OF_DAY_WINDOW_MS = 45 * 60_000;
export const TIME_OF_DAY_BOOST = 10;

/** At most this many not yet scored gaps are scored at one decision (imported history: the newest ones; ~3 searches each). */
export const MAX_SCORED_BACKLOG = 50;

/** The learners; `plain` is the pair of the ladder before the experts (the best pair over every past gap). */
export type LadderLearnerName = 'plain' | 'smoothed' | 'time of day';

export const LADDER_LEARNERS: readonly LadderLearnerName[] = ['plain', 'smoothed', 'time of day'];

/** What a learner may see: the gaps that ended before the decision, oldest first, and the decision's instant. */
export interface LearnerInput {
  readonly past: readonly IdleGap[];
  readonly now: number;
  readonly costs: LadderCosts;
  /** Below this many past gaps a learner answers the envelope (the smoothed one: half as many). */
  readonly minGaps: number;
}

const lengthOf = (g: IdleGap): number => g.endAt - g.startAt;

/** How many past gaps a learner needs before it learns (the smoothed one, less noisy, half as many). */
function gapsNeeded(name: LadderLearnerName, minGaps: number): number {
  return Math.max(1, name === 'smoothed' ? Math.ceil(minGaps / 2) : minGaps);
}

/** One learner's pair for a gap starting at `input.now`. */
export function learnerThresholds(name: LadderLearnerName, input: LearnerInput): LadderThresholds {
  const { past, now, costs, minGaps } = input;
  if (past.length < gapsNeeded(name, minGaps)) return envelopeThresholds(costs);
  let gaps: { gapMs: number; weight: number }[];
  switch (name) {
    case 'plain':
      gaps = past.map((g) => ({ gapMs: lengthOf(g), weight: 1 }));
      break;
    case 'smoothed': {
      const spread = Math.exp(SMOOTHING_LOG_WIDTH);
      gaps = past.flatMap((g) => [
        { gapMs: lengthOf(g) / spread, weight: 0.25 },
        { gapMs: lengthOf(g), weight: 0.5 },
        { gapMs: lengthOf(g) * spread, weight: 0.25 },
      ]);
      break;
    }
    case 'time of day':
      gaps = past.map((g) => ({
        gapMs: lengthOf(g),
        weight:
          now - g.startAt > TIME_OF_DAY_WINDOW_MS &&
          timeOfDayDistanceMs(g.startAt, now) <= TIME_OF_DAY_WINDOW_MS
            ? TIME_OF_DAY_BOOST
            : 1,
      }));
      break;
  }
  return bestWeightedLadderThresholds(gaps, costs, LEARNED_PAIR_CANDIDATES).thresholds;
}

/** The thresholds as the lifecycle gets them: rounded to ms within the settings' idle range, T2 >= T1. */
export function clampedLadder(
  t: LadderThresholds,
  settings: Pick<KeepAliveSettings, 'minIdleMs' | 'maxIdleMs'>,
): LadderThresholds {
  const clamp = (ms: number): number =>
    Math.round(Math.min(settings.maxIdleMs, Math.max(settings.minIdleMs, ms)));
  const dozeAfterMs = clamp(t.dozeAfterMs);
  return { dozeAfterMs, stopAfterMs: Math.max(dozeAfterMs, clamp(t.stopAfterMs)) };
}

/** What the experts need of the settings: the idle range every pair is clamped to, and how many gaps to learn from. */
export type LadderLearnSettings = Pick<
  KeepAliveSettings,
  'minIdleMs' | 'maxIdleMs' | 'minGapsForAdaptive'
>;

/** A learned pair and which learner gave it. */
export interface LearnedLadderPair {
  readonly thresholds: LadderThresholds;
  readonly learner: LadderLearnerName;
  /** How many past gaps the pair was learned from; 0: too few yet, the pair is the envelope. */
  readonly fromGaps: number;
  /** How many past gaps each learner was scored on. */
  readonly scoredGaps: number;
}

/**
 * The experts of one model. Each gap, once it has ended, is priced under the pair each learner would have chosen
 * at its start (from the gaps before it only); a decision follows the learner with the least total so far (ties:
 * the first in LADDER_LEARNERS). Keeps the pairs of its last decision so that the gap it was for is priced with
 * them rather than searched again.
 */
export class LadderExperts {
  private readonly totalJoules = new Map<LadderLearnerName, number>(
    LADDER_LEARNERS.map((n) => [n, 0]),
  );
  private scoredUpTo = Number.NEGATIVE_INFINITY;
  private scored = 0;
  private last: {
    readonly pastCount: number;
    readonly pastEndAt: number;
    readonly pairs: ReadonlyMap<LadderLearnerName, LadderThresholds>;
  } | null = null;

  /**
   * The pair for the gap starting at `now`, from `history` (every kept gap, oldest first, all ended by `now`),
   * clamped to the settings' idle range (as the lifecycle gets it, and as each learner is priced). Prices the gaps
   * that ended since the last call first.
   */
  decide(
    history: readonly IdleGap[],
    now: number,
    costs: LadderCosts,
    settings: LadderLearnSettings,
  ): LearnedLadderPair {
    this.score(history, costs, settings);
    const pairs = this.pairsAt(history, history.length, now, costs, settings);
    this.last = {
      pastCount: history.length,
      pastEndAt: history[history.length - 1]?.endAt ?? Number.NEGATIVE_INFINITY,
      pairs,
    };
    let leader: LadderLearnerName = LADDER_LEARNERS[0] ?? 'plain';
    for (const name of LADDER_LEARNERS) {
      if ((this.totalJoules.get(name) ?? 0) < (this.totalJoules.get(leader) ?? 0)) leader = name;
    }
    return {
      thresholds: pairs.get(leader) ?? clampedLadder(envelopeThresholds(costs), settings),
      learner: leader,
      fromGaps:
        history.length >= gapsNeeded(leader, settings.minGapsForAdaptive) ? history.length : 0,
      scoredGaps: this.scored,
    };
  }

  /** Each learner's total joules over the gaps scored so far. */
  totals(): ReadonlyMap<LadderLearnerName, number> {
    return this.totalJoules;
  }

  private score(
    history: readonly IdleGap[],
    costs: LadderCosts,
    settings: LadderLearnSettings,
  ): void {
    let first = history.length;
    while (first > 0 && (history[first - 1]?.endAt ?? 0) > this.scoredUpTo) first--;
    first = Math.max(first, history.length - MAX_SCORED_BACKLOG);
    for (let i = first; i < history.length; i++) {
      const gap = history[i];
      if (!gap) continue;
      const last = this.last;
      const pairs =
        last !== null &&
        last.pastCount === i &&
        last.pastEndAt === (history[i - 1]?.endAt ?? Number.NEGATIVE_INFINITY)
          ? last.pairs
          : this.pairsAt(history, i, gap.startAt, costs, settings);
      for (const name of LADDER_LEARNERS) {
        const t = pairs.get(name) ?? clampedLadder(envelopeThresholds(costs), settings);
        this.totalJoules.set(
          name,
          (this.totalJoules.get(name) ?? 0) + ladderGapJoules(lengthOf(gap), t, costs),
        );
      }
      this.scored++;
    }
    const newest = history[history.length - 1];
    if (newest) this.scoredUpTo = Math.max(this.scoredUpTo, newest.endAt);
  }

  private pairsAt(
    history: readonly IdleGap[],
    count: number,
    now: number,
    costs: LadderCosts,
    settings: LadderLearnSettings,
  ): Map<LadderLearnerName, LadderThresholds> {
    const past = history.slice(0, count);
    const minGaps = settings.minGapsForAdaptive;
    return new Map(
      LADDER_LEARNERS.map((name) => [
        name,
        clampedLadder(learnerThresholds(name, { past, now, costs, minGaps }), settings),
      ]),
    );
  }
}
