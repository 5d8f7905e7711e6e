// The fixed policy uses the spec's idle time and never sleeps a model whose idle is 0.
import { describe, expect, it } from 'vitest';
import { fixedDecision } from './fixed-policy';
import { policySpec } from './testdata/policy-fixtures';

describe('fixed keep-alive policy', () => {
  it("sleeps after the spec's idle time and says where it came from", () => {
    expect(fixedDecision(policySpec('chat', 'fixed', { idleMs: 90_000 }))).toEqual({
      idleMs: 90_000,
      reason: 'fixed: 1 min 30 s from the spec',
    });
  });

  it('says when the idle time is the default from the settings (no idle in the spec)', () => {
    expect(
      fixedDecision(policySpec('chat', 'fixed', { idleMs: 600_000, idleFromDefault: true })).reason,
    ).toBe('fixed: 10 min from the default idle time in the settings');
  });

  it('never sleeps a model whose idle is 0', () => {
    const decision = fixedDecision(policySpec('chat', 'fixed', { idleMs: 0 }));
    expect(decision.idleMs).toBe(0);
    expect(decision.reason).toMatch(/never sleeps/);
  });
});
