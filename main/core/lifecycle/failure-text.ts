// The one text of a failure's cause (`Failure.reason`): what the dashboard, the tray, the CLI and the notifications show.
import { formatDuration } from '../config/duration';
import { assertNever } from '../shared/assert-never';
import type { FailureCause } from '../shared/causes';

/** `not ready after 2m (last check: HTTP 503)`, `the container exited with code 1 while waking`, ... */
export function failureText(cause: FailureCause): string {
  switch (cause.kind) {
    case 'timeout':
      return `not ready after ${formatDuration(cause.afterMs)}${cause.lastCheck ? ` (last check: ${cause.lastCheck})` : ''}`;
    case 'no-container':
      return `container "${cause.container}" does not exist`;
    case 'removed':
      return cause.whileWaking
        ? `container "${cause.container}" was removed while waking`
        : 'the container was removed';
    case 'exited': {
      const code = cause.exitCode === null ? 'exited' : `exited with code ${cause.exitCode}`;
      const oom = cause.oomKilled ? ' (killed: out of memory)' : '';
      return `the container ${code}${oom}${cause.whileWaking ? ' while waking' : ''}`;
    }
    case 'unhealthy':
      return `the container turned unhealthy${cause.whileWaking ? ' while waking' : ''}`;
    case 'unreachable':
    case 'not-ready':
    case 'error':
      return cause.detail;
    default:
      return assertNever(cause);
  }
}
