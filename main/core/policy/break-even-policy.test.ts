// Break-even: idle time E_wake / dP, never more than twice the offline optimum's energy.
import { describe, expect, it } from 'vitest';
import { breakEvenDecision } from './break-even-policy';
import { KEEP_ALIVE_DEFAULTS } from './keep-alive-settings';
import { offlineOptimum } from './testdata/offline-optimum';
import { policySpec } from './testdata/policy-fixtures';

const spec = policySpec('chat', 'break-even', { idleMs: 600_000 });
const stats = { dPWatts: 48, wakeJoules: 1_200, wakeMs: 20_000, count: 5 };

/** Energy a fixed timeout spends over gaps: idle until the timeout, then one wake if the gap was longer. */
function timeoutEnergyJoules(
  gapsMs: readonly number[],
  timeoutMs: number,
  dPWatts: number,
  wakeJoules: number,
): number {
  return gapsMs.reduce(
    (sum, g) =>
      sum + (g <= timeoutMs ? (dPWatts * g) / 1_000 : (dPWatts * timeoutMs) / 1_000 + wakeJoules),
    0,
  );
}

describe('break-even keep-alive policy', () => {
  it('stays awake as long as a wake costs and says the sum in words', () => {
    expect(breakEvenDecision(spec, stats, KEEP_ALIVE_DEFAULTS)).toEqual({
      idleMs: 25_000,
      reason: 'break-even: wake costs 1.2 kJ, idle costs 48 W -> 25 s',
    });
  });

  it("uses the spec's idle time until a wake has been measured, and says so", () => {
    const none = breakEvenDecision(spec, null, KEEP_ALIVE_DEFAULTS);
    expect(none).toEqual({
      idleMs: 600_000,
      reason: "break-even: no wake measured yet; using the spec's 10 min",
    });
    const unmeasured = breakEvenDecision(spec, { ...stats, count: 0 }, KEEP_ALIVE_DEFAULTS);
    expect(unmeasured.idleMs).toBe(600_000);
    const flat = breakEvenDecision(spec, { ...stats, dPWatts: 0 }, KEEP_ALIVE_DEFAULTS);
    expect(flat.reason).toMatch(/idle cost not measurable \(dP 0 W\)/);
  });

  it('clamps an extreme break-even time to the settings and says so', () => {
    const tiny = breakEvenDecision(spec, { ...stats, dPWatts: 0.01 }, KEEP_ALIVE_DEFAULTS);
    expect(tiny.idleMs).toBe(KEEP_ALIVE_DEFAULTS.maxIdleMs);
    expect(tiny.reason).toMatch(/clamped to 2 h/);
  });

  it('never sleeps a model whose idle is 0', () => {
    expect(
      breakEvenDecision(policySpec('chat', 'break-even', { idleMs: 0 }), stats, KEEP_ALIVE_DEFAULTS)
        .idleMs,
    ).toBe(0);
  });

  it('spends at most twice the offline optimum energy on any gap sequence, and exactly twice on the worst one', () => {
    const costs = { dPWatts: stats.dPWatts, wakeJoules: stats.wakeJoules, coldStartCostJoules: 0 };
    const timeoutMs = breakEvenDecision(spec, stats, KEEP_ALIVE_DEFAULTS).idleMs;
    const sequences: number[][] = [
      [1_000, 5_000, 24_000, 25_000, 26_000, 60_000, 3_600_000],
      [10_000, 10_000, 10_000],
      [7_200_000, 86_400_000],
      Array.from({ length: 50 }, (_, i) => (i * 7_919) % 90_000),
    ];
    for (const gaps of sequences) {
      const ratio =
        timeoutEnergyJoules(gaps, timeoutMs, stats.dPWatts, stats.wakeJoules) /
        offlineOptimum(gaps, costs).energyJoules;
      expect(ratio).toBeLessThanOrEqual(2 + 1e-9);
    }
    // The adversary ends every gap just after the timeout: the policy pays idle + wake, the optimum one wake.
    const worst = [timeoutMs + 1, timeoutMs + 1];
    const ratio =
      timeoutEnergyJoules(worst, timeoutMs, stats.dPWatts, stats.wakeJoules) /
      offlineOptimum(worst, costs).energyJoules;
    expect(ratio).toBeCloseTo(2, 3);
  });
});
