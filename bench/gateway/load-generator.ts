// A fixed-concurrency HTTP load generator: N workers on keep-alive connections, each sending its next request as soon as
// the last response has been read, for a set time after a warm-up. Latency is from request start to the last byte.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { quantile } from './stats';

/** One request shape to repeat. */
export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** Checks a response body; a false answer counts as an error. */
  readonly check: (status: number, body: Buffer) => boolean;
}

/** How hard and how long. */
export interface LoadOptions {
  readonly port: number;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

/** What one run measured. */
export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The first error seen, for the report. */
  readonly firstError: string | null;
}

function once(
  agent: Agent,
  port: number,
  shape: LoadRequest,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: shape.method,
        path: shape.path,
        headers: shape.headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(shape.body);
  });
}

/** Runs the load against 127.0.0.1:`options.port`. */
export async function runLoad(shape: LoadRequest, options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.concurrency,
    maxFreeSockets: options.concurrency,
  });
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const startAt = performance.now();
  const measureFrom = startAt + options.warmupMs;
  const endAt = measureFrom + options.durationMs;
  const worker = async (): Promise<void> => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= endAt) return;
      let ok = false;
      try {
        const res = await once(agent, options.port, shape);
        ok = shape.check(res.status, res.body);
        if (!ok) firstError ??= `HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`;
      } catch (error: unknown) {
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      const t1 = performance.now();
      if (t0 < measureFrom || t1 > endAt) continue;
      if (ok) latenciesMs.push(t1 - t0);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  agent.destroy();
  return {
    requests: latenciesMs.length,
    errors,
    requestsPerSecond: latenciesMs.length / (options.durationMs / 1000),
    p50Ms: quantile(latenciesMs, 0.5),
    p99Ms: quantile(latenciesMs, 0.99),
    firstError,
  };
}

/** Combines rounds: requests/s over all rounds, latency percentiles as the mean of the rounds'. */
export function combineRounds(rounds: readonly LoadResult[]): LoadResult {
  const n = Math.max(1, rounds.length);
  const sum = (pick: (r: LoadResult) => number): number => rounds.reduce((s, r) => s + pick(r), 0);
  return {
    requests: sum((r) => r.requests),
    errors: sum((r) => r.errors),
    requestsPerSecond: sum((r) => r.requestsPerSecond) / n,
    p50Ms: sum((r) => r.p50Ms) / n,
    p99Ms: sum((r) => r.p99Ms) / n,
    firstError: rounds.find((r) => r.firstError !== null)?.firstError ?? null,
  };
}
