// Ledger at one year: size on disk after roll-up and the time of a one-year daily history query, against the targets.
// Older days go through the real roll-up code (rollUpMinutes -> PowerStore.ingestMinutes); the last 7 days go through
// Ledger.recordSamples at 1 Hz for 2 GPUs; every lifecycle event of the year goes through Ledger.recordEvent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { VirtualClock } from '../main/core/clock/virtual-clock';
import type { GpuSample } from '../main/core/gpu/gpu-sample';
import type { LifecycleEvent } from '../main/core/lifecycle/model-state';
import { Ledger } from '../main/core/ledger/ledger';
import { openLedgerDatabase } from '../main/core/ledger/ledger-database';
import { median } from '../main/core/ledger/power-math';
import { PowerStore } from '../main/core/ledger/power-store';
import { rollUpMinutes } from '../main/core/ledger/rollup';

const DAY_MS = 86_400_000;
const SIZE_TARGET_BYTES = 200 * 1024 * 1024;
const QUERY_TARGET_MS = 50;
const RAW_DAYS = 7;

/** Four models, two per GPU, with what they cost on an H100-like card. */
const MODELS = [
  { name: 'chat', gpu: 0, wakeMs: 25_000, wakeWatts: 150, wakesPerDay: 14 },
  { name: 'image', gpu: 0, wakeMs: 12_000, wakeWatts: 90, wakesPerDay: 6 },
  { name: 'speech', gpu: 1, wakeMs: 4_000, wakeWatts: 40, wakesPerDay: 10 },
  { name: 'tts', gpu: 1, wakeMs: 6_000, wakeWatts: 50, wakesPerDay: 8 },
] as const;
const BASE_WATTS = 70;
const STEP_WATTS = 50;
const CONTEXT_WATTS = 4;
const BUSY_WATTS = 260;
const IDLE_MS = 10 * 60_000;

interface Wake {
  readonly model: (typeof MODELS)[number];
  readonly requestedAt: number;
  readonly readyAt: number;
  readonly busyUntil: number;
  readonly sleepAt: number;
}

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A year of wakes: each model wakes a few times a day in working hours, serves a while, sleeps after 10 idle minutes. */
function planWakes(startAt: number, days: number): Wake[] {
  const next = random(42);
  const wakes: Wake[] = [];
  for (const model of MODELS) {
    let freeAt = startAt;
    for (let day = 0; day < days; day++) {
      const dayAt = startAt + day * DAY_MS;
      const times = Array.from(
        { length: model.wakesPerDay },
        () => dayAt + Math.floor((7 + next() * 15) * 3_600_000),
      ).sort((a, b) => a - b);
      for (const t of times) {
        if (t < freeAt) continue;
        const readyAt = t + model.wakeMs;
        const busyUntil = readyAt + Math.floor((1 + next() * 20) * 60_000);
        const sleepAt = busyUntil + IDLE_MS;
        wakes.push({ model, requestedAt: t, readyAt, busyUntil, sleepAt });
        freeAt = sleepAt + 60_000;
      }
    }
  }
  return wakes.sort((a, b) => a.requestedAt - b.requestedAt);
}

function eventsOf(wakes: readonly Wake[]): LifecycleEvent[] {
  const events: LifecycleEvent[] = [];
  for (const w of wakes) {
    events.push({
      kind: 'wake-requested',
      at: w.requestedAt,
      model: w.model.name,
      cause: { kind: 'request', route: 'model-field', detail: w.model.name },
    });
    events.push({
      kind: 'ready',
      at: w.readyAt,
      model: w.model.name,
      wakeMs: w.readyAt - w.requestedAt,
    });
    events.push({
      kind: 'sleep',
      at: w.sleepAt,
      model: w.model.name,
      cause: { kind: 'idle', idleMs: IDLE_MS },
    });
  }
  return events.sort((a, b) => a.at - b.at);
}

/** Per-second power of one GPU over one day (86,401 readings: the last is the next day's first). */
function dayPower(gpu: number, dayAt: number, wakes: readonly Wake[], out: Float64Array): void {
  const seconds = out.length;
  const resident = new Int8Array(seconds);
  const extra = new Float64Array(seconds);
  const endAt = dayAt + (seconds - 1) * 1000;
  for (const w of wakes) {
    if (w.model.gpu !== gpu || w.sleepAt < dayAt || w.requestedAt > endAt) continue;
    const s = (at: number): number =>
      Math.min(seconds, Math.max(0, Math.ceil((at - dayAt) / 1000)));
    for (let i = s(w.requestedAt); i < s(w.readyAt); i++)
      extra[i] = (extra[i] as number) + w.model.wakeWatts;
    for (let i = s(w.readyAt); i < s(w.sleepAt); i++) resident[i] = (resident[i] as number) + 1;
    for (let i = s(w.readyAt); i < s(w.busyUntil); i++)
      extra[i] = (extra[i] as number) + BUSY_WATTS;
  }
  for (let i = 0; i < seconds; i++) {
    const n = resident[i] as number;
    const noise = Math.sin(i * 12.9898 + gpu) * 1.5;
    out[i] =
      BASE_WATTS + (n > 0 ? STEP_WATTS : 0) + n * CONTEXT_WATTS + (extra[i] as number) + noise;
  }
}

/** Each GPU's energy counter (joules since the driver loaded), as NVML reports it beside power. */
const energyCounters = [5e8, 7e8];

function sampleOf(gpu: number, at: number, powerWatts: number): GpuSample {
  energyCounters[gpu] = (energyCounters[gpu] ?? 0) + powerWatts;
  return {
    at,
    index: gpu,
    uuid: `GPU-bench-${gpu}`,
    name: 'Bench H100',
    vendor: 'nvidia',
    vramUsedBytes: null,
    vramTotalBytes: 80 * 2 ** 30,
    powerWatts: Math.round(powerWatts * 100) / 100,
    powerKind: 'average',
    energyJoules: energyCounters[gpu] ?? null,
    powerLimitWatts: 700,
    pstate: 'P0',
    utilizationPercent: powerWatts > 300 ? 90 : 0,
    temperatureC: 40,
  };
}

function fileBytes(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // no such file: nothing to add
    }
  }
  return total;
}

function option(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`ledger bench: --${name} needs a positive number, got "${args[i + 1]}"`);
  return value;
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

const QUERY_FLAG = '--ledger-bench-queries';

/** What the query process measures. */
interface QueryTimes {
  /** The first query after opening the file (days cached in the background while the ledger ran). */
  readonly coldHistoryMs: number;
  /** A query with the day cache emptied: it sums every sleep and wake of the year and caches the days. */
  readonly uncachedHistoryMs: number;
  readonly warmHistoryMs: number[];
  /** CPU time of the same queries: what the query costs, less what other processes on the machine took. */
  readonly warmHistoryCpuMs: number[];
  readonly todayMs: number[];
  readonly sparklineMs: number[];
  /** Each GPU's measured energy over the year split into its models and baseline (the history API's `gpus`). */
  readonly gpuEnergyMs: number[];
  readonly buckets: number;
  readonly savedKwh: number;
  readonly sleeps: number;
}

/** The query phase, run in its own process: opens the ledger and times the dashboard's queries. */
function measureQueries(path: string, startAt: number, endAt: number, runs: number): QueryTimes {
  const reader = new Ledger({
    path,
    clock: new VirtualClock(endAt + 5 * 60_000),
    timeZone: 'utc',
    idleWattsOf: () => 54,
  });
  try {
    const timed = <T>(f: () => T): [T, number] => {
      const t = performance.now();
      const result = f();
      return [result, performance.now() - t];
    };
    const [first, coldHistoryMs] = timed(() =>
      reader.history({ from: startAt, to: endAt, bucket: 'day' }),
    );
    const warmHistoryMs: number[] = [];
    const warmHistoryCpuMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const cpu = process.cpuUsage();
      warmHistoryMs.push(
        timed(() => reader.history({ from: startAt, to: endAt, bucket: 'day' }))[1],
      );
      const used = process.cpuUsage(cpu);
      warmHistoryCpuMs.push((used.user + used.system) / 1000);
    }
    // The same query with the day cache emptied: what the first query would cost if nothing had warmed it.
    const raw = new BetterSqlite3(path);
    raw.exec('DELETE FROM history_days; DELETE FROM history_days_done;');
    raw.close();
    const uncachedHistoryMs = timed(() =>
      reader.history({ from: startAt, to: endAt, bucket: 'day' }),
    )[1];
    const todayMs = Array.from(
      { length: runs },
      () => timed(() => reader.savedSince(endAt - DAY_MS))[1],
    );
    const sparklineMs = Array.from(
      { length: runs },
      () => timed(() => reader.powerSeries(0, startAt, endAt, 365))[1],
    );
    const usedByModel = new Map(
      reader
        .history({ from: startAt, to: endAt, bucket: 'month' })
        .models.map((m) => [m.model, m.usedJoules]),
    );
    const gpuEnergyMs = Array.from(
      { length: runs },
      () => timed(() => reader.gpuEnergyFigures(startAt, endAt, usedByModel))[1],
    );
    return {
      gpuEnergyMs,
      coldHistoryMs,
      uncachedHistoryMs,
      warmHistoryMs,
      warmHistoryCpuMs,
      todayMs,
      sparklineMs,
      buckets: first.buckets.length,
      savedKwh: first.buckets.reduce((sum, b) => sum + b.total.savedKwh, 0),
      sleeps: reader.sleepRecords(startAt, endAt).length,
    };
  } finally {
    reader.close();
  }
}

if (process.argv[2] === QUERY_FLAG) {
  const [path, startAt, endAt, runs] = process.argv.slice(3);
  process.stdout.write(
    JSON.stringify(measureQueries(String(path), Number(startAt), Number(endAt), Number(runs))),
  );
}

/** Runs the bench: `npx tsx bench/index.ts ledger [--days 365] [--runs 7] [--keep]`. */
export async function run(args: readonly string[]): Promise<void> {
  const days = option(args, 'days', 365);
  const runs = option(args, 'runs', 7);
  const dir = mkdtempSync(join(tmpdir(), 'siesta-ledger-bench-'));
  const path = join(dir, 'ledger.sqlite');
  const startAt = Date.UTC(2025, 0, 1);
  const endAt = startAt + days * DAY_MS;
  const rawFromAt = endAt - Math.min(days, RAW_DAYS) * DAY_MS;
  const wakes = planWakes(startAt, days);
  const events = eventsOf(wakes);
  const t0 = performance.now();

  try {
    // 1. Older days: a day of 1 Hz readings per GPU at a time, rolled up by the real roll-up code.
    const db = openLedgerDatabase({ path, synchronous: 'normal' });
    const store = new PowerStore(db);
    const power = new Float64Array(86_401);
    const points: { at: number; powerWatts: number }[] = Array.from({ length: 86_401 }, () => ({
      at: 0,
      powerWatts: 0,
    }));
    for (let dayAt = startAt; dayAt < rawFromAt; dayAt += DAY_MS) {
      for (const gpu of [0, 1]) {
        dayPower(gpu, dayAt, wakes, power);
        for (let i = 0; i < points.length; i++) {
          const p = points[i] as { at: number; powerWatts: number };
          p.at = dayAt + i * 1000;
          p.powerWatts = power[i] as number;
        }
        const minutes = rollUpMinutes(gpu, points, dayAt, dayAt + DAY_MS, 10_000);
        db.transaction(() => store.ingestMinutes(gpu, minutes, dayAt + DAY_MS))();
      }
    }
    db.close();
    const t1 = performance.now();

    // 2. Every event through the ledger; the last 7 days of samples through recordSamples at 1 Hz.
    const clock = new VirtualClock(startAt);
    const ledger = new Ledger({
      path,
      clock,
      synchronous: 'normal',
      timeZone: 'utc',
      idleWattsOf: () => 54,
    });
    let e = 0;
    const recordEventsUntil = async (at: number): Promise<void> => {
      for (; e < events.length && (events[e] as LifecycleEvent).at <= at; e++) {
        const event = events[e] as LifecycleEvent;
        await clock.advanceTo(event.at);
        ledger.recordEvent(event, {
          gpuIndexes: [MODELS.find((m) => m.name === event.model)?.gpu ?? 0],
        });
      }
    };
    await recordEventsUntil(rawFromAt - 1);
    const dayPowers = [new Float64Array(86_401), new Float64Array(86_401)];
    let samples = 0;
    for (let dayAt = rawFromAt; dayAt < endAt; dayAt += DAY_MS) {
      dayPower(0, dayAt, wakes, dayPowers[0] as Float64Array);
      dayPower(1, dayAt, wakes, dayPowers[1] as Float64Array);
      // A minute of ticks at a time, then the clock moves through the minute (events at their times, then
      // the 1 s flush timer): the same write path, without 600,000 virtual-clock steps.
      for (let minute = 0; minute < 1440; minute++) {
        const minuteAt = dayAt + minute * 60_000;
        for (let s = 0; s < 60; s++) {
          const at = minuteAt + s * 1000;
          const i = minute * 60 + s;
          ledger.recordSamples([
            sampleOf(0, at, (dayPowers[0] as Float64Array)[i] as number),
            sampleOf(1, at, (dayPowers[1] as Float64Array)[i] as number),
          ]);
          samples += 2;
        }
        await recordEventsUntil(minuteAt + 59_999);
        await clock.advanceTo(minuteAt + 60_000);
      }
    }
    await recordEventsUntil(endAt);
    await clock.advanceTo(endAt + 5 * 60_000);
    ledger.close();
    const t2 = performance.now();
    const sizeBytes = fileBytes(path);

    // 3. The queries in a fresh process, as the dashboard's server would run them on a ledger it just opened.
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        __filename,
        QUERY_FLAG,
        path,
        String(startAt),
        String(endAt),
        String(runs),
      ],
      {
        encoding: 'utf8',
      },
    );
    if (child.status !== 0)
      throw new Error(`ledger bench: the query process failed: ${child.stderr}`);
    const q = JSON.parse(child.stdout) as QueryTimes;

    const queryMs = median(q.warmHistoryMs) ?? NaN;
    console.log(
      `${days} days, 2 GPUs: ${events.length} events (${wakes.length} wakes, ${q.sleeps} sleeps), ${samples.toLocaleString('en')} raw samples for the last ${Math.min(days, RAW_DAYS)} days`,
    );
    console.log(
      `generation: roll-ups ${((t1 - t0) / 1000).toFixed(1)} s, events + raw ${((t2 - t1) / 1000).toFixed(1)} s; saved ${q.savedKwh.toFixed(1)} kWh over ${q.buckets} daily buckets\n`,
    );
    console.log('| metric | measured | target | measured / target |');
    console.log('| --- | --- | --- | --- |');
    console.log(
      `| size on disk after roll-up (${days} days) | ${mb(sizeBytes)} MB | < ${mb(SIZE_TARGET_BYTES)} MB a year | ${(sizeBytes / SIZE_TARGET_BYTES).toFixed(2)} |`,
    );
    console.log(
      `| ${days}-day daily history query, median of ${runs} | ${queryMs.toFixed(1)} ms | < ${QUERY_TARGET_MS} ms | ${(queryMs / QUERY_TARGET_MS).toFixed(2)} |`,
    );
    const fastestMs = Math.min(...q.warmHistoryMs);
    console.log(
      `| the same, fastest of ${runs} (least disturbed by other load) | ${fastestMs.toFixed(1)} ms | < ${QUERY_TARGET_MS} ms | ${(fastestMs / QUERY_TARGET_MS).toFixed(2)} |`,
    );
    const cpuMs = median(q.warmHistoryCpuMs) ?? NaN;
    console.log(
      `| the same, CPU time (median of ${runs}) | ${cpuMs.toFixed(1)} ms | < ${QUERY_TARGET_MS} ms | ${(cpuMs / QUERY_TARGET_MS).toFixed(2)} |`,
    );
    console.log(
      `| the same, first query after reopening the file | ${q.coldHistoryMs.toFixed(1)} ms | < ${QUERY_TARGET_MS} ms | ${(q.coldHistoryMs / QUERY_TARGET_MS).toFixed(2)} |`,
    );
    console.log(
      `| the same with the day cache emptied (sums the whole year, refills the cache) | ${q.uncachedHistoryMs.toFixed(1)} ms | — | ${(q.uncachedHistoryMs / QUERY_TARGET_MS).toFixed(2)} |`,
    );
    console.log(
      `| "saved today" (savedSince), median of ${runs} | ${(median(q.todayMs) ?? NaN).toFixed(1)} ms | — | — |`,
    );
    console.log(
      `| ${days}-day power sparkline (365 points), median of ${runs} | ${(median(q.sparklineMs) ?? NaN).toFixed(1)} ms | — | — |`,
    );
    console.log(
      `| ${days}-day GPU energy split (measured = models + baseline, the API's \`gpus\`), median of ${runs} | ${(median(q.gpuEnergyMs) ?? NaN).toFixed(1)} ms | — | — |`,
    );
    console.log(
      `\nhistory query runs (ms): ${q.warmHistoryMs.map((t) => t.toFixed(1)).join(', ')}; machine load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`,
    );
    console.log(
      'Settled days are summed into a day cache in the background (14 days per flush) while the ledger runs, so a history query reads one row per day and model; only a query over days not cached yet sums their sleeps and wakes.',
    );
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${path}`);
  }
}
