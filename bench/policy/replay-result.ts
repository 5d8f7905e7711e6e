// What one replay of a trace under one policy measured, and the figures the bench table derives from it.

/** Added latency of requests (ms) over every request of the trace; most are 0 (the model was awake). */
export interface LatencySummary {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** One replay's measurements over the window [trace start, last request's end + tail]. */
export interface ReplayResult {
  readonly trace: string;
  readonly policy: string;
  readonly requests: number;
  readonly windowMs: number;
  /** Energy the GPU used, baseline included. */
  readonly energyJoules: number;
  /** The model's share above the baseline: resident time x dP plus wakes. */
  readonly modelJoules: number;
  /** The same window with the model always resident (no wakes). */
  readonly alwaysOnJoules: number;
  /** Wakes that a request had to wait for. */
  readonly coldStarts: number;
  /** Wakes a pre-warm started. */
  readonly prewarms: number;
  /** Pre-warms that a request arrived after, before the model slept again. */
  readonly prewarmsUsed: number;
  /** Warnings the lifecycle logged during the replay (none expected). */
  readonly problems: readonly string[];
  /** Requests that failed (none expected: the simulated model never fails). */
  readonly failures: number;
  readonly addedLatency: LatencySummary;
}

/** Energy saved against always-on (joules). */
export function savedJoules(result: ReplayResult): number {
  return result.alwaysOnJoules - result.energyJoules;
}

/** The cost the policies trade: the model's energy above the baseline plus each cold start at its price. */
export function costJoules(result: ReplayResult, coldStartCostJoules: number): number {
  return result.modelJoules + result.coldStarts * coldStartCostJoules;
}
