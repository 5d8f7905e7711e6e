// The callers waiting for a model to be ready (`acquire` wants a use, `wake` does not): each with its own timeout and
// abort signal; all settled together when the model is ready, or rejected together when its wake fails.
import type { Clock } from '../clock/clock';
import { formatDuration } from '../config/duration';
import { WakeError } from './lifecycle-api';
import type { Waiter } from './machine-parts';
import type { Lease, WakeCause } from './model-state';

/** One model's waiting callers. */
export class Waiters {
  private readonly waiting = new Set<Waiter>();

  constructor(
    private readonly clock: Clock,
    private readonly model: string,
  ) {}

  /** How many wait. */
  get size(): number {
    return this.waiting.size;
  }

  /** The longest-waiting caller, if any. */
  first(): Waiter | undefined {
    return this.waiting.values().next().value;
  }

  /**
   * Adds a caller (synchronously, before this returns); it rejects after `timeoutMs` (naming `lastDetail()`, what the
   * last readiness check saw) or when `signal` aborts.
   */
  add(
    cause: WakeCause,
    wantsUse: boolean,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    lastDetail: () => string | null,
  ): Promise<Lease | null> {
    const name = this.model;
    if (signal?.aborted)
      return Promise.reject(new WakeError('aborted', `the wait for "${name}" was aborted`, name));
    return new Promise<Lease | null>((resolve, reject) => {
      const cleanup = (): void => {
        this.waiting.delete(waiter);
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        cause,
        wantsUse,
        resolve: (lease) => {
          cleanup();
          resolve(lease);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      const onAbort = (): void =>
        waiter.reject(new WakeError('aborted', `the wait for "${name}" was aborted`, name));
      const timer = this.clock.setTimeout(() => {
        const detail = lastDetail();
        const shown = detail ? ` (last check: ${detail})` : '';
        waiter.reject(
          new WakeError(
            'timeout',
            `"${name}" was not ready within ${formatDuration(timeoutMs)}${shown}`,
            name,
          ),
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(waiter);
    });
  }

  /** The model is ready: each caller gets a lease (`openLease`) or, for `wake`, nothing. */
  settle(openLease: () => Lease): void {
    for (const waiter of [...this.waiting]) waiter.resolve(waiter.wantsUse ? openLease() : null);
  }

  /** The wake failed or was cancelled: every caller rejects with `error`. */
  rejectAll(error: WakeError): void {
    for (const waiter of [...this.waiting]) waiter.reject(error);
  }
}
