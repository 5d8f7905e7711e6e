// Requests in a real SQLite ledger: daily roll-ups that outlive the single rows, totals with their all-in share of the
// GPUs' energy, the request columns of the daily CSV, and retention.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { gpuSample } from '../gpu/replay-probe';
import { Ledger } from './ledger';
import type { RequestRow } from './request-store';

const T0 = Date.UTC(2026, 2, 2);
const DAY = 86_400_000;
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(clock: VirtualClock): Ledger {
  const dir = mkdtempSync(join(tmpdir(), 'siesta-requests-'));
  dirs.push(dir);
  return new Ledger({
    path: join(dir, 'ledger.sqlite'),
    clock,
    timeZone: 'utc',
    retention: { rawRetentionDays: 2 },
  });
}

function row(
  at: number,
  model: string,
  prompt: number,
  completion: number,
  joules: number | null,
): RequestRow {
  return {
    at,
    model,
    client: 'key:0123456789ab',
    status: 200,
    complete: true,
    promptTokens: prompt,
    completionTokens: completion,
    estimated: false,
    firstByteMs: 40,
    durationMs: 1_000,
    marginalJoules: joules,
  };
}

describe('the ledger of requests', () => {
  it('sums each model per day, shares the GPU energy no request was charged by tokens, and keeps days after rows are pruned', async () => {
    const clock = new VirtualClock(T0 + 3_600_000);
    const ledger = open(clock);
    // Two minutes of GPU readings at 100 W: 12,000 J in all.
    for (let s = 0; s <= 120; s++) {
      await clock.advanceTo(T0 + 3_600_000 + s * 1000);
      ledger.recordSamples([
        gpuSample({ index: 0, powerWatts: 100, powerKind: 'average' }, clock.now()),
      ]);
    }
    await clock.advanceTo(T0 + 3_600_000 + 180_000);
    ledger.recordSamples([
      gpuSample({ index: 0, powerWatts: 100, powerKind: 'average' }, clock.now()),
    ]);
    ledger.requests.record([
      row(T0 + 3_600_000, 'chat', 100, 300, 2_000),
      row(T0 + 3_610_000, 'chat', 100, 100, 1_000),
      row(T0 + 3_620_000, 'tts', 50, 150, null),
    ]);
    ledger.flush();
    const summary = ledger.requests.summary(T0 + 5_000, T0 + DAY);
    expect(summary.fromAt).toBe(T0);
    const gpu = summary.gpuJoules;
    expect(gpu).toBeGreaterThan(11_000);
    const [chat, tts] = summary.models;
    expect(chat).toMatchObject({
      model: 'chat',
      requests: 2,
      promptTokens: 200,
      completionTokens: 400,
      measured: 2,
      marginalJoules: 3_000,
      firstByteMsMean: 40,
    });
    expect(tts).toMatchObject({ model: 'tts', requests: 1, measured: 0, marginalJoules: 0 });
    // The rest of the GPU's energy (gpu - 3,000 J) split 600 : 200 tokens.
    expect(chat!.allInJoules).toBeCloseTo(3_000 + ((gpu - 3_000) * 600) / 800, 6);
    expect(tts!.allInJoules).toBeCloseTo(((gpu - 3_000) * 200) / 800, 6);
    expect(chat!.allInJoules + tts!.allInJoules).toBeCloseTo(gpu, 6);

    const csv = ledger.dailyCsv(T0, T0 + DAY).split('\r\n');
    expect(csv[0]).toContain(
      ',requests,prompt_tokens,completion_tokens,request_marginal_kwh,estimated_token_requests',
    );
    expect(csv[1]).toBe('2026-03-02,chat,,,,,,0,0,,,,,,2,200,400,0.000833333,0,,,,,,,,,,');

    // Three days on: the rows are pruned at the next write, the day's roll-up stays.
    await clock.advanceTo(T0 + 3 * DAY + 7_200_000);
    ledger.requests.record([row(clock.now(), 'chat', 1, 1, 1)]);
    expect(ledger.requests.recent(T0, T0 + DAY)).toEqual([]);
    expect(ledger.requests.summary(T0, T0 + DAY).models.map((m) => m.requests)).toEqual([2, 1]);
    ledger.close();
  });
});
