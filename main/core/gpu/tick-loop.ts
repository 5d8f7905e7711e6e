// Runs a probe's read on a Clock at a fixed rate: first read at once, no overlapping reads, no drift.
import type { Clock, TimerHandle } from '../clock/clock';

/** A running loop; `stop()` cancels the next read (one already running finishes). */
export interface TickLoop {
  stop(): void;
  /** Reads now (after the read in progress, if any) and resolves when that read is done; the next tick comes an interval later. */
  readNow(): Promise<void>;
}

/**
 * Calls `tick` now and then every `intervalMs` on `clock`. A read that takes longer than the
 * interval delays the next one instead of piling up; missed ticks are skipped, not replayed.
 * A throw or rejection goes to `onError` and the loop goes on.
 */
export function startTickLoop(
  clock: Clock,
  intervalMs: number,
  tick: () => Promise<void> | void,
  onError: (error: unknown) => void,
): TickLoop {
  let stopped = false;
  let timer: TimerHandle | null = null;
  let nextDueAt = clock.now();
  let running: Promise<void> | null = null;
  const read = async (): Promise<void> => {
    timer = null;
    if (stopped) return;
    try {
      await tick();
    } catch (error: unknown) {
      onError(error);
    }
    if (stopped) return;
    const now = clock.now();
    nextDueAt += intervalMs;
    if (nextDueAt <= now) nextDueAt = now + intervalMs - ((now - nextDueAt) % intervalMs);
    timer = clock.setTimeout(() => void run(), nextDueAt - now);
  };
  const run = (): Promise<void> => {
    const current = read().finally(() => {
      if (running === current) running = null;
    });
    running = current;
    return current;
  };
  timer = clock.setTimeout(() => void run(), 0);
  return {
    stop() {
      stopped = true;
      if (timer) clock.clearTimeout(timer);
      timer = null;
    },
    async readNow() {
      if (running) await running;
      if (stopped) return;
      if (timer) clock.clearTimeout(timer);
      nextDueAt = clock.now();
      await run();
    },
  };
}
