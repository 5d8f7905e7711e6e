// Keeps a burst of events from becoming a burst of notifications: gathers, coalesces and summarises per kind.
import type { Clock, TimerHandle } from '../clock/clock';
import type { Notice, NoticeKind } from './notice';
import { summarize, supersede } from './notification-text';

/** Timings of the throttle. */
export interface NotificationThrottleOptions {
  /** How long the first notice of a kind waits for others of its burst (200 concurrent requests arrive within ms). */
  readonly gatherMs: number;
  /** At most one notification per kind in this time, and the same kind and model is not repeated within it. */
  readonly windowMs: number;
}

/** Gather for 1 s, then at most one notification per kind every 5 s. */
export const DEFAULT_THROTTLE_OPTIONS: NotificationThrottleOptions = {
  gatherMs: 1_000,
  windowMs: 5_000,
};

/**
 * Turns a stream of notices into few notifications. Per kind: the first notice waits `gatherMs`
 * for the rest of its burst, then one notification shows (the notice itself, or a summary of
 * several models); the next of that kind waits until `windowMs` after it. The same kind and
 * model again within `windowMs` of being shown is dropped. A ready or failed notice takes over
 * a wake notice of the same model that is still waiting, so a quick wake shows once.
 */
export class NotificationThrottle {
  private readonly pending = new Map<NoticeKind, Notice[]>();
  private readonly timers = new Map<NoticeKind, TimerHandle>();
  private readonly nextAllowedAt = new Map<NoticeKind, number>();
  private readonly lastShownAt = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly show: (notice: Notice) => void,
    private readonly options: NotificationThrottleOptions = DEFAULT_THROTTLE_OPTIONS,
  ) {}

  /** Offers a notice; it shows later, in a summary, or not at all (a repeat). */
  push(notice: Notice): void {
    const now = this.clock.now();
    if (notice.model !== null) {
      const shownAt = this.lastShownAt.get(keyOf(notice.kind, notice.model));
      if (shownAt !== undefined && now - shownAt < this.options.windowMs) return;
    }
    let incoming = notice;
    if ((notice.kind === 'ready' || notice.kind === 'failed') && notice.model !== null) {
      const earlier = this.take('wake', notice.model);
      if (earlier !== undefined) incoming = supersede(earlier, notice);
    }
    // A repeat of a waiting notice replaces it in place, so a summary names models in arrival order.
    const queue = [...(this.pending.get(incoming.kind) ?? [])];
    const at = incoming.model === null ? -1 : queue.findIndex((n) => n.model === incoming.model);
    if (at >= 0) queue[at] = incoming;
    else queue.push(incoming);
    this.pending.set(incoming.kind, queue);
    if (!this.timers.has(incoming.kind)) {
      const dueAt = Math.max(
        now + this.options.gatherMs,
        this.nextAllowedAt.get(incoming.kind) ?? 0,
      );
      const kind = incoming.kind;
      this.timers.set(
        kind,
        this.clock.setTimeout(() => this.flush(kind), dueAt - now),
      );
    }
  }

  /** Drops everything waiting (the app is quitting). */
  dispose(): void {
    for (const handle of this.timers.values()) this.clock.clearTimeout(handle);
    this.timers.clear();
    this.pending.clear();
  }

  private take(kind: NoticeKind, model: string): Notice | undefined {
    const queue = this.pending.get(kind) ?? [];
    const found = queue.find((n) => n.model === model);
    if (found === undefined) return undefined;
    const rest = queue.filter((n) => n !== found);
    this.pending.set(kind, rest);
    if (rest.length === 0) {
      const handle = this.timers.get(kind);
      if (handle !== undefined) this.clock.clearTimeout(handle);
      this.timers.delete(kind);
    }
    return found;
  }

  private flush(kind: NoticeKind): void {
    this.timers.delete(kind);
    const queue = this.pending.get(kind) ?? [];
    this.pending.delete(kind);
    const [first] = queue;
    if (first === undefined) return;
    const now = this.clock.now();
    this.show(queue.length === 1 ? first : summarize(kind, queue));
    this.nextAllowedAt.set(kind, now + this.options.windowMs);
    for (const notice of queue)
      if (notice.model !== null) this.lastShownAt.set(keyOf(kind, notice.model), now);
  }
}

function keyOf(kind: NoticeKind, model: string): string {
  return `${kind}\u0000${model}`;
}
