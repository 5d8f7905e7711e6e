// The replay simulator drives the lifecycle over a simulated model: its counts and energy follow from the trace.
import { describe, expect, it } from 'vitest';
import { DEFAULT_POWER_MODEL } from './power-model';
import { costJoules, savedJoules } from './replay-result';
import { nightlyBatchTrace } from './synthetic-traces';
import type { Trace } from './trace';
import { replayTrace, type ReplayPolicy } from './trace-replay';

const START = Date.UTC(2026, 0, 5, 9);
const power = DEFAULT_POWER_MODEL;

/** A trace from gaps: each request takes `serviceMs`, the next arrives `gap` after it ended. */
function fromGaps(gapsMs: readonly number[], serviceMs = 10_000): Trace {
  const requests = [{ offsetMs: 0, serviceMs }];
  let endMs = serviceMs;
  for (const gap of gapsMs) {
    requests.push({ offsetMs: endMs + gap, serviceMs });
    endMs += gap + serviceMs;
  }
  return { name: 'hand-made', description: 'hand-made', startAt: START, requests };
}

const fixed = (idleMs: number): ReplayPolicy => ({
  kind: 'spec',
  label: `fixed ${idleMs}`,
  policy: 'fixed',
  idleMs,
});

describe('trace replay through the lifecycle', () => {
  it('has one cold start for the first request and one per gap longer than the fixed idle time', async () => {
    // Gaps of 40 s or less never sleep; 100 s and more always do (a wake's 20 s delay shifts no gap across 60 s).
    const gapsMs = [
      30_000, 150_000, 600_000, 40_000, 7_200_000, 100_000, 5_000, 5_000, 3_600_000, 20_000,
    ];
    const { result } = await replayTrace({ trace: fromGaps(gapsMs), policy: fixed(60_000) });
    expect(result.coldStarts).toBe(1 + gapsMs.filter((g) => g > 60_000).length);
    expect(result.failures).toBe(0);
    expect(result.problems).toEqual([]);
    // Each cold start adds a full wake to the request that found the model asleep.
    expect(result.addedLatency.maxMs).toBe(power.wakeMs);
  });

  it('the adaptive policy learns every idle gap of the trace from the lifecycle it is attached to', async () => {
    const gapsMs = [
      30_000, 150_000, 600_000, 40_000, 7_200_000, 100_000, 5_000, 5_000, 3_600_000, 20_000,
    ];
    const { policies } = await replayTrace({
      trace: fromGaps(gapsMs),
      policy: { kind: 'spec', label: 'adaptive', policy: 'adaptive', idleMs: 600_000 },
    });
    const learned = policies?.gapsOf('model').map((g) => g.endAt - g.startAt) ?? [];
    expect(learned).toHaveLength(gapsMs.length);
    // A cold start delays the end of its request by the wake, which shortens the gap after it.
    learned.forEach((gap, i) => {
      expect(gap).toBeLessThanOrEqual(gapsMs[i] as number);
      expect(gap).toBeGreaterThanOrEqual((gapsMs[i] as number) - power.wakeMs);
    });
  });

  it('charges a wake per cold start and dP for every resident second, and always-on for the whole window', async () => {
    // Request at 0 s and at 10 min, 10 s each; idle 60 s. Each: wake 0-20 s, serve to 30 s, idle to 90 s, stop to 92 s.
    const trace: Trace = {
      name: 'two',
      description: 'two requests',
      startAt: START,
      requests: [
        { offsetMs: 0, serviceMs: 10_000 },
        { offsetMs: 600_000, serviceMs: 10_000 },
      ],
    };
    const { result } = await replayTrace({ trace, policy: fixed(60_000), tailMs: 3_600_000 });
    const residentSeconds = 2 * (92 - 20);
    expect(result.modelJoules).toBeCloseTo(
      2 * power.wakeJoules + residentSeconds * power.dPWatts,
      6,
    );
    expect(result.windowMs).toBe(610_000 + power.wakeMs + 3_600_000);
    expect(result.alwaysOnJoules).toBeCloseTo(
      ((power.baselineWatts + power.dPWatts) * result.windowMs) / 1_000,
      6,
    );
    expect(result.addedLatency).toMatchObject({ p50Ms: 20_000, p99Ms: 20_000 });
  });

  it('saves nothing but loses one wake when the model never sleeps', async () => {
    const { result } = await replayTrace({ trace: fromGaps([600_000, 600_000]), policy: fixed(0) });
    expect(result.coldStarts).toBe(1);
    // Always-on had it resident from the start; here it woke once: the wake minus dP over the wake.
    expect(savedJoules(result)).toBeCloseTo(
      (power.dPWatts * power.wakeMs) / 1_000 - power.wakeJoules,
      6,
    );
  });

  it('the offline optimum costs no more than any online policy on the same trace', async () => {
    const gapsMs = [
      30_000, 150_000, 600_000, 40_000, 7_200_000, 100_000, 5_000, 350_000, 3_600_000, 20_000,
      900_000,
    ];
    const trace = fromGaps(gapsMs);
    const c = 9_000;
    const optimum = costJoules(
      (
        await replayTrace({
          trace,
          policy: { kind: 'oracle', label: 'opt' },
          settings: { coldStartCostJoules: c },
        })
      ).result,
      c,
    );
    const online: ReplayPolicy[] = [
      fixed(600_000),
      fixed(60_000),
      { kind: 'spec', label: 'break-even', policy: 'break-even', idleMs: 600_000 },
      { kind: 'spec', label: 'adaptive', policy: 'adaptive', idleMs: 600_000 },
    ];
    for (const policy of online) {
      const cost = costJoules(
        (await replayTrace({ trace, policy, settings: { coldStartCostJoules: c } })).result,
        c,
      );
      expect(cost).toBeGreaterThanOrEqual(optimum);
    }
  });

  it('adaptive learns the nightly batch and pre-warms the model before it, through lifecycle wakes', async () => {
    const trace = nightlyBatchTrace(10);
    const adaptive = await replayTrace({
      trace,
      policy: { kind: 'spec', label: 'adaptive', policy: 'adaptive', idleMs: 600_000 },
    });
    const oneMinute = await replayTrace({ trace, policy: fixed(60_000) });
    expect(adaptive.result.prewarms).toBeGreaterThan(0);
    expect(adaptive.result.prewarmsUsed).toBeGreaterThan(0);
    expect(adaptive.result.coldStarts).toBeLessThan(oneMinute.result.coldStarts);
    const decision = adaptive.policies?.currentDecision('model');
    expect(decision?.policy).toBe('adaptive');
    expect(decision?.reason).toMatch(/^(adaptive|pre-warmed): /);
  });
});
