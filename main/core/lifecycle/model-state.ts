// The states of a model, what moves it between them, and the events the ledger and the UI see.
import type { ModelSpec } from '../config/model-spec';

/** DESIGN.md: asleep -> waking -> ready -> stopping -> asleep, and failed from waking or ready. */
export type ModelState = 'asleep' | 'waking' | 'ready' | 'stopping' | 'failed';

/** How a request found its model (DESIGN.md, "The gateway"). */
export type RouteKind = 'port' | 'host' | 'path' | 'model-field';

/** Why a model was woken. */
export type WakeCause =
  | { readonly kind: 'request'; readonly route: RouteKind; readonly detail: string }
  | { readonly kind: 'user'; readonly via: 'api' | 'tray' | 'cli' | 'dashboard' }
  | { readonly kind: 'prewarm'; readonly detail: string }
  | { readonly kind: 'external' };

/** Why a model was put to sleep. */
export type SleepCause =
  | { readonly kind: 'idle'; readonly idleMs: number }
  | { readonly kind: 'user'; readonly via: 'api' | 'tray' | 'cli' | 'dashboard' }
  | { readonly kind: 'evicted'; readonly forModel: string }
  | { readonly kind: 'group'; readonly forModel: string; readonly group: string }
  | { readonly kind: 'external' };

/** Host and port (on loopback) where a ready model answers. */
export interface Upstream {
  readonly host: string;
  readonly port: number;
}

/** Why a wake failed, with the container's last log lines. */
export interface Failure {
  readonly reason: string;
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
    }
  | { readonly kind: 'ready'; readonly at: number; readonly model: string; readonly wakeMs: number }
  | {
      readonly kind: 'sleep';
      readonly at: number;
      readonly model: string;
      readonly cause: SleepCause;
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
