// The parts of one model's state machine: a caller waiting for it, its one wake run, a user's pending sleep, and its
// latest idle decision; and two texts its parts share.
import type { TimerHandle } from '../clock/clock';
import type { ContainerInfo } from '../docker/container-runtime';
import type { FailureCause } from '../shared/causes';
import type { WakeError } from './lifecycle-api';
import type { Lease, SleepCause, WakeCause, WakeLevel } from './model-state';

/** A caller waiting for the model to be ready: `acquire` (wants a use) or `wake`. */
export interface Waiter {
  readonly cause: WakeCause;
  readonly wantsUse: boolean;
  /** Called once with a lease (or null for `wake`); cleans up its own timer and abort listener. */
  resolve(lease: Lease | null): void;
  reject(error: WakeError): void;
}

/** The one wake of a model that runs at a time. */
export interface WakeRun {
  /** Started outside Siesta (by hand or before Siesta ran): no admission, no container start. */
  readonly external: boolean;
  /** Adoption at start-up: no wake-requested or ready events. */
  readonly quiet: boolean;
  /** Where it started from: `dozed` tries the server's own wake first; a failed one falls back to `asleep` (a restart). */
  level: WakeLevel;
  readonly abort: AbortController;
  readonly startedAt: number;
  readonly deadlineAt: number;
  /** Set once the wake succeeded, failed or was cancelled: its async steps then stop touching the model. */
  finished: boolean;
  /** Siesta started the container in this wake (so a timed-out wake stops it again). */
  startedContainer: boolean;
  deadlineTimer: TimerHandle | null;
  pollTimer: TimerHandle | null;
  /** Ends the current pause between polls early (an event came). */
  cutPause: (() => void) | null;
}

/** A user's sleep waiting for the open uses to end. */
export interface SleepRequest {
  readonly cause: SleepCause;
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** The latest idle decision of a model. */
export interface IdleDecisionView {
  readonly idleMs: number;
  readonly reason: string;
  /** When it was taken (the idle timer started then), or null when no idle period has started yet. */
  readonly decidedAt: number | null;
}

/** An error's message. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How a container ended, as a failure's cause. */
export function exitedCause(info: ContainerInfo, whileWaking: boolean): FailureCause {
  return { kind: 'exited', exitCode: info.exitCode, oomKilled: info.oomKilled, whileWaking };
}
