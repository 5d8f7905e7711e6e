// The ledger's credit for dozes (issue 15): a doze saves what it freed while dozed, the stop after a doze what the doze
// kept, and the credits of one GPU still add up to what it saved, against a scripted GPU whose truth is known.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { powerSample as sample } from '../gpu/testdata/power-sample';
import type { LifecycleEvent } from '../lifecycle/model-state';
import { Ledger } from './ledger';

const S = 1000;
const T0 = Date.UTC(2026, 2, 2, 10);

/** The scripted GPU: 30 W bare, a 20 W context step while any model holds one, big 60 W awake and 10 W dozed, small 0 W. */
type Level = 'awake' | 'dozed' | 'down';
interface Gpu {
  big: Level;
  small: Level;
}
function wattsOf(g: Gpu): number {
  const context = g.big !== 'down' || g.small !== 'down' ? 20 : 0;
  const big = g.big === 'awake' ? 60 : g.big === 'dozed' ? 10 : 0;
  return 30 + context + big;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs a script of (seconds from T0, event, new GPU state) over a 1 Hz GPU, returning the ledger and the true saving. */
async function run(
  script: readonly {
    s: number;
    event: (at: number) => LifecycleEvent;
    gpu: Gpu;
    /** What else happens then (the doze meter's judgement). */
    then?: (ledger: Ledger, at: number) => void;
  }[],
  endS: number,
): Promise<{ ledger: Ledger; truth: { big: number; small: number; gpu: number }; now: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'siesta-doze-ledger-'));
  dirs.push(dir);
  const clock = new VirtualClock(T0 - 120 * S);
  const ledger = new Ledger({ path: join(dir, 'ledger.sqlite'), clock, timeZone: 'utc' });
  ledger.setModelInfo('big', { gpuIndexes: [0] });
  ledger.setModelInfo('small', { gpuIndexes: [0] });
  ledger.observeModels([
    { name: 'big', state: 'ready', gpuIndexes: [0] },
    { name: 'small', state: 'ready', gpuIndexes: [0] },
  ]);
  let gpu: Gpu = { big: 'awake', small: 'awake' };
  const truth = { big: 0, small: 0, gpu: 0 };
  const steps = [...script];
  for (let at = T0 - 120 * S; at < T0 + endS * S; at += S) {
    await clock.advanceTo(at);
    while (steps[0] && T0 + steps[0].s * S <= at) {
      const step = steps.shift();
      if (!step) break;
      gpu = step.gpu;
      ledger.recordEvent(step.event(T0 + step.s * S), { gpuIndexes: [0] });
      step.then?.(ledger, T0 + step.s * S);
    }
    ledger.recordSamples([sample(at, wattsOf(gpu))]);
    // The true saving this second, credited in the order of going down (docs/energy.md): small costs nothing; big
    // saves its awake watts less what it still draws, and the step once nothing holds a context.
    const all = wattsOf({ big: 'awake', small: 'awake' });
    const withBig = wattsOf({ ...gpu, big: 'awake' });
    truth.gpu += all - wattsOf(gpu);
    truth.big += withBig - wattsOf(gpu);
    truth.small += all - withBig;
  }
  await clock.advanceTo(T0 + endS * S + 120 * S);
  ledger.flush();
  return { ledger, truth, now: T0 + endS * S };
}

const IDLE = { kind: 'idle', idleMs: 60_000 } as const;
const ev = {
  sleep: (model: string, from?: 'dozed') => (at: number) =>
    ({ kind: 'sleep', at, model, cause: IDLE, ...(from ? { from } : {}) }) as LifecycleEvent,
  doze: (model: string) => (at: number) =>
    ({ kind: 'doze', at, model, cause: IDLE }) as LifecycleEvent,
  wake: (model: string) => (at: number) =>
    ({
      kind: 'wake-requested',
      at,
      model,
      cause: { kind: 'external' },
      from: 'dozed',
    }) as LifecycleEvent,
  coldReady: (model: string) => (at: number) =>
    ({ kind: 'ready', at, model, wakeMs: 2000 }) as LifecycleEvent,
  ready: (model: string) => (at: number) =>
    ({ kind: 'ready', at, model, wakeMs: 2000, from: 'dozed' }) as LifecycleEvent,
};

function savedOf(ledger: Ledger, model: string, from: number, to: number) {
  const row = ledger.history({ from, to, bucket: 'day' }).models.find((m) => m.model === model);
  if (!row) throw new Error(`no history row for ${model}`);
  return row;
}

describe('the ledger keeps each model’s last doze measure', () => {
  it('across a reopen of its file, the latest one per model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'siesta-doze-measures-'));
    dirs.push(dir);
    const path = join(dir, 'ledger.sqlite');
    const clock = new VirtualClock(T0);
    const first = new Ledger({ path, clock, timeZone: 'utc' });
    const measure = {
      at: T0,
      measured: true,
      freedBytes: 10 * 1024 ** 3,
      keptBytes: 4 * 1024 ** 3,
      freedWatts: 31.5,
      dozedWatts: 58,
      enough: false,
      warning: 'big dozed but still holds 4.0 GiB',
    };
    first.recordDozeMeasure('big', { ...measure, keptBytes: 1 });
    first.recordDozeMeasure('big', measure);
    first.close();
    const again = new Ledger({ path, clock, timeZone: 'utc' });
    expect([...again.dozeMeasures()]).toEqual([['big', measure]]);
    again.close();
  });
});

describe('the ledger credits dozes', () => {
  it('credits what a doze freed while dozed and, after the stop that follows, what it kept: the GPU sums up', async () => {
    const { ledger, truth } = await run(
      [
        { s: 0, event: ev.sleep('small'), gpu: { big: 'awake', small: 'down' } },
        { s: 60, event: ev.doze('big'), gpu: { big: 'dozed', small: 'down' } },
        // 20 s after the doze: its windows overlap, so the stop is credited from the GPU's fit.
        { s: 80, event: ev.sleep('big', 'dozed'), gpu: { big: 'down', small: 'down' } },
      ],
      400,
    );
    const to = T0 + 400 * S;
    const big = savedOf(ledger, 'big', T0 - 60 * S, to);
    const small = savedOf(ledger, 'small', T0 - 60 * S, to);
    // Truth: big's doze frees 50 W (60 W awake, 10 W dozed) for 340 s; its stop 30 W more (10 W and the 20 W step) for 320 s.
    expect(truth.big).toBeCloseTo(50 * 340 + 30 * 320, -1);
    expect(Math.abs(big.savedJoules - truth.big)).toBeLessThanOrEqual(
      Math.max(0.03 * truth.big, big.savedUncertaintyJoules),
    );
    expect(Math.abs(big.dozeSavedJoules - 50 * 340)).toBeLessThanOrEqual(0.03 * 50 * 340);
    expect(big.estimated).toBe(false);
    expect(Math.abs(small.savedJoules)).toBeLessThanOrEqual(0.02 * truth.gpu);
    expect(Math.abs(big.savedJoules + small.savedJoules - truth.gpu)).toBeLessThanOrEqual(
      0.01 * truth.gpu + big.savedUncertaintyJoules,
    );
    // The CSV carries the doze part beside the saving.
    const [header, row] = ledger.dailyCsv(T0 - 60 * S, to).split(/\r?\n/);
    const columns = (header ?? '').split(',');
    const cells = (row ?? '').split(',');
    const cell = (name: string): number => Number(cells[columns.indexOf(name)]);
    expect(cells[columns.indexOf('model')]).toBe('big');
    expect(cell('doze_saved_joules')).toBeCloseTo(big.dozeSavedJoules, 0);
    expect(cell('doze_saved_kwh')).toBeCloseTo(big.dozeSavedJoules / 3_600_000, 5);
    // Hours asleep count the doze once, not the doze and the stop after it; dozed is not awake.
    expect(big.hoursAsleep * 3_600_000).toBeCloseTo(340 * S, -3);
    expect(big.hoursAwake).toBe(0);
    const records = ledger.sleepRecords(T0 - 60 * S, to, 'big');
    expect(records.map((r) => [r.level, r.creditSource])).toEqual([
      ['doze', 'fitted'],
      ['stop-after-doze', 'fitted'],
    ]);
    ledger.close();
  });

  it('credits a doze the fit cannot tell yet (a second after another model left) what the doze meter read', async () => {
    const meter = (ledger: Ledger, at: number): void =>
      ledger.recordDozeMeasure('big', {
        at: at + 1_500,
        measured: true,
        freedBytes: 14 * 1024 ** 3,
        keptBytes: 0,
        freedWatts: 50.5,
        dozedWatts: 60,
        enough: true,
        warning: null,
      });
    const { ledger, truth } = await run(
      [
        { s: 0, event: ev.sleep('small'), gpu: { big: 'awake', small: 'down' } },
        { s: 1, event: ev.doze('big'), gpu: { big: 'dozed', small: 'down' }, then: meter },
      ],
      300,
    );
    const [doze] = ledger.sleepRecords(T0, T0 + 300 * S, 'big');
    expect(doze).toMatchObject({ level: 'doze', creditSource: 'doze-meter', creditedWatts: 50.5 });
    expect(doze?.creditUncertainty).toBeGreaterThan(0);
    const big = savedOf(ledger, 'big', T0 - 60 * S, T0 + 300 * S);
    expect(Math.abs(big.savedJoules - truth.big)).toBeLessThanOrEqual(
      Math.max(0.03 * truth.big, big.savedUncertaintyJoules),
    );
    ledger.close();
  });

  it('ends a doze at the ready of its wake and credits it the drop it measured', async () => {
    const { ledger } = await run(
      [
        // A start seen at its ready (a wake from 102 s before T0), so its awake time is known.
        { s: -100, event: ev.coldReady('big'), gpu: { big: 'awake', small: 'awake' } },
        { s: 0, event: ev.sleep('small'), gpu: { big: 'awake', small: 'down' } },
        { s: 60, event: ev.doze('big'), gpu: { big: 'dozed', small: 'down' } },
        { s: 300, event: ev.wake('big'), gpu: { big: 'dozed', small: 'down' } },
        { s: 302, event: ev.ready('big'), gpu: { big: 'awake', small: 'down' } },
      ],
      400,
    );
    const [doze] = ledger.sleepRecords(T0, T0 + 400 * S, 'big');
    expect(doze).toMatchObject({ level: 'doze', creditSource: 'measured', endedAt: T0 + 302 * S });
    expect(doze?.creditedWatts).toBeCloseTo(50, 0);
    const big = savedOf(ledger, 'big', T0 - 60 * S, T0 + 400 * S);
    // A doze's wake is no cold start: no wake charged (the start before the range is not in it), the saving is 50 W
    // for the 242 s it stayed dozed; awake in the range are the 120 s before the doze and the 100 s from its wake request.
    expect(big.hoursAwake * 3_600_000).toBeCloseTo((120 + 100) * S, -3);
    expect(big.wakes).toBe(0);
    expect(Math.abs(big.savedJoules - 50 * 242)).toBeLessThanOrEqual(0.03 * 50 * 242);
    ledger.close();
  });
});
