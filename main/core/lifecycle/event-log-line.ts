// One line per lifecycle event for the daemon's log, so an admin can follow wakes and sleeps in
// `journalctl` or `docker logs` the way Sablier and llama-swap users are used to.
import { formatDuration } from '../config/duration';
import { assertNever } from '../shared/assert-never';
import type { LifecycleEvent, SleepCause, WakeCause } from './model-state';

const ROUTE_TEXT = {
  port: 'its port',
  host: 'host name',
  path: 'path',
  'model-field': 'model field',
} as const;

function wakeCauseText(cause: WakeCause): string {
  switch (cause.kind) {
    case 'request':
      return `a request by ${ROUTE_TEXT[cause.route]} ${cause.detail}`.trimEnd();
    case 'user':
      return `asked from the ${cause.via}`;
    case 'prewarm':
      return `pre-warm: ${cause.detail}`;
    case 'external':
      return 'its container was started outside Siesta';
    default:
      return assertNever(cause);
  }
}

function sleepCauseText(cause: SleepCause): string {
  switch (cause.kind) {
    case 'idle':
      return `idle for ${formatDuration(cause.idleMs)}`;
    case 'user':
      return `asked from the ${cause.via}`;
    case 'evicted':
      return `to make room for ${cause.forModel}`;
    case 'group':
      return `${cause.forModel} shares its group "${cause.group}"`;
    case 'external':
      return 'its container was stopped outside Siesta';
    default:
      return assertNever(cause);
  }
}

/** `qwen: waking (a request by path /qwen/v1/chat/completions)`, `qwen: ready after 1.4 s`, ... */
export function eventLogLine(event: LifecycleEvent): string {
  switch (event.kind) {
    case 'wake-requested':
      return `${event.model}: ${event.from === 'dozed' ? 'waking from a doze' : 'waking'} (${wakeCauseText(event.cause)})`;
    case 'ready':
      return `${event.model}: ready after ${(event.wakeMs / 1000).toFixed(1)} s${event.from === 'dozed' ? ' (woken from a doze)' : ''}`;
    case 'sleep':
      return `${event.model}: asleep (${sleepCauseText(event.cause)})`;
    case 'doze':
      return `${event.model}: dozed, VRAM freed and process kept (${sleepCauseText(event.cause)})`;
    case 'failed': {
      const last = event.failure.logLines.at(-1);
      return `${event.model}: failed: ${event.failure.reason}${last ? ` (last log line: ${last})` : ''}`;
    }
    case 'evicted':
      return `${event.model}: put to sleep to make room for ${event.forModel}`;
    case 'prewarm':
      return `${event.model}: pre-warming (${event.detail})`;
    default:
      return assertNever(event);
  }
}
