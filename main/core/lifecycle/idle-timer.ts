// A model's idle timer: the idle time chosen each time it starts (its spec, or the keep-alive policy) and why, when it
// will fire, and the timer itself.
import type { Clock, TimerHandle } from '../clock/clock';
import { formatDuration } from '../config/duration';
import type { ModelSpec } from '../config/model-spec';
import type { IdlePolicy } from './lifecycle-api';
import type { IdleDecisionView } from './machine-parts';

/** One model's idle timer and its latest decision. */
export class IdleTimer {
  /** When the timer will fire (epoch ms), or null when it does not run. */
  sleepAt: number | null = null;
  /** The latest idle decision, or null before the first idle period. */
  decision: IdleDecisionView | null = null;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly policy: IdlePolicy | undefined,
  ) {}

  /** Chooses the idle time now and starts the timer (replacing a running one); `onIdle` runs when it fires. */
  start(spec: ModelSpec, onIdle: (idleMs: number) => void): void {
    this.cancel();
    const now = this.clock.now();
    const decision = this.policy
      ? this.policy.idleTimeFor(spec, now)
      : { idleMs: spec.idleMs, reason: `idle time ${formatDuration(spec.idleMs)} from its spec` };
    this.decision = { idleMs: decision.idleMs, reason: decision.reason, decidedAt: now };
    if (!(decision.idleMs > 0) || !Number.isFinite(decision.idleMs)) return;
    const idleMs = decision.idleMs;
    this.sleepAt = now + idleMs;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      onIdle(idleMs);
    }, idleMs);
  }

  /** Stops the timer. */
  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.sleepAt = null;
  }
}
