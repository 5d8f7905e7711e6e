// Turns the core's own records (lifecycle events, GPU samples) into the API's views and events.
import type { GpuSample } from '../gpu/gpu-sample';
import type { LifecycleEvent, SleepCause, WakeCause } from '../lifecycle/model-state';
import { assertNever } from '../shared/assert-never';
import type { ApiEvent, GpuView } from './contract';

/** A GPU sample as the API shows it. */
export function gpuViewOf(sample: GpuSample): GpuView {
  return {
    index: sample.index,
    uuid: sample.uuid,
    name: sample.name,
    vramUsedBytes: sample.vramUsedBytes,
    vramTotalBytes: sample.vramTotalBytes,
    powerWatts: sample.powerWatts,
    pstate: sample.pstate,
    utilizationPercent: sample.utilizationPercent,
    temperatureC: sample.temperatureC,
    at: sample.at,
  };
}

/** One tick of samples as a `samples` event. */
export function samplesEventOf(samples: readonly GpuSample[], at: number): ApiEvent {
  return { type: 'samples', at, gpus: samples.map(gpuViewOf) };
}

/** The API's text of a wake cause, the spelling clients of old read: `request:path /qwen/`, `user:dashboard`, `prewarm`, `external`. */
export function describeWakeCause(cause: WakeCause): string {
  switch (cause.kind) {
    case 'request':
      return `request:${cause.route} ${cause.detail}`.trim();
    case 'user':
      return `user:${cause.via}`;
    case 'prewarm':
      return 'prewarm';
    case 'external':
      return 'external';
    default:
      return assertNever(cause);
  }
}

/** The API's text of a sleep cause, the spelling clients of old read: `idle`, `user:cli`, `evicted:for qwen`, `group:gpu0 for flux`, `external`. */
export function describeSleepCause(cause: SleepCause): string {
  switch (cause.kind) {
    case 'idle':
      return 'idle';
    case 'user':
      return `user:${cause.via}`;
    case 'evicted':
      return `evicted:for ${cause.forModel}`;
    case 'group':
      return `group:${cause.group} for ${cause.forModel}`;
    case 'external':
      return 'external';
    default:
      return assertNever(cause);
  }
}

/** A lifecycle event as an API event; null for those the UI does not show (pre-warm plans: the wake that follows is shown). */
export function apiEventOfLifecycle(event: LifecycleEvent): ApiEvent | null {
  switch (event.kind) {
    case 'wake-requested':
      return {
        type: 'wake-requested',
        at: event.at,
        model: event.model,
        cause: describeWakeCause(event.cause),
        wakeCause: event.cause,
        ...(event.from ? { from: event.from } : {}),
      };
    case 'ready':
      return {
        type: 'wake-ready',
        at: event.at,
        model: event.model,
        wakeMs: event.wakeMs,
        ...(event.from ? { from: event.from } : {}),
      };
    case 'doze':
      return {
        type: 'dozed',
        at: event.at,
        model: event.model,
        cause: describeSleepCause(event.cause),
        sleepCause: event.cause,
      };
    case 'failed':
      return {
        type: 'wake-failed',
        at: event.at,
        model: event.model,
        reason: event.failure.reason,
        failureCause: event.failure.cause,
        logLines: [...event.failure.logLines],
      };
    case 'sleep':
      return {
        type: 'slept',
        at: event.at,
        model: event.model,
        cause: describeSleepCause(event.cause),
        sleepCause: event.cause,
      };
    case 'evicted':
      return { type: 'evicted', at: event.at, model: event.model, forModel: event.forModel };
    case 'prewarm':
      return null;
    default:
      return assertNever(event);
  }
}
