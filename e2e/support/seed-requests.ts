// Fills a real ledger file with this month's requests of two models (known counts, tokens and joules), as the
// gateway would have recorded them, so the Costs page has figures to show and a test knows what they must be.
import { systemClock } from '../../main/core/clock/clock';
import { Ledger } from '../../main/core/ledger/ledger';
import type { RequestRow } from '../../main/core/ledger/request-store';

const DAY = 86_400_000;

/** One model's daily requests in the seed. */
export interface SeededTraffic {
  readonly model: string;
  readonly perDay: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly marginalJoules: number;
  readonly durationMs: number;
}

export const SEEDED_TRAFFIC: readonly SeededTraffic[] = [
  {
    model: 'qwen',
    perDay: 40,
    promptTokens: 800,
    completionTokens: 200,
    marginalJoules: 90,
    durationMs: 1_500,
  },
  {
    model: 'flux',
    perDay: 10,
    promptTokens: 60,
    completionTokens: 1_000,
    marginalJoules: 400,
    durationMs: 6_000,
  },
];

/** Writes each model's daily requests from the start of this month (local time) until now; returns how many per model. */
export function seedMonthRequests(path: string, now = Date.now()): Map<string, number> {
  const d = new Date(now);
  const monthAt = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
  const ledger = new Ledger({ path, clock: systemClock(), synchronous: 'normal' });
  const counts = new Map<string, number>();
  const rows: RequestRow[] = [];
  for (let dayAt = monthAt; dayAt < now; dayAt += DAY) {
    const spanMs = Math.min(DAY, now - 1 - dayAt);
    if (spanMs <= 0) break;
    for (const t of SEEDED_TRAFFIC) {
      for (let i = 0; i < t.perDay; i++) {
        rows.push({
          at: dayAt + Math.floor(((i + 1) * spanMs) / (t.perDay + 1)),
          model: t.model,
          client: 'key:5eed5eed5eed',
          status: 200,
          complete: true,
          promptTokens: t.promptTokens,
          completionTokens: t.completionTokens,
          estimated: false,
          firstByteMs: 120,
          durationMs: t.durationMs,
          marginalJoules: t.marginalJoules,
        });
        counts.set(t.model, (counts.get(t.model) ?? 0) + 1);
      }
    }
  }
  ledger.requests.record(rows);
  ledger.flush();
  ledger.close();
  return counts;
}
