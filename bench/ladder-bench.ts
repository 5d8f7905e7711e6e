// The keep-alive over the sleep ladder (issue 15), per trace: the learned (T1, T2) and the lower envelope against the
// multi-state offline optimum (target: learned <= 1.2x), beside the best fixed pair in hindsight and today's
// single-level policies (stop after 10 min, break-even, the best single timeout in hindsight). Costs in joules with
// each wait priced in: 30 W awake, 5 W dozed, a doze wake of 2 s and a cold start of 20 s (DEFAULT_POWER_MODEL).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GapHistory, type IdleGap } from '../main/core/policy/gap-history';
import { LEARNED_PAIR_CANDIDATES } from '../main/core/policy/ladder-decision';
import {
  bestLadderThresholds,
  bestWeightedLadderThresholds,
  envelopeThresholds,
  ladderGapJoules,
  ladderOptimumGapJoules,
  type LadderCosts,
  type LadderThresholds,
} from '../main/core/policy/ladder-policy';
import { KEEP_ALIVE_DEFAULTS } from '../main/core/policy/keep-alive-settings';
import { DEFAULT_POWER_MODEL } from './policy/power-model';
import {
  azureCodeTrace,
  azureConvTrace,
  mooncakeTrace,
  sharedTracesDir,
} from './policy/real-traces';
import { nightlyBatchTrace, officeTrace, personalTrace } from './policy/synthetic-traces';
import type { Trace } from './policy/trace';

const TARGET_RATIO = 1.2;
const DOZE_WAKE_MS = 2_000;

function costsFor(): LadderCosts {
  const cold = KEEP_ALIVE_DEFAULTS.coldStartCostJoules;
  const p = DEFAULT_POWER_MODEL;
  // A doze wake: the weights back from host RAM at ~100 W for 2 s, and a tenth of a cold start's wait.
  return {
    awakeWatts: p.dPWatts,
    dozedWatts: 5,
    dozeWakeJoules: 100 * (DOZE_WAKE_MS / 1000) + cold * (DOZE_WAKE_MS / p.wakeMs),
    stopWakeJoules: p.wakeJoules + cold,
  };
}

/** The idle gaps of a trace, in epoch ms (the trace's start is a real date: time of day means something). */
function idleGapsOf(trace: Trace): IdleGap[] {
  const gaps: IdleGap[] = [];
  let busyUntil = 0;
  for (const r of trace.requests) {
    if (r.offsetMs > busyUntil && busyUntil > 0)
      gaps.push({ startAt: trace.startAt + busyUntil, endAt: trace.startAt + r.offsetMs });
    busyUntil = Math.max(busyUntil, r.offsetMs + r.serviceMs);
  }
  return gaps;
}

/**
 * Online, by time of day: before each gap, the best pair over the gaps seen so far, weighted as the adaptive policy
 * weighs them (recent ones more, halving every 3 days; those that began near this time of day on earlier days 4x).
 */
function learnedByTimeOfDayJoules(gaps: readonly IdleGap[], c: LadderCosts): number {
  const s = KEEP_ALIVE_DEFAULTS;
  const history = new GapHistory({ maxAgeMs: s.historyMaxAgeMs, maxGaps: s.historyMaxGaps });
  let total = 0;
  for (const gap of gaps) {
    const t =
      history.size() >= KEEP_ALIVE_DEFAULTS.minGapsForAdaptive
        ? bestWeightedLadderThresholds(
            history.weightedByTimeOfDay(
              gap.startAt,
              s.gapHalfLifeMs,
              s.timeOfDayWindowMs,
              s.timeOfDayBoost,
            ).gaps,
            c,
            LEARNED_PAIR_CANDIDATES,
          ).thresholds
        : envelopeThresholds(c);
    total += ladderGapJoules(gap.endAt - gap.startAt, t, c);
    history.add(gap);
  }
  return total;
}

function fixedJoules(gaps: readonly number[], t: LadderThresholds, c: LadderCosts): number {
  return gaps.reduce((s, g) => s + ladderGapJoules(g, t, c), 0);
}

/** Online, as the keep-alive policies do it: the envelope until 20 gaps are seen, then before every gap the best pair over those seen so far. */
function learnedJoules(gaps: readonly number[], c: LadderCosts): number {
  let t = envelopeThresholds(c);
  let total = 0;
  for (let i = 0; i < gaps.length; i++) {
    if (i >= KEEP_ALIVE_DEFAULTS.minGapsForAdaptive)
      t = bestLadderThresholds(gaps.slice(0, i), c, LEARNED_PAIR_CANDIDATES).thresholds;
    total += ladderGapJoules(gaps[i] ?? 0, t, c);
  }
  return total;
}

function bestSingleStop(gaps: readonly number[], c: LadderCosts): number {
  const noDoze = { ...c, dozeWakeJoules: c.stopWakeJoules, dozedWatts: c.awakeWatts };
  return bestLadderThresholds(gaps, noDoze).joules;
}

function traces(): Trace[] {
  const list = [officeTrace(), nightlyBatchTrace(), personalTrace()];
  // shared/ beside the repository; in a worktree under /work/wt/ it is /work/shared.
  const dirs = [sharedTracesDir(), join(__dirname, '..', '..', '..', 'shared', 'traces')];
  const dir = dirs.find((d) => existsSync(d)) ?? sharedTracesDir();
  for (const load of [azureCodeTrace, azureConvTrace, mooncakeTrace]) {
    try {
      list.push(load(dir));
    } catch (error) {
      console.log(
        `(a real trace is missing: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      );
    }
  }
  return list;
}

export function run(): Promise<void> {
  const c = costsFor();
  const env = envelopeThresholds(c);
  console.log(
    `costs: awake ${c.awakeWatts} W, dozed ${c.dozedWatts} W, doze wake ${c.dozeWakeJoules} J, cold start ${c.stopWakeJoules} J; ` +
      `envelope: doze after ${(env.dozeAfterMs / 1000).toFixed(0)} s, stop after ${(env.stopAfterMs / 1000).toFixed(0)} s\n`,
  );
  const header = [
    'trace',
    'gaps',
    'optimum',
    'learned',
    'by time of day',
    'envelope',
    'best (T1,T2)',
    'stop 10 min',
    'break-even',
    'best stop-only',
  ];
  console.log(header.map((h, i) => (i === 0 ? h.padEnd(26) : h.padStart(16))).join(''));
  let worst = 0;
  let worstByTimeOfDay = 0;
  for (const trace of traces()) {
    const idleGaps = idleGapsOf(trace);
    const gaps = idleGaps.map((g) => g.endAt - g.startAt);
    const optimum = gaps.reduce((s, g) => s + ladderOptimumGapJoules(g, c), 0);
    const breakEvenMs = (1000 * c.stopWakeJoules) / c.awakeWatts;
    const learned = learnedJoules(gaps, c);
    const byTimeOfDay = learnedByTimeOfDayJoules(idleGaps, c);
    const row = [
      learned,
      byTimeOfDay,
      fixedJoules(gaps, env, c),
      bestLadderThresholds(gaps, c).joules,
      fixedJoules(gaps, { dozeAfterMs: 600_000, stopAfterMs: 600_000 }, c),
      fixedJoules(gaps, { dozeAfterMs: breakEvenMs, stopAfterMs: breakEvenMs }, c),
      bestSingleStop(gaps, c),
    ];
    worst = Math.max(worst, learned / optimum);
    worstByTimeOfDay = Math.max(worstByTimeOfDay, byTimeOfDay / optimum);
    console.log(
      trace.name.padEnd(26) +
        String(gaps.length).padStart(16) +
        `${(optimum / 1e6).toFixed(2)} MJ`.padStart(16) +
        row.map((j) => `${(j / optimum).toFixed(3)}x`.padStart(16)).join(''),
    );
  }
  console.log(
    `\nlearned ladder, worst trace: ${worst.toFixed(3)}x the offline optimum (target <= ${TARGET_RATIO}x): ${worst <= TARGET_RATIO ? 'met' : 'NOT met'}`,
  );
  console.log(
    `learned by time of day, worst trace: ${worstByTimeOfDay.toFixed(3)}x (target <= ${TARGET_RATIO}x): ${worstByTimeOfDay <= TARGET_RATIO ? 'met' : 'NOT met'}`,
  );
  return Promise.resolve();
}
