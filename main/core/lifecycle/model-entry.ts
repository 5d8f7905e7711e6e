// The lifecycle's mutable record of one model (its state, uses, timers, waiters and wake) and its status snapshot.
import type { TimerHandle } from '../clock/clock';
import type { ModelSpec } from '../config/model-spec';
import type { WakeError } from './lifecycle-api';
import type { Failure, Lease, ModelState, ModelStatus, SleepCause, Upstream, WakeCause } from './model-state';

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

/** Everything the lifecycle keeps about one model. */
export class ModelEntry {
  state: ModelState = 'asleep';
  readonly leases = new Set<number>();
  pinOverride: boolean | null = null;
  containerId: string | null = null;
  upstream: Upstream | null = null;
  lastUsedAt: number | null = null;
  sleepAt: number | null = null;
  wakeStartedAt: number | null = null;
  readyAt: number | null = null;
  failure: Failure | null = null;
  gpuIndexes: readonly number[] = [];
  readinessDetail: string | null = null;
  readonly waiters = new Set<Waiter>();
  wake: WakeRun | null = null;
  stopping: Promise<void> | null = null;
  idleTimer: TimerHandle | null = null;
  decision: IdleDecisionView | null = null;
  sleepRequest: SleepRequest | null = null;
  /** When the engine last reported a `kill` of the container: a `die` soon after is a stop by hand, not a crash. */
  lastKillAt: number | null = null;
  removed = false;
  /** Container events of this model are handled one after another. */
  eventChain: Promise<void> = Promise.resolve();

  constructor(public spec: ModelSpec) {}

  get pinned(): boolean {
    return this.pinOverride ?? this.spec.pin;
  }

  /** Whether `name` (an engine's container id or name) is this model's container. */
  matches(id: string, name: string): boolean {
    const wanted = this.spec.container.replace(/^\//, '');
    if (this.containerId !== null && this.containerId === id) return true;
    if (name !== '' && name === wanted) return true;
    return wanted.length >= 12 && /^[0-9a-f]+$/.test(wanted) && id.startsWith(wanted);
  }

  status(): ModelStatus {
    return {
      spec: this.spec,
      state: this.state,
      inFlight: this.leases.size,
      pinned: this.pinned,
      containerId: this.containerId,
      upstream: this.upstream,
      lastUsedAt: this.lastUsedAt,
      sleepAt: this.sleepAt,
      wakeStartedAt: this.wakeStartedAt,
      readyAt: this.readyAt,
      failure: this.failure,
      gpuIndexes: this.gpuIndexes,
      sleepRequested: this.sleepRequest?.cause ?? null,
      readinessDetail: this.state === 'waking' ? this.readinessDetail : null,
    };
  }
}
