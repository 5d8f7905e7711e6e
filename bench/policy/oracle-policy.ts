// The offline optimum as an IdlePolicy for the replay: it knows the trace, so at each idle start it sees the gap
// ahead and sleeps at once if dP x gap > E_wake + cold-start cost, else stays awake (main/core/policy/offline-optimum.ts).
import type { ModelSpec } from '../../main/core/config/model-spec';
import type { IdlePolicy } from '../../main/core/lifecycle/lifecycle-api';
import type { GapCosts } from '../../main/core/policy/best-timeout';
import { formatMs } from '../../main/core/policy/format-units';
import type { IdleDecision } from '../../main/core/policy/idle-decision';
import { optimumSleepsThrough } from '../../main/core/policy/testdata/offline-optimum';

/** An IdlePolicy that reads the future from the sorted arrival times (epoch ms) of the trace being replayed. */
export class OracleIdlePolicy implements IdlePolicy {
  constructor(
    private readonly arrivalsAt: readonly number[],
    private readonly costs: GapCosts,
  ) {}

  idleTimeFor(_model: ModelSpec, now: number): IdleDecision {
    const next = this.nextArrivalAt(now);
    if (next === null) return { idleMs: 1, reason: 'oracle: no request follows, sleep at once' };
    const gapMs = next - now;
    if (optimumSleepsThrough(gapMs, this.costs)) {
      return { idleMs: 1, reason: `oracle: next request in ${formatMs(gapMs)}, sleep at once` };
    }
    return { idleMs: 0, reason: `oracle: next request in ${formatMs(gapMs)}, stay awake` };
  }

  private nextArrivalAt(now: number): number | null {
    let lo = 0;
    let hi = this.arrivalsAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.arrivalsAt[mid] as number) < now) lo = mid + 1;
      else hi = mid;
    }
    return this.arrivalsAt[lo] ?? null;
  }
}
