// Doze figures learned from a real ledger file: the power a doze dropped (samples around its event, only where the
// model stayed dozed through the windows) and the median wake time from a doze.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { powerSample as sample } from '../gpu/testdata/power-sample';
import { Ledger } from '../ledger/ledger';
import { dozeStatsFromLedger } from './ledger-doze-stats';
import { ledgerEnergyStats } from './ledger-energy-stats';

const T0 = Date.UTC(2026, 2, 2, 9);
const dirs: string[] = [];
const ledgers: Ledger[] = [];
afterEach(() => {
  for (const l of ledgers.splice(0)) l.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A ledger whose GPU draws 80 W awake and 35 W once `qwen` dozed at T0 + 60 s; a doze wake of 1.2 s, another of 2 s. */
async function history(wokeSoon: boolean): Promise<{ ledger: Ledger; clock: VirtualClock }> {
  const dir = mkdtempSync(join(tmpdir(), 'siesta-doze-stats-'));
  dirs.push(dir);
  const clock = new VirtualClock(T0);
  const ledger = new Ledger({ path: join(dir, 'ledger.sqlite'), clock, synchronous: 'normal' });
  ledgers.push(ledger);
  const dozeAt = T0 + 60_000;
  const wakeAt = wokeSoon ? dozeAt + 15_000 : dozeAt + 120_000;
  for (let at = T0; at < T0 + 300_000; at += 1_000)
    ledger.recordSamples([sample(at, at >= dozeAt && at < wakeAt ? 35 : 80)]);
  const cause = { kind: 'idle', idleMs: 60_000 } as const;
  const request = { kind: 'request', route: 'path', detail: '/qwen/' } as const;
  ledger.recordEvent({ kind: 'wake-requested', at: T0, model: 'qwen', cause: request });
  ledger.recordEvent({ kind: 'ready', at: T0 + 20_000, model: 'qwen', wakeMs: 20_000 });
  ledger.recordEvent({ kind: 'doze', at: dozeAt, model: 'qwen', cause });
  ledger.recordEvent({
    kind: 'wake-requested',
    at: wakeAt,
    model: 'qwen',
    cause: request,
    from: 'dozed',
  });
  ledger.recordEvent({
    kind: 'ready',
    at: wakeAt + 1_200,
    model: 'qwen',
    wakeMs: 1_200,
    from: 'dozed',
  });
  ledger.recordEvent({ kind: 'doze', at: wakeAt + 100_000, model: 'qwen', cause });
  ledger.recordEvent({
    kind: 'wake-requested',
    at: wakeAt + 101_000,
    model: 'qwen',
    cause: request,
    from: 'dozed',
  });
  ledger.recordEvent({
    kind: 'ready',
    at: wakeAt + 103_000,
    model: 'qwen',
    wakeMs: 2_000,
    from: 'dozed',
  });
  ledger.flush();
  await clock.advance(400_000);
  return { ledger, clock };
}

describe('doze figures from the ledger', () => {
  it('learns the drop of a doze from the samples around it, and the median doze wake time', async () => {
    const { ledger, clock } = await history(false);
    // The second doze woke after 1 s: too soon to be read, so only the first counts.
    expect(dozeStatsFromLedger(ledger, 'qwen', clock.now())).toEqual({
      dropWatts: 45,
      wakeMs: 1_600,
      dozes: 1,
      wakes: 2,
    });
    expect(dozeStatsFromLedger(ledger, 'other', clock.now())).toBeNull();
  });

  it('does not read a doze that woke within its windows, and the policies see the figures', async () => {
    const { ledger, clock } = await history(true);
    expect(dozeStatsFromLedger(ledger, 'qwen', clock.now())).toMatchObject({
      dropWatts: null,
      dozes: 0,
      wakes: 2,
    });
    const source = ledgerEnergyStats(ledger, { history: ledger, clock });
    expect(source.dozeStatsFor?.('qwen')?.wakeMs).toBe(1_600);
  });
});

describe('a stop after a doze in the ledger', () => {
  it('is recorded as a stop from the dozed level, apart from the stops the idle cost is learned from', async () => {
    const { ledger } = await history(false);
    const at = T0 + 500_000;
    ledger.recordEvent({
      kind: 'sleep',
      at,
      model: 'qwen',
      cause: { kind: 'idle', idleMs: 60_000 },
      from: 'dozed',
    });
    ledger.recordEvent({
      kind: 'sleep',
      at: at + 1,
      model: 'plain',
      cause: { kind: 'idle', idleMs: 1 },
    });
    ledger.flush();
    // The stop after a doze drops only what the doze kept: its own level, credited from the dozed state.
    const stops = ledger.sleepRecords(T0, at + 10).filter((s) => s.at >= at);
    expect(stops.map((s) => [s.model, s.level])).toEqual([
      ['qwen', 'stop-after-doze'],
      ['plain', 'stop'],
    ]);
    expect(ledger.events(at, at + 10).map((e) => `${e.model} ${e.kind}`)).toEqual([
      'qwen sleep',
      'plain sleep',
    ]);
  });
});
