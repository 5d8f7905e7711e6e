// How long a waking model's readiness poll waits between attempts: fast for the first seconds, then backing off.

/** Attempts made at the fastest rate before backing off: 25 ms for the first 10 s of a wake. */
const FAST_ATTEMPTS = 400;
const FAST_DELAY_MS = 25;
const MAX_DELAY_MS = 250;

/**
 * Delay after attempt `attempt` (0-based). A readiness attempt against a server that is not up yet is
 * a refused loopback connect, which costs next to nothing, so the first 10 s poll every 25 ms: a
 * model that becomes ready is seen within 25 ms (the gateway bench measures this as wake overhead;
 * Sablier polls every 5 s, llama-swap every 1 s). Slow loaders (a 70B model takes minutes) are then
 * polled less often, growing by half each time up to 250 ms.
 */
export function pollDelayMs(attempt: number): number {
  if (attempt < FAST_ATTEMPTS) return FAST_DELAY_MS;
  return Math.min(MAX_DELAY_MS, Math.round(FAST_DELAY_MS * 1.5 ** (attempt - FAST_ATTEMPTS + 1)));
}
