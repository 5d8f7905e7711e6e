// The keep-alive decision of a model with a doze: the fallback before a doze is measured, the envelope, the learned
// pair, and no doze for a model without one.
import { describe, expect, it } from 'vitest';
import { specForTest, VLLM_DOZE as VLLM } from '../config/testdata/spec-for-test';
import { fixedEnergyStats } from './energy-stats';
import { KeepAlivePolicies } from './keep-alive-policies';
import { KEEP_ALIVE_DEFAULTS } from './keep-alive-settings';
import { ladderCostsOf, ladderDecision, UNMEASURED_DOZED_MS } from './ladder-decision';
import { LadderExperts } from './ladder-learners';
import { VirtualClock } from '../clock/virtual-clock';

const spec = specForTest('qwen', { doze: VLLM, idleMs: 600_000 });
const base = { idleMs: 600_000, reason: 'fixed: 10 min from the spec' };
/** 30 W idle, a 20 s cold start of 1,200 J; a doze drops 25 W and wakes in 2 s. */
const STATS = { dPWatts: 30, wakeJoules: 1_200, wakeMs: 20_000, count: 4 };
const DOZE = { dropWatts: 25, wakeMs: 2_000, dozes: 3, wakes: 3 };

describe('ladderDecision', () => {
  it('before a doze is measured: dozes at the policy’s idle time and stops an hour later', () => {
    expect(ladderCostsOf(STATS, null, 6_000)).toBeNull();
    expect(
      ladderCostsOf(STATS, { dropWatts: null, wakeMs: 2_000, dozes: 0, wakes: 1 }, 6_000),
    ).toBeNull();
    expect(ladderDecision(spec, base, null, null, KEEP_ALIVE_DEFAULTS)).toEqual({
      idleMs: 600_000 + UNMEASURED_DOZED_MS,
      dozeAfterMs: 600_000,
      reason:
        'doze after 10 min (fixed: 10 min from the spec); no doze measured yet, so stop 1 h later',
    });
  });

  it('prices each wake with its wait: the envelope from the measured costs', () => {
    const costs = ladderCostsOf(STATS, DOZE, 6_000);
    // Dozed 30 - 25 = 5 W; a doze wake 30 W x 2 s + a tenth of the 6 kJ wait; a cold start 1.2 + 6 kJ.
    expect(costs).toEqual({
      awakeWatts: 30,
      dozedWatts: 5,
      dozeWakeJoules: 660,
      stopWakeJoules: 7_200,
    });
    const decision = ladderDecision(spec, base, costs, null, KEEP_ALIVE_DEFAULTS);
    // 660 J / 25 W = 26.4 s; (7,200 - 660) J / 5 W = 1,308 s.
    expect(decision.dozeAfterMs).toBe(26_400);
    expect(decision.idleMs).toBe(1_308_000);
    expect(decision.reason).toBe(
      'ladder: doze after 26 s, stop after 21 min 48 s (the break-even of each step; awake 30 W, dozed 5 W)',
    );
  });

  it('learns the best pair from enough past gaps', () => {
    const costs = ladderCostsOf(STATS, DOZE, 6_000);
    if (costs === null) throw new Error('costs expected');
    // Gaps of 5 s and of 2 h: stay awake through the short ones, then stop at once (a doze would only add its wake).
    // The smoothed learner, learning from 10 gaps while the others wait for 20, leads: it stops after 5 s x e^0.4.
    let at = 0;
    const gaps = Array.from({ length: 40 }, (_, i) => {
      const startAt = at + 1_000;
      at = startAt + (i % 2 === 0 ? 5_000 : 7_200_000);
      return { startAt, endAt: at };
    });
    const learned = new LadderExperts().decide(gaps, at + 1_000, costs, KEEP_ALIVE_DEFAULTS);
    expect(ladderDecision(spec, base, costs, learned, KEEP_ALIVE_DEFAULTS)).toEqual({
      idleMs: 7_459,
      reason:
        'ladder: stop after 7 s, no doze (the best pair over its last 40 idle gaps, smoothed learner; awake 30 W, dozed 5 W)',
    });
  });

  it('leaves a model without a doze, or one that never sleeps, to its single-level policy', () => {
    const plain = specForTest('plain');
    expect(ladderDecision(plain, base, null, null, KEEP_ALIVE_DEFAULTS)).toBe(base);
    const never = { idleMs: 0, reason: 'never' };
    expect(ladderDecision(spec, never, null, null, KEEP_ALIVE_DEFAULTS)).toBe(never);
  });

  it('is what the keep-alive policies hand the lifecycle for a model with a doze', () => {
    const policies = new KeepAlivePolicies({
      clock: new VirtualClock(),
      energyStats: { ...fixedEnergyStats({ qwen: STATS }), dozeStatsFor: () => DOZE },
    });
    const decision = policies.idleTimeFor(spec, 0);
    expect(decision.dozeAfterMs).toBe(26_400);
    expect(policies.idleTimeFor(specForTest('plain'), 0).dozeAfterMs).toBeUndefined();
  });
});
