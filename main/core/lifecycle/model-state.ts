// The states of a model, what moves it between them, and the events the ledger and the UI see.
import type { ModelSpec } from '../config/model-spec';
import type { FailureCause, SleepCause, WakeCause } from '../shared/causes';

/**
 * DESIGN.md: asleep -> waking -> ready -> stopping -> asleep, and failed from waking or ready; with a sleep ladder
 * (issue 15) ready -> dozing -> dozed (VRAM freed, process kept), dozed -> waking (the fast wake) or -> stopping.
 */
export type ModelState = 'asleep' | 'waking' | 'ready' | 'stopping' | 'failed' | 'dozing' | 'dozed';

/** Where a wake starts from: a stopped container (a full start) or a dozing server (its own wake call). */
export type WakeLevel = 'asleep' | 'dozed';

// The causes are data shared with the control API's contract (shared/causes.ts).
export type { FailureCause, RouteKind, SleepCause, WakeCause } from '../shared/causes';

/** Host and port (on loopback) where a ready model answers. */
export interface Upstream {
  readonly host: string;
  readonly port: number;
}

/** Why a wake failed, with the container's last log lines. */
export interface Failure {
  /** The cause in words (`failureText`), what every reader shows. */
  readonly reason: string;
  /** The cause as data (the ledger's rows from before causes were data have only `reason`; only the CSV reads those). */
  readonly cause: FailureCause;
  readonly logLines: readonly string[];
  readonly at: number;
}

/** What the API, the tray and the gateway know of one model right now. */
export interface ModelStatus {
  readonly spec: ModelSpec;
  readonly state: ModelState;
  /** Requests, streams and WebSockets open on the model. */
  readonly inFlight: number;
  readonly pinned: boolean;
  readonly containerId: string | null;
  readonly upstream: Upstream | null;
  /** When the last use ended (epoch ms), or null. */
  readonly lastUsedAt: number | null;
  /** When the idle timer will put it to sleep (epoch ms), or null. */
  readonly sleepAt: number | null;
  /** When the idle timer will doze it (epoch ms), or absent/null (no doze planned). */
  readonly dozeAt?: number | null;
  /** While waking: where from (`dozed`: the server's own wake); absent or null otherwise. */
  readonly wakeFrom?: WakeLevel | null;
  /** When it dozed (epoch ms), while dozed; absent or null otherwise. */
  readonly dozedAt?: number | null;
  /** When the current or last wake started. */
  readonly wakeStartedAt: number | null;
  readonly readyAt: number | null;
  readonly failure: Failure | null;
  /** GPU indexes the container may use, from its device requests; empty when unknown. */
  readonly gpuIndexes: readonly number[];
  /** A user's `sleep` waiting for open uses to end (set by `Lifecycle`; absent or null when none). */
  readonly sleepRequested?: SleepCause | null;
  /** While waking: what the last readiness attempt saw (absent or null otherwise). */
  readonly readinessDetail?: string | null;
}

/** A lifecycle event, as stored in the ledger and sent to the UI. */
export type LifecycleEvent =
  | {
      readonly kind: 'wake-requested';
      readonly at: number;
      readonly model: string;
      readonly cause: WakeCause;
      /** `dozed`: the server's own wake (seconds); absent or `asleep`: a container start. */
      readonly from?: WakeLevel;
    }
  | {
      readonly kind: 'ready';
      readonly at: number;
      readonly model: string;
      readonly wakeMs: number;
      /** `dozed` when the server's own wake made it ready (a fallback to a full start says `asleep`). */
      readonly from?: WakeLevel;
    }
  /** The server dozed (its VRAM freed, its process kept); `sleep` follows when it is stopped later. */
  | {
      readonly kind: 'doze';
      readonly at: number;
      readonly model: string;
      readonly cause: SleepCause;
    }
  | {
      readonly kind: 'sleep';
      readonly at: number;
      readonly model: string;
      readonly cause: SleepCause;
      /** `dozed`: it was dozing when stopped (its power had dropped already); absent: it was awake. */
      readonly from?: 'dozed';
    }
  | {
      readonly kind: 'failed';
      readonly at: number;
      readonly model: string;
      readonly failure: Failure;
    }
  | {
      readonly kind: 'evicted';
      readonly at: number;
      readonly model: string;
      readonly forModel: string;
    }
  | {
      readonly kind: 'prewarm';
      readonly at: number;
      readonly model: string;
      readonly detail: string;
    };

/** A use of a model: release it when the response ends or the client goes. */
export interface Lease {
  readonly model: string;
  readonly upstream: Upstream;
  release(): void;
}
