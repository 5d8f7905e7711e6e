// Samples the soak bench takes over time: the daemon's resident memory and open descriptors, and its gateway's gauges.

/** One sample. */
export interface Sample {
  readonly atMs: number;
  readonly rssBytes: number;
  readonly openFds: number;
  readonly openConnections: number;
  readonly bufferedBodyBytes: number;
  readonly requests: number;
  readonly errors: number;
  readonly cut: number;
}

/** A gauge's value in Prometheus text, or 0 when absent. */
export function gauge(metrics: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}
