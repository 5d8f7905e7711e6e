// Turns a dense cloud trace into one local model's trace: thinning, tenant-like subsampling, time-stretching.
import type { TraceRequest } from './trace';

/** Keeps every k-th row (the first, the (k+1)-th, ...). */
export function thinEvery<T>(rows: readonly T[], k: number): T[] {
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`thinEvery: k must be a whole number >= 1, got ${k}`);
  return rows.filter((_, i) => i % k === 0);
}

/** Keeps the rows whose key is divisible by k: whole conversations (or tenants), about 1 in k of them. */
export function keepKeysDivisibleBy<T>(
  rows: readonly T[],
  keyOf: (row: T) => number | null,
  k: number,
): T[] {
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`keepKeysDivisibleBy: k must be a whole number >= 1, got ${k}`);
  return rows.filter((row) => {
    const key = keyOf(row);
    return key !== null && key % k === 0;
  });
}

/** Shifts offsets so the first request is at 0 and multiplies every gap by `factor` (service times stay as they are). */
export function stretch(requests: readonly TraceRequest[], factor: number): TraceRequest[] {
  if (!(factor > 0)) throw new Error(`stretch: factor must be > 0, got ${factor}`);
  const first = requests[0]?.offsetMs ?? 0;
  return requests.map((r) => ({
    offsetMs: Math.round((r.offsetMs - first) * factor),
    serviceMs: r.serviceMs,
  }));
}
