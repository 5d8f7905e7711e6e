// The lifecycle's public face: what the gateway, the API, the scheduler and the simulator call.
import type { ModelSpec } from '../config/model-spec';
import type {
  Lease,
  LifecycleEvent,
  ModelStatus,
  SleepCause,
  Upstream,
  WakeCause,
} from './model-state';

/** Options of one `acquire`. */
export interface AcquireOptions {
  readonly cause: WakeCause;
  /** Aborts the wait (the client went away); the wake itself goes on for the others. */
  readonly signal?: AbortSignal;
  /** Overrides the model's wake timeout. */
  readonly timeoutMs?: number;
}

/** The models and their states; waking, sleeping and uses. Implemented by `Lifecycle` in lifecycle.ts. */
export interface LifecycleApi {
  /** Every registered model, in name order. */
  list(): readonly ModelStatus[];
  get(name: string): ModelStatus | undefined;
  /**
   * Starts a use: wakes the model if it sleeps (one wake at a time; concurrent callers share it),
   * waits until ready and returns a lease. Rejects with a `WakeError`.
   */
  acquire(name: string, options: AcquireOptions): Promise<Lease>;
  /** Wakes without holding a use: the idle timer starts once ready. */
  wake(name: string, cause: WakeCause): Promise<void>;
  /** Puts a model to sleep now. Waits for open uses unless `force`. */
  sleep(name: string, cause: SleepCause): Promise<void>;
  /**
   * Dozes a ready model through its server's own sleep API (issue 15): its VRAM is freed, its process kept. Rejects
   * with a reason when it cannot (no doze, busy, requests waiting, not ready, the dozer refuses); a doze call that
   * fails stops the model instead.
   */
  doze(name: string, cause: SleepCause): Promise<void>;
  setPinned(name: string, pinned: boolean): void;
  setAutoSleepPaused(paused: boolean): void;
  autoSleepPaused(): boolean;
  /** Every state change of a model. Returns an unsubscribe function. */
  onChange(listener: (status: ModelStatus) => void): () => void;
  /** Every lifecycle event (for the ledger, notifications, the UI). Returns an unsubscribe function. */
  onEvent(listener: (event: LifecycleEvent) => void): () => void;
}

/** Why an `acquire` or `wake` failed. The gateway maps `code` to HTTP statuses. */
export type WakeErrorCode =
  'unknown-model' | 'failed' | 'timeout' | 'never-fits' | 'aborted' | 'stopping';

/** A failed wake, with the reason a user can act on. */
export class WakeError extends Error {
  constructor(
    readonly code: WakeErrorCode,
    message: string,
    readonly model: string,
    readonly logLines: readonly string[] = [],
  ) {
    super(message);
    this.name = 'WakeError';
  }

  /** The message as a sentence for a user: it names the model and says what happened; this ends it with a period. */
  sentence(): string {
    const trimmed = this.message.trim();
    return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
  }
}

/**
 * A hook that runs before a container is started (VRAM-aware scheduling, groups; issue 8).
 * It may put other models to sleep through the lifecycle and wait for memory; it rejects with a
 * `WakeError` ('never-fits', 'timeout') when the model cannot be admitted.
 */
export interface WakeAdmission {
  admit(
    model: ModelSpec,
    context: {
      readonly signal: AbortSignal;
      readonly deadlineAt: number;
      /** Told what the wake waits for (`waiting for room on its GPU: llama is busy (1 request open)`), shown while it waits. */
      readonly onWaiting?: (detail: string) => void;
    },
  ): Promise<void>;
  /** Told when a model became ready or went to sleep, so waiting wakes can be reconsidered. */
  notify?(status: ModelStatus): void;
}

/** A hook that chooses the idle time of a model each time its idle timer starts (keep-alive policies; issue 9). */
export interface IdlePolicy {
  /**
   * Idle ms before sleep, or 0 for never; `reason` is shown in the API. `dozeAfterMs` (issue 15): for a model with a
   * doze, doze once idle this long (the stop then comes at `idleMs`); absent: no doze.
   */
  idleTimeFor(
    model: ModelSpec,
    now: number,
  ): { readonly idleMs: number; readonly reason: string; readonly dozeAfterMs?: number };
}

/**
 * Dozes and wakes a model through its server's own sleep API (issue 15). Built in doze/ (HTTP clients, the host-RAM
 * check) and handed to the lifecycle by the composition root.
 */
export interface Dozer {
  /** Why this model may not doze now (no doze, a kind not built, host RAM short), or null when it may. */
  refusal(model: ModelSpec): string | null;
  /** Dozes the server; rejects with an Error naming the model and what failed. */
  doze(model: ModelSpec, upstream: Upstream): Promise<void>;
  /** Wakes the dozing server; rejects with an Error naming the model and what failed. */
  wake(model: ModelSpec, upstream: Upstream): Promise<void>;
  /**
   * Whether a running server found at start (after Siesta's own restart) dozes, by its own status; null where it
   * cannot say. Absent: never asked (found servers are taken for awake).
   */
  isDozed?(model: ModelSpec, upstream: Upstream): Promise<boolean | null>;
}
