// Energy used per model (awake at its credited watts, waking at its wake's energy) on a real in-memory SQLite ledger.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { BucketRange } from './buckets';
import { assembleHistory } from './history';
import { HistorySums } from './history-sums';
import { migrate } from './migrations';
import { NO_PRICING } from './savings';

const T0 = Date.UTC(2026, 2, 1);
const s = (seconds: number): number => T0 + seconds * 1000;

/** Inserts one row of `table` from a column -> value record. */
function insert(db: BetterSqlite3.Database, table: string, row: Record<string, unknown>): void {
  const columns = Object.keys(row);
  db.prepare(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  ).run(...columns.map((c) => row[c]));
}

const sleepRow = (model: string, at: number, watts: number | null, sigma = 0) => ({
  event_id: 0,
  model,
  gpu_indexes: '0',
  at,
  last_resident: 1,
  others: '',
  others_active: 0,
  status: watts === null ? 'pending' : 'measured',
  credited_watts: watts,
  credit_source: watts === null ? null : 'fitted',
  credit_uncertainty: watts === null ? null : sigma,
});

const wakeRow = (model: string, requestedAt: number, endedAt: number, downAt: number | null) => ({
  event_id: 0,
  model,
  gpu_indexes: '0',
  requested_at: requestedAt,
  ended_at: endedAt,
  outcome: 'ready',
  down_at: downAt,
  others_active: 0,
  status: 'measured',
  credited_joules: 300,
  credit_source: 'fitted',
  credit_uncertainty: 6,
});

function usedOf(db: BetterSqlite3.Database, ranges: BucketRange[], nowAt: number) {
  return assembleHistory(ranges, new HistorySums(db).run(ranges, nowAt, undefined, []), {
    ...NO_PRICING,
    pricePerKwh: 0.3,
    currency: 'EUR',
  });
}

describe('energy used per model', () => {
  it('is the resident span at the next sleep credit plus the wake: 60 W for 100 s and a 300 J wake is 6.3 kJ', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, ':memory:');
    insert(db, 'sleeps', sleepRow('big', s(0), 50));
    insert(db, 'wakes', wakeRow('big', s(100), s(110), s(210)));
    insert(db, 'sleeps', sleepRow('big', s(210), 60, 2));
    const [bucket] = usedOf(db, [{ startAt: s(0), endAt: s(300) }], s(300));
    const big = bucket?.models[0];
    expect(big?.awakeUsedJoules).toBeCloseTo(6000, 6);
    expect(big?.wakeJoules).toBe(300);
    expect(big?.usedJoules).toBeCloseTo(6300, 6);
    expect(big?.usedUncertaintyJoules).toBeCloseTo(2 * 100 + 6, 6);
    expect(big?.usedMoney).toBeCloseTo((6300 / 3.6e6) * 0.3, 9);
    db.close();
  });

  it('splits across buckets and, while still awake or the sleep is pending, prices it at the sleep it woke from', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, ':memory:');
    insert(db, 'sleeps', sleepRow('chat', s(0), 40));
    insert(db, 'wakes', wakeRow('chat', s(100), s(110), null));
    const halves = [
      { startAt: s(0), endAt: s(160) },
      { startAt: s(160), endAt: s(210) },
    ];
    const [first, second] = usedOf(db, halves, s(210));
    expect(first?.models[0]?.awakeUsedJoules).toBeCloseTo(40 * 50, 6);
    expect(second?.models[0]?.awakeUsedJoules).toBeCloseTo(40 * 50, 6);
    // The sleep ending it is recorded but not measured yet: still the previous credit.
    db.prepare('UPDATE wakes SET down_at = ?').run(s(200));
    insert(db, 'sleeps', sleepRow('chat', s(200), null));
    const [whole] = usedOf(db, [{ startAt: s(0), endAt: s(300) }], s(300));
    expect(whole?.models[0]?.awakeUsedJoules).toBeCloseTo(40 * 90, 6);
    db.close();
  });

  it('prices a model that dozed before its stop awake until the doze (doze plus stop credit), then at its dozed watts', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, ':memory:');
    // Ready at 110 s, dozed at 160 s (freeing 45 W), stopped at 210 s (the 15 W it kept dozed).
    insert(db, 'wakes', wakeRow('flux', s(100), s(110), s(210)));
    insert(db, 'sleeps', { ...sleepRow('flux', s(160), 45, 1), level: 'doze' });
    insert(db, 'sleeps', { ...sleepRow('flux', s(210), 15, 1), level: 'stop-after-doze' });
    const [bucket] = usedOf(db, [{ startAt: s(0), endAt: s(300) }], s(300));
    expect(bucket?.models[0]?.awakeUsedJoules).toBeCloseTo(60 * 50 + 15 * 50, 6);
    expect(bucket?.models[0]?.usedUncertaintyJoules).toBeCloseTo(2 * 50 + 1 * 50 + 6, 6);
    db.close();
  });

  it('counts nothing awake for a failed wake: only its energy', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, ':memory:');
    insert(db, 'sleeps', sleepRow('broken', s(0), 30));
    insert(db, 'wakes', { ...wakeRow('broken', s(100), s(103), s(103)), outcome: 'failed' });
    const [bucket] = usedOf(db, [{ startAt: s(0), endAt: s(300) }], s(300));
    expect(bucket?.models[0]?.awakeUsedJoules).toBe(0);
    expect(bucket?.models[0]?.usedJoules).toBe(300);
    db.close();
  });
});
