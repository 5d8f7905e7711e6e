// A clock that only moves when told to: for unit tests and the trace-replay simulator.
import type { Clock, TimerHandle } from './clock';

type Timer = { id: number; dueAt: number; callback: () => void };

/** A virtual clock. `advance(ms)` fires due timers in time order, letting promises settle between them. */
export class VirtualClock implements Clock {
  private nowMs: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(startAt = Date.UTC(2026, 0, 1)) {
    this.nowMs = startAt;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, dueAt: this.nowMs + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delayMs));
  }

  /** Number of timers waiting to fire. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.nowMs + ms);
  }

  /** Moves time forward to `at` (epoch ms), firing due timers in order. */
  async advanceTo(at: number): Promise<void> {
    await flushMicrotasks();
    for (;;) {
      const next = this.earliestDue();
      if (!next || next.dueAt > at) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.nowMs = Math.max(this.nowMs, next.dueAt);
      next.callback();
      await flushMicrotasks();
    }
    this.nowMs = Math.max(this.nowMs, at);
    await flushMicrotasks();
  }

  private earliestDue(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.dueAt < best.dueAt) best = t;
    return best;
  }
}

/** Lets pending promise callbacks run (several turns, since chains resolve one link per turn). */
export async function flushMicrotasks(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
