// A model's idle timer: the idle time chosen each time it starts (its spec, or the keep-alive policy) and why, when it
// will fire, and the timer itself; with a sleep ladder (issue 15) it dozes the model first and stops it later.
import type { Clock, TimerHandle } from '../clock/clock';
import { formatDuration } from '../config/duration';
import type { ModelSpec } from '../config/model-spec';
import type { IdlePolicy } from './lifecycle-api';
import type { IdleDecisionView } from './machine-parts';

/** What the timer does when it fires: doze (only when the model may) and stop. */
export interface IdleSteps {
  /** Present when the model may doze now; called once its doze time has come. */
  readonly onDoze?: (idleMs: number) => void;
  readonly onStop: (idleMs: number) => void;
}

/** One model's idle timer and its latest decision. */
export class IdleTimer {
  /** When the timer will stop the model (epoch ms), or null when it will not. */
  sleepAt: number | null = null;
  /** When the timer will doze the model (epoch ms), or null when no doze is planned. */
  dozeAt: number | null = null;
  /** The latest idle decision, or null before the first idle period. */
  decision: IdleDecisionView | null = null;
  private timer: TimerHandle | null = null;
  private idleMs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly policy: IdlePolicy | undefined,
  ) {}

  /** Chooses the idle time now and starts the timer (replacing a running one): the doze first if planned, else the stop. */
  start(spec: ModelSpec, steps: IdleSteps): void {
    this.cancel();
    const now = this.clock.now();
    const decision = this.policy
      ? this.policy.idleTimeFor(spec, now)
      : {
          idleMs: spec.idleMs,
          reason: `idle time ${formatDuration(spec.idleMs)} from its spec`,
          dozeAfterMs: undefined,
        };
    this.decision = { idleMs: decision.idleMs, reason: decision.reason, decidedAt: now };
    const stops = decision.idleMs > 0 && Number.isFinite(decision.idleMs);
    this.idleMs = stops ? decision.idleMs : 0;
    this.sleepAt = stops ? now + decision.idleMs : null;
    const dozeAfterMs = decision.dozeAfterMs;
    const dozes =
      steps.onDoze !== undefined &&
      dozeAfterMs !== undefined &&
      Number.isFinite(dozeAfterMs) &&
      dozeAfterMs >= 0 &&
      (!stops || dozeAfterMs < decision.idleMs);
    if (dozes) {
      const onDoze = steps.onDoze;
      this.dozeAt = now + dozeAfterMs;
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.dozeAt = null;
        onDoze?.(dozeAfterMs);
      }, dozeAfterMs);
      return;
    }
    this.armStop(steps.onStop);
  }

  /** The model dozed: the stop it had planned runs at its time (at once when that has passed). */
  continueToStop(onStop: (idleMs: number) => void): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.dozeAt = null;
    this.armStop(onStop);
  }

  /** Stops the timer. */
  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.sleepAt = null;
    this.dozeAt = null;
  }

  private armStop(onStop: (idleMs: number) => void): void {
    const sleepAt = this.sleepAt;
    if (sleepAt === null) return;
    const idleMs = this.idleMs;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = null;
        this.sleepAt = null;
        onStop(idleMs);
      },
      Math.max(0, sleepAt - this.clock.now()),
    );
  }
}
