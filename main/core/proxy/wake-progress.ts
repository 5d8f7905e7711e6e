// What the waiting page polls at `/__siesta/status/NAME`: the model's state, how long the wake has run, the usual time.
import type { ModelState, ModelStatus, WakeLevel } from '../lifecycle/model-state';

/** A model's wake as the waiting page shows it. */
export interface WakeProgress {
  readonly model: string;
  readonly state: ModelState;
  /** While waking: `dozed` when its server's own wake runs (seconds), `asleep` for a container start; else null. */
  readonly wakeFrom: WakeLevel | null;
  /** Time since the current wake started, or null when none runs. */
  readonly elapsedMs: number | null;
  /** How long wakes of this model usually take (from past wakes), or null when unknown. */
  readonly estimateMs: number | null;
  /** Why the last wake failed, with the container's last log line; null unless failed. */
  readonly failure: { readonly reason: string; readonly lastLogLine: string | null } | null;
}

/** The progress of `status` at `now`. */
export function wakeProgress(
  status: ModelStatus,
  now: number,
  estimateMs: number | null,
): WakeProgress {
  const waking = status.state === 'waking' && status.wakeStartedAt !== null;
  const failure =
    status.state === 'failed' && status.failure !== null
      ? {
          reason: status.failure.reason,
          lastLogLine: status.failure.logLines[status.failure.logLines.length - 1] ?? null,
        }
      : null;
  return {
    model: status.spec.name,
    state: status.state,
    wakeFrom: status.wakeFrom ?? null,
    elapsedMs:
      waking && status.wakeStartedAt !== null ? Math.max(0, now - status.wakeStartedAt) : null,
    estimateMs,
    failure,
  };
}
