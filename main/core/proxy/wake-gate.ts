// The wake gate: decides whether a request is forwarded, held until its model is ready, shown the waiting page, or
// refused because it must not wake anything; and takes the use (lease) that keeps the model awake while it is open.
import type { IncomingHttpHeaders } from 'node:http';
import type { LifecycleApi } from '../lifecycle/lifecycle-api';
import type { Lease, ModelState, WakeCause } from '../lifecycle/model-state';
import { assertNever } from '../shared/assert-never';

/** What the gate does with a request. */
export type GateDecision =
  /** Take a use and forward; `acquire` waits for the wake when the model is not ready. */
  | 'acquire'
  /** A browser navigation to a model that is not ready: start the wake, answer the waiting page at once. */
  | 'waiting-page'
  /** A monitor or a no-wake path, and the model is not ready: 503, nothing wakes. */
  | 'refuse-asleep';

/** Whether a request is a browser opening a page (not a script or an API client). */
export function isNavigation(method: string, headers: IncomingHttpHeaders): boolean {
  if (method !== 'GET') return false;
  const dest = headers['sec-fetch-dest'];
  if (dest !== undefined) return dest === 'document' || dest === 'iframe';
  return (headers.accept ?? '').includes('text/html');
}

/** The gate's decision for a model in `state`. */
export function gateDecision(
  state: ModelState,
  request: { readonly navigation: boolean; readonly noWake: boolean },
): GateDecision {
  switch (state) {
    case 'ready':
      return 'acquire';
    case 'asleep':
    case 'waking':
    case 'stopping':
    case 'failed':
    case 'dozing':
    case 'dozed':
      if (request.noWake) return 'refuse-asleep';
      return request.navigation ? 'waiting-page' : 'acquire';
    default:
      return assertNever(state);
  }
}

/** A use that is released exactly once, however many of its ends (response end, client close, error) call `release`. */
export interface Use {
  readonly lease: Lease;
  release(): void;
}

/**
 * Takes a use of `model`, waking it if needed and waiting until ready. `clientGone` aborts the wait (the wake goes on
 * for others); a lease that arrives after the client left is released at once and null is returned.
 */
export async function acquireUse(
  lifecycle: LifecycleApi,
  model: string,
  cause: WakeCause,
  clientGone: AbortSignal,
): Promise<Use | null> {
  const lease = await lifecycle.acquire(model, { cause, signal: clientGone });
  let released = false;
  const use: Use = {
    lease,
    release() {
      if (released) return;
      released = true;
      lease.release();
    },
  };
  if (clientGone.aborted) {
    use.release();
    return null;
  }
  return use;
}
