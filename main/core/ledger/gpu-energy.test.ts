// A GPU's measured energy read from raw samples, minute and hour roll-ups alike, and its split into models and baseline.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GpuEnergy } from './gpu-energy';
import { migrate } from './migrations';
import { PowerStore } from './power-store';
import { HOUR_MS, MINUTE_MS } from './rollup';
import { NO_PRICING } from './savings';

const T0 = Date.UTC(2026, 2, 1);
/** 100 W, 160 W from T0 + 30 min to T0 + 90 min: 1 Hz readings for two hours. */
const wattsAt = (at: number): number =>
  at >= T0 + 30 * MINUTE_MS && at < T0 + 90 * MINUTE_MS ? 160 : 100;
const truthJoules = (fromAt: number, toAt: number): number => {
  let joules = 0;
  for (let at = fromAt; at < toAt; at += 1000) joules += wattsAt(at);
  return joules;
};

function gpuWithTwoHours(
  rollUpThroughAt: number,
  pruneMinutesBeforeAt: number,
  withCounter = false,
) {
  const db = new BetterSqlite3(':memory:');
  migrate(db, ':memory:');
  const store = new PowerStore(db);
  const rows = [];
  // The counter, where the GPU has one: each second's watts added as the second ends.
  let counterJoules = 0;
  for (let at = T0; at <= T0 + 2 * HOUR_MS; at += 1000) {
    rows.push({
      gpuIndex: 0,
      at,
      powerWatts: wattsAt(at),
      utilizationPercent: 0,
      vramUsedBytes: 0,
      energyJoules: withCounter ? counterJoules : null,
    });
    counterJoules += wattsAt(at);
  }
  store.insertSamples(rows);
  store.startProgress(0, T0);
  store.rollUpRaw(0, rollUpThroughAt, 10_000);
  store.pruneMinutes(pruneMinutesBeforeAt);
  store.pruneRaw(0, pruneMinutesBeforeAt);
  db.prepare(
    `INSERT INTO wakes (event_id, model, gpu_indexes, requested_at, ended_at, outcome, down_at, others_active, status)
     VALUES (0, 'chat', '0', ?, ?, 'ready', ?, 0, 'measured')`,
  ).run(T0, T0 + 1000, T0 + HOUR_MS);
  return { db, energy: new GpuEnergy(db, 10_000) };
}

describe('a GPU measured energy', () => {
  it.each([
    ['power readings', false],
    ['the energy counter', true],
  ])(
    'is the same read from raw samples, minute roll-ups and hours, to within a reading, from %s',
    (_, withCounter) => {
      const ranges = [
        [T0 + 12_345, T0 + 100 * MINUTE_MS + 777],
        [T0 + 29 * MINUTE_MS + 500, T0 + 31 * MINUTE_MS + 1500],
      ] as const;
      for (const [fromAt, toAt] of ranges) {
        const truth = truthJoules(fromAt, toAt);
        for (const [rolled, pruned] of [
          [T0, T0],
          [T0 + 2 * HOUR_MS, T0],
          [T0 + 2 * HOUR_MS, T0 + HOUR_MS],
        ] as const) {
          const { db, energy } = gpuWithTwoHours(rolled, pruned, withCounter);
          const [gpu] = energy.figures(fromAt, toAt, new Map(), NO_PRICING);
          // Hours read before the minutes kept smear the 60 W step in hour 0 over the hour: off by up to half of it.
          const slack = pruned > T0 && fromAt < pruned ? (30 * (toAt - fromAt)) / 1000 : 160;
          expect(Math.abs((gpu?.measuredJoules ?? 0) - truth)).toBeLessThanOrEqual(slack);
          db.close();
        }
      }
    },
  );

  it('splits into the models part and a baseline that add up to what was measured', () => {
    const { db, energy } = gpuWithTwoHours(T0 + HOUR_MS, T0);
    const [gpu] = energy.figures(T0, T0 + 2 * HOUR_MS, new Map([['chat', 200_000]]), {
      ...NO_PRICING,
      pricePerKwh: 0.36,
    });
    expect(gpu?.byModel.get('chat')).toBe(200_000);
    expect(gpu?.modelsUsedJoules).toBe(200_000);
    expect((gpu?.baselineJoules ?? 0) + 200_000).toBeCloseTo(gpu?.measuredJoules ?? NaN, 6);
    expect(gpu?.measuredMoney).toBeCloseTo(((gpu?.measuredJoules ?? 0) / 3.6e6) * 0.36, 9);
    expect(gpu?.coveredMs).toBeGreaterThan(2 * HOUR_MS - 2000);
    db.close();
  });
});
