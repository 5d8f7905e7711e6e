// A request trace as the replay simulator reads it: arrivals relative to the trace start, each with a service time.

/** One request: it arrives `offsetMs` after the trace starts and keeps the model busy for `serviceMs` once served. */
export interface TraceRequest {
  readonly offsetMs: number;
  readonly serviceMs: number;
}

/** A trace ready to replay. */
export interface Trace {
  readonly name: string;
  /** Where it comes from and how it was thinned, subsampled or stretched (the report prints it). */
  readonly description: string;
  /** The epoch ms the replay puts at offset 0 (synthetic traces start on a Monday 00:00 UTC so weekdays mean something). */
  readonly startAt: number;
  /** Arrivals in time order. */
  readonly requests: readonly TraceRequest[];
}

/**
 * Service time of an LLM request on one local GPU: a fixed overhead, prefill at 4,000 tokens/s and decode at
 * 40 tokens/s. Every policy serves the same requests, so this only shapes the idle gaps between them.
 */
export function llmServiceMs(inputTokens: number, outputTokens: number): number {
  return Math.round(200 + inputTokens / 4 + outputTokens * 25);
}
