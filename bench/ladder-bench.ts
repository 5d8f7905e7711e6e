// The keep-alive over the sleep ladder (issue 15), per trace: the learned (T1, T2) before (best pair over all past gaps)
// and after (the ladder experts, ladder-learners.ts) and the lower envelope against the
// multi-state offline optimum (target: learned <= 1.2x), beside the best fixed pair in hindsight and today's
// single-level policies (stop after 10 min, break-even, the best single timeout in hindsight). Costs in joules with
// each wait priced in: 30 W awake, 5 W dozed, a doze wake of 2 s and a cold start of 20 s (DEFAULT_POWER_MODEL).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GapHistory, type IdleGap } from '../main/core/policy/gap-history';
import {
  clampedLadder,
  LADDER_LEARNERS,
  LadderExperts,
  learnerThresholds,
  type LadderLearnerName,
} from '../main/core/policy/ladder-learners';
import {
  bestLadderThresholds,
  envelopeThresholds,
  ladderGapJoules,
  ladderOptimumGapJoules,
  type LadderCosts,
  type LadderThresholds,
} from '../main/core/policy/ladder-policy';
import { KEEP_ALIVE_DEFAULTS } from '../main/core/policy/keep-alive-settings';
import { CONTEXTS, crossFittedJoules, plainWithoutStartUpJoules } from './policy/ladder-bounds';
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

function fixedJoules(gaps: readonly number[], t: LadderThresholds, c: LadderCosts): number {
  return gaps.reduce((s, g) => s + ladderGapJoules(g, t, c), 0);
}

interface OnlineRun {
  readonly joules: number;
  /** Mean time of one decision, in microseconds. */
  readonly decisionUs: number;
}

/** Online, gap by gap, only past gaps at each decision, through the product's GapHistory and idle-range clamp. */
function online(
  gaps: readonly IdleGap[],
  c: LadderCosts,
  decide: (history: readonly IdleGap[], now: number) => LadderThresholds,
): OnlineRun {
  const s = KEEP_ALIVE_DEFAULTS;
  const history = new GapHistory({ maxAgeMs: s.historyMaxAgeMs, maxGaps: s.historyMaxGaps });
  let joules = 0;
  let decisionMs = 0;
  for (const gap of gaps) {
    const started = performance.now();
    const t = clampedLadder(decide(history.all(), gap.startAt), s);
    decisionMs += performance.now() - started;
    joules += ladderGapJoules(gap.endAt - gap.startAt, t, c);
    history.add(gap);
  }
  return { joules, decisionUs: (1000 * decisionMs) / Math.max(1, gaps.length) };
}

/** Before: the best pair over every past gap (the plain learner alone), the envelope until 20 are seen. */
function beforeRun(gaps: readonly IdleGap[], c: LadderCosts): OnlineRun {
  const minGaps = KEEP_ALIVE_DEFAULTS.minGapsForAdaptive;
  return online(gaps, c, (past, now) =>
    learnerThresholds('plain', { past, now, costs: c, minGaps }),
  );
}

/** After: the product's LadderExperts (follow the learner with the least cost so far); also each learner's total. */
function afterRun(
  gaps: readonly IdleGap[],
  c: LadderCosts,
): OnlineRun & { readonly learners: ReadonlyMap<LadderLearnerName, number> } {
  const experts = new LadderExperts();
  const run = online(
    gaps,
    c,
    (past, now) => experts.decide(past, now, c, KEEP_ALIVE_DEFAULTS).thresholds,
  );
  return { ...run, learners: experts.totals() };
}

function bestSingleStop(gaps: readonly number[], c: LadderCosts): number {
  const noDoze = { ...c, dozeWakeJoules: c.stopWakeJoules, dozedWatts: c.awakeWatts };
  return bestLadderThresholds(gaps, noDoze).joules;
}

function traces(long: boolean): Trace[] {
  const list = [officeTrace(), nightlyBatchTrace(), personalTrace()];
  // `--long`: the same generators over more days, to see what more history brings.
  if (long)
    list.push(
      { ...officeTrace(56), name: 'office-8w' },
      { ...personalTrace(84), name: 'personal-12w' },
    );
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

export function run(args: readonly string[] = []): Promise<void> {
  const c = costsFor();
  const env = envelopeThresholds(c);
  console.log(
    `costs: awake ${c.awakeWatts} W, dozed ${c.dozedWatts} W, doze wake ${c.dozeWakeJoules} J, cold start ${c.stopWakeJoules} J; ` +
      `envelope: doze after ${(env.dozeAfterMs / 1000).toFixed(0)} s, stop after ${(env.stopAfterMs / 1000).toFixed(0)} s\n` +
      'every cost is a ratio to the multi-state offline optimum; before: the best pair over all past gaps; after: the\n' +
      'ladder experts (follow the leader over the plain, smoothed and time-of-day learners); each learner alone beside;\n' +
      'best (T1,T2): the best fixed pair in hindsight; best, clamped: that pair in the idle range (1 s .. 2 h)\n',
  );
  const header = [
    'trace',
    'gaps',
    'optimum',
    'before',
    'after',
    ...LADDER_LEARNERS.filter((n) => n !== 'plain'),
    'best (T1,T2)',
    'best, clamped',
    'envelope',
    'stop 10 min',
    'break-even',
    'best stop-only',
    'µs before/after',
  ];
  const width = (i: number): number => (i === 0 ? 15 : i === 1 ? 6 : 16);
  console.log(header.map((h, i) => (i === 0 ? h.padEnd(width(i)) : h.padStart(width(i)))).join(''));
  let worstBefore = 0;
  let worstAfter = 0;
  const bounds: string[] = [];
  for (const trace of traces(args.includes('--long'))) {
    const idleGaps = idleGapsOf(trace);
    const gaps = idleGaps.map((g) => g.endAt - g.startAt);
    const optimum = gaps.reduce((s, g) => s + ladderOptimumGapJoules(g, c), 0);
    const breakEvenMs = (1000 * c.stopWakeJoules) / c.awakeWatts;
    const before = beforeRun(idleGaps, c);
    const best = bestLadderThresholds(gaps, c, Number.MAX_SAFE_INTEGER);
    const after = afterRun(idleGaps, c);
    const row = [
      before.joules,
      after.joules,
      ...LADDER_LEARNERS.filter((n) => n !== 'plain').map((n) => after.learners.get(n) ?? 0),
      best.joules,
      fixedJoules(gaps, clampedLadder(best.thresholds, KEEP_ALIVE_DEFAULTS), c),
      fixedJoules(gaps, env, c),
      fixedJoules(gaps, { dozeAfterMs: 600_000, stopAfterMs: 600_000 }, c),
      fixedJoules(gaps, { dozeAfterMs: breakEvenMs, stopAfterMs: breakEvenMs }, c),
      bestSingleStop(gaps, c),
    ];
    worstBefore = Math.max(worstBefore, before.joules / optimum);
    worstAfter = Math.max(worstAfter, after.joules / optimum);
    console.log(
      trace.name.padEnd(width(0)) +
        String(gaps.length).padStart(width(1)) +
        `${(optimum / 1e6).toFixed(2)} MJ`.padStart(width(2)) +
        row.map((j) => `${(j / optimum).toFixed(3)}x`.padStart(width(3))).join('') +
        `${before.decisionUs.toFixed(0)}/${after.decisionUs.toFixed(0)}`.padStart(width(3)),
    );
    const minGaps = KEEP_ALIVE_DEFAULTS.minGapsForAdaptive;
    bounds.push(
      trace.name.padEnd(width(0)) +
        [
          ...Object.values(CONTEXTS).map((context) => crossFittedJoules(idleGaps, context, c)),
          plainWithoutStartUpJoules(idleGaps, c, minGaps),
        ]
          .map((j) => `${(j / optimum).toFixed(3)}x`.padStart(16))
          .join(''),
    );
  }
  console.log(
    '\nwhat bounds it: the best pair per context class fitted on one half of the trace and priced on the other\n' +
      '(both ways; a learner that had seen half the trace, without noise in its fit), and the plain learner without\n' +
      'its start-up (the hindsight pair for its first 20 gaps); pairs in the idle range as above\n',
  );
  console.log(
    ['trace', ...Object.keys(CONTEXTS), 'no start-up']
      .map((h, i) => (i === 0 ? h.padEnd(width(0)) : h.padStart(16)))
      .join(''),
  );
  for (const line of bounds) console.log(line);
  const verdict = (worst: number): string =>
    `${worst.toFixed(3)}x the offline optimum (target <= ${TARGET_RATIO}x): ${worst <= TARGET_RATIO ? 'met' : 'NOT met'}`;
  console.log(`\nbefore, worst trace: ${verdict(worstBefore)}`);
  console.log(`after, worst trace:  ${verdict(worstAfter)}`);
  return Promise.resolve();
}
