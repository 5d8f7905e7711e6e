// The history sums on a real (in-memory) SQLite ledger, with hand-computed expectations.
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { BucketRange } from './buckets';
import { bucketRanges } from './buckets';
import { assembleHistory } from './history';
import type { CreditFallback } from './history-sums';
import { HistorySums } from './history-sums';
import { migrate } from './migrations';
import type { Pricing } from './savings';
import { NO_PRICING } from './savings';

const D0 = Date.UTC(2026, 0, 1);
const H = 3_600_000;
const t = (hours: number, seconds = 0): number => D0 + hours * H + seconds * 1000;

const dbs: Database[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function ledgerDb(): Database {
  const db = new BetterSqlite3(':memory:');
  migrate(db, ':memory:');
  dbs.push(db);
  return db;
}

interface SleepRow {
  model: string;
  at: number;
  wakeRequestedAt?: number | null;
  endedAt?: number | null;
  lastResident?: boolean;
  status?: 'pending' | 'measured' | 'unmeasured';
  creditedWatts?: number | null;
  creditSource?: string | null;
  takeoverAt?: number | null;
  takeoverWatts?: number | null;
  takeoverSource?: string | null;
}

function addSleep(db: Database, s: SleepRow): void {
  db.prepare(
    `INSERT INTO sleeps (event_id, model, gpu_indexes, at, wake_requested_at, ended_at, last_resident, others, others_active, status,
       credited_watts, credit_source, takeover_at, takeover_watts, takeover_source)
     VALUES (0, ?, '0', ?, ?, ?, ?, '', 0, ?, ?, ?, ?, ?, ?)`,
  ).run(
    s.model,
    s.at,
    s.wakeRequestedAt ?? null,
    s.endedAt ?? null,
    s.lastResident === false ? 0 : 1,
    s.status ?? 'measured',
    s.creditedWatts ?? null,
    s.creditSource ?? null,
    s.takeoverAt ?? null,
    s.takeoverWatts ?? null,
    s.takeoverSource ?? null,
  );
}

interface WakeRow {
  model: string;
  requestedAt: number;
  endedAt: number | null;
  outcome: 'ready' | 'failed' | null;
  downAt: number | null;
  creditedJoules?: number | null;
  creditSource?: string | null;
}

function addWake(db: Database, w: WakeRow): void {
  db.prepare(
    `INSERT INTO wakes (event_id, model, gpu_indexes, requested_at, ended_at, outcome, down_at, others_active, status, credited_joules, credit_source)
     VALUES (0, ?, '0', ?, ?, ?, ?, 0, 'measured', ?, ?)`,
  ).run(
    w.model,
    w.requestedAt,
    w.endedAt,
    w.outcome,
    w.downAt,
    w.creditedJoules ?? null,
    w.creditSource ?? null,
  );
}

function history(
  db: Database,
  ranges: readonly BucketRange[],
  nowAt: number,
  fallbacks: CreditFallback[] = [],
  pricing: Pricing = NO_PRICING,
  model?: string,
) {
  return assembleHistory(ranges, new HistorySums(db).run(ranges, nowAt, model, fallbacks), pricing);
}

const fallback = (model: string, f: Partial<CreditFallback>): CreditFallback => ({
  model,
  lastResidentWatts: null,
  sharedWatts: null,
  wakeJoules: null,
  idleWatts: null,
  ...f,
});

describe('saved energy of one sleep', () => {
  const hour: BucketRange[] = [{ startAt: t(0), endAt: t(10) }];

  it('is credited watts times time asleep: 50 W for an hour is 180 kJ, half of it in the first half hour', () => {
    const db = ledgerDb();
    addSleep(db, {
      model: 'm',
      at: t(0),
      endedAt: t(1),
      creditedWatts: 50,
      creditSource: 'measured',
    });
    expect(history(db, hour, t(10))[0]?.total.savedJoules).toBe(180_000);
    expect(history(db, [{ startAt: t(0), endAt: t(0.5) }], t(10))[0]?.total.savedJoules).toBe(
      90_000,
    );
  });

  it('drops to the takeover rate once another model holds the GPU: 50 W for 20 min then 4 W for 40 min = 69.6 kJ', () => {
    const db = ledgerDb();
    addSleep(db, {
      model: 'm',
      at: t(0),
      endedAt: t(1),
      creditedWatts: 50,
      creditSource: 'measured',
      takeoverAt: t(0, 1200),
      takeoverWatts: 4,
      takeoverSource: 'learned',
    });
    expect(history(db, hour, t(10))[0]?.total.savedJoules).toBeCloseTo(50 * 1200 + 4 * 2400, 9);
  });

  it('runs an open sleep to now, and ignores a takeover of a spec estimate', () => {
    const db = ledgerDb();
    addSleep(db, {
      model: 'm',
      at: t(0),
      creditedWatts: 30,
      creditSource: 'spec',
      takeoverAt: t(0, 60),
      takeoverWatts: 4,
      takeoverSource: 'learned',
    });
    const [bucket] = history(db, hour, t(0, 600));
    expect(bucket?.total.savedJoules).toBe(30 * 600);
    expect(bucket?.total.estimated).toBe(true);
  });

  it('credits a pending sleep with what the model has learned, else the spec (an estimate)', () => {
    const db = ledgerDb();
    addSleep(db, { model: 'm', at: t(0), endedAt: t(1), status: 'pending' });
    addSleep(db, { model: 'm', at: t(2), endedAt: t(3), lastResident: false, status: 'pending' });
    const [bucket] = history(db, hour, t(10), [
      fallback('m', { lastResidentWatts: 54, sharedWatts: 4, idleWatts: 30 }),
    ]);
    expect(bucket?.total.savedJoules).toBe(54 * 3600 + 4 * 3600);
    expect(bucket?.total.estimated).toBe(false);
    const [spec] = history(db, hour, t(10), [fallback('m', { idleWatts: 30 })]);
    expect(spec?.total.savedJoules).toBe(30 * 7200);
    expect(spec?.total.estimated).toBe(true);
  });

  it('counts a stored "none" credit as zero and an estimate', () => {
    const db = ledgerDb();
    addSleep(db, {
      model: 'm',
      at: t(0),
      endedAt: t(1),
      status: 'unmeasured',
      creditedWatts: 0,
      creditSource: 'none',
    });
    const [bucket] = history(db, hour, t(10), [fallback('m', { lastResidentWatts: 54 })]);
    expect(bucket?.total).toMatchObject({ savedJoules: 0, estimated: true, hoursAsleep: 1 });
  });
});

describe('history per bucket and model', () => {
  // chat: woke 08:00 (20 s), slept 20:00, woke again next day 06:00 (30 s) and is still up at 12:00.
  // image: a wake at 10:00 that failed after a minute; asleep from day 2 00:00 with nothing measured (spec 10 W).
  function twoDays(): Database {
    const db = ledgerDb();
    addSleep(db, {
      model: 'chat',
      at: t(20),
      wakeRequestedAt: t(30),
      endedAt: t(30, 30),
      creditedWatts: 50,
      creditSource: 'measured',
    });
    addSleep(db, { model: 'image', at: t(24), status: 'pending' });
    addWake(db, {
      model: 'chat',
      requestedAt: t(8),
      endedAt: t(8, 20),
      outcome: 'ready',
      downAt: t(20),
      creditedJoules: 2000,
      creditSource: 'measured',
    });
    addWake(db, {
      model: 'chat',
      requestedAt: t(30),
      endedAt: t(30, 30),
      outcome: 'ready',
      downAt: null,
      creditedJoules: 3000,
      creditSource: 'measured',
    });
    addWake(db, {
      model: 'image',
      requestedAt: t(10),
      endedAt: t(10, 60),
      outcome: 'failed',
      downAt: t(10, 60),
      creditedJoules: 500,
      creditSource: 'unclean',
    });
    return db;
  }
  const pricing = { pricePerKwh: 0.25, currency: 'EUR', gridCo2GramsPerKwh: 300 };
  const run = () =>
    history(
      twoDays(),
      bucketRanges(t(0), t(48), 'day', 'utc'),
      t(36),
      [fallback('image', { idleWatts: 10 })],
      pricing,
    );

  it('credits a sleep to each day it spans and charges a wake to the day it was requested', () => {
    const [day0, day1, ...rest] = run();
    expect(rest).toEqual([]);
    const chat0 = day0?.models.find((m) => m.model === 'chat');
    // 4 h at 50 W = 720,000 J asleep, minus the 2,000 J wake.
    expect(chat0).toMatchObject({
      asleepSavedJoules: 720_000,
      wakeJoules: 2000,
      savedJoules: 718_000,
      wakes: 1,
      failedWakes: 0,
    });
    expect(chat0).toMatchObject({
      wakeP50Ms: 20_000,
      wakeP95Ms: 20_000,
      hoursAwake: 12,
      hoursAsleep: 4,
      estimated: false,
    });
    const chat1 = day1?.models.find((m) => m.model === 'chat');
    // Saving runs to ready (06:00:30): 21,630 s at 50 W = 1,081,500 J; asleep only to the request (6 h); awake 06:00 -> now 12:00.
    expect(chat1).toMatchObject({
      asleepSavedJoules: 1_081_500,
      wakeJoules: 3000,
      savedJoules: 1_078_500,
      hoursAsleep: 6,
      hoursAwake: 6,
    });
    expect(chat1?.wakeP50Ms).toBe(30_000);
  });

  it('counts a failed wake and its cost, with no wake time', () => {
    const image0 = run()[0]?.models.find((m) => m.model === 'image');
    expect(image0).toMatchObject({
      savedJoules: -500,
      wakes: 1,
      failedWakes: 1,
      wakeP50Ms: null,
      wakeP95Ms: null,
    });
    expect(image0?.hoursAwake).toBeCloseTo(1 / 60, 12);
  });

  it('totals the models, prices the energy and carries the estimate flag', () => {
    const [day0, day1] = run();
    expect(day0?.total).toMatchObject({
      savedJoules: 717_500,
      wakes: 2,
      failedWakes: 1,
      wakeP50Ms: 20_000,
      estimated: false,
    });
    expect(day0?.total.savedKwh).toBeCloseTo(717_500 / 3_600_000, 12);
    expect(day0?.total.money).toBeCloseTo((717_500 / 3_600_000) * 0.25, 12);
    expect(day0?.total.co2Grams).toBeCloseTo((717_500 / 3_600_000) * 300, 9);
    expect(day0?.total.currency).toBe('EUR');
    // image asleep 00:00 -> now (12:00) at the spec's 10 W = 432,000 J, an estimate.
    const image1 = day1?.models.find((m) => m.model === 'image');
    expect(image1).toMatchObject({ savedJoules: 432_000, estimated: true, hoursAsleep: 12 });
    expect(day1?.total.savedJoules).toBe(1_078_500 + 432_000);
    expect(day1?.total.estimated).toBe(true);
  });

  it('answers for one model only when asked', () => {
    const db = twoDays();
    const [day0] = history(
      db,
      bucketRanges(t(0), t(48), 'day', 'utc'),
      t(36),
      [],
      NO_PRICING,
      'image',
    );
    expect(day0?.models.map((m) => m.model)).toEqual(['image']);
    expect(day0?.total.money).toBeNull();
  });
});

describe('wake time percentiles', () => {
  it('takes the nearest rank per model and over all models: p50 of 10, 20, 30, 40 s is 20 s, p95 is 40 s', () => {
    const db = ledgerDb();
    [10, 20, 30, 40].forEach((s, i) =>
      addWake(db, {
        model: 'a',
        requestedAt: t(i),
        endedAt: t(i, s),
        outcome: 'ready',
        downAt: t(i, 100),
        creditedJoules: 1,
        creditSource: 'measured',
      }),
    );
    addWake(db, {
      model: 'b',
      requestedAt: t(5),
      endedAt: t(5, 90),
      outcome: 'ready',
      downAt: t(6),
      creditedJoules: 1,
      creditSource: 'measured',
    });
    const [day] = history(db, bucketRanges(t(0), t(24), 'day', 'utc'), t(24));
    expect(day?.models.find((m) => m.model === 'a')).toMatchObject({
      wakeP50Ms: 20_000,
      wakeP95Ms: 40_000,
      wakes: 4,
    });
    expect(day?.models.find((m) => m.model === 'b')).toMatchObject({
      wakeP50Ms: 90_000,
      wakeP95Ms: 90_000,
    });
    // All five: 10, 20, 30, 40, 90 -> rank ceil(2.5) = 3 is 30 s; rank ceil(4.75) = 5 is 90 s.
    expect(day?.total).toMatchObject({ wakeP50Ms: 30_000, wakeP95Ms: 90_000, wakes: 5 });
  });
});
