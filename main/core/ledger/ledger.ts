// The energy ledger: keeps GPU power and lifecycle events in SQLite and answers, honestly, what sleeping saved.
// Events are committed at once; power samples are batched (flushed every `flushIntervalMs`, default 1 s).
//
// How the composition root wires it (main/core/siesta.ts does exactly this):
//
//   const ledger = new Ledger({
//     path: ledgerPathIn(dataDir),            // <dataDir>/ledger.sqlite; the folder is made when missing
//     clock,
//     nativeBinding,                          // Electron only: its better_sqlite3.node (README.md); Node: omit
//     onError: (e) => log(e.message),         // write/open trouble is reported here, never thrown (see below)
//     gpuIndexesOf: (m) => lifecycle.get(m)?.gpuIndexes ?? null,   // which GPUs a model's container uses
//     idleWattsOf: (m) => lifecycle.get(m)?.spec.idleWatts ?? null, // `siesta.idle-watts`, for estimates only
//     inFlightOf: (m) => lifecycle.get(m)?.inFlight ?? 0,           // for "the GPU was otherwise idle"
//   });
//   ledger.setPricing({ pricePerKwh, currency, gridCo2GramsPerKwh }); // from the settings, again on change
//   lifecycle.onEvent((e) => ledger.recordEvent(e, { gpuIndexes: lifecycle.get(e.model)?.gpuIndexes ?? [] }));
//   await lifecycle.start();
//   ledger.observeModels(lifecycle.list().map((s) => ({ name: s.spec.name, state: s.state, gpuIndexes: s.gpuIndexes })));
//   probe.start((samples) => ledger.recordSamples(samples));      // every tick, every GPU
//   vramAttribution -> ledger.recordVram(model, vramBytes);
//   ... on shutdown: ledger.close();
//
// Which GPU: the event's `gpuIndexes` hint, else `setModelInfo`, else `gpuIndexesOf`, else the only GPU the
// samples show, else "all GPUs". Which models are resident: the ledger follows every LifecycleEvent
// (wake-requested -> waking, ready -> resident, sleep/failed -> down), so the caller sends all of them, and
// calls `observeModels` after `lifecycle.start()` and each config reload, because the lifecycle adopts
// already-running containers without events. Whether a sleep was the last resident on its GPU is then the
// ledger's own finding, recorded with the sleep.
//
// Reading: `modelStats(model)` (dP with count and source measured/spec/none, dP last-resident vs shared,
// E_wake, wake p50/p95, VRAM, saved so far and whether estimated), `history({from, to, bucket, model?})`
// (hour/day/week/month; main/core/api/history-from-ledger.ts), `savedSince(at)`, `sleepRecords` and
// `wakeRecords` (the audit trail), `events`, `powerSeries`, `eventsCsv` and `dailyCsv`, `health()`.
//
// Errors: opening throws a LedgerError naming the file and what to do. With `onError`, a folder that is
// read-only, full, a file or locked gives an in-memory ledger for this run instead (reported, and
// `health().persistent` false), and a write that fails later keeps its rows in memory and retries them.
import type { Database } from 'better-sqlite3';
import type { Clock, TimerHandle } from '../clock/clock';
import type { GpuSample } from '../gpu/gpu-sample';
import type { LifecycleEvent, ModelState } from '../lifecycle/model-state';
import type { BucketRange, BucketSize, BucketTimeZone } from './buckets';
import { bucketRanges, bucketStartAt, nextBucketStartAt } from './buckets';
import type { EventFacts, SleepRecord, StoredEvent, WakeRecord } from './event-store';
import { EventStore } from './event-store';
import type { HistoryBucket, HistoryFigures, HistoryModelRow } from './history';
import { addSums, assembleHistory, assembleTotals } from './history';
import { HistoryDays, calendarKey } from './history-days';
import type { CreditFallback, ModelSums, SpanSums } from './history-sums';
import { HistorySums } from './history-sums';
import { dailyToCsv, eventsToCsv } from './ledger-csv';
import { openLedgerDatabase } from './ledger-database';
import type { LedgerErrorCode } from './ledger-error';
import { LedgerError, ledgerErrorFrom } from './ledger-error';
import type { MeasurementSettings, Reading } from './measure';
import { DEFAULT_MEASUREMENT, measureSleep, measureWake, sleepWindowEndAt } from './measure';
import { SCHEMA_VERSION } from './migrations';
import type { StoredServerModel } from './server-model-store';
import { ServerModelStore } from './server-model-store';
import { percentile } from './power-math';
import type { PowerSeries, SampleRow } from './power-store';
import { PowerStore } from './power-store';
import type { GpuSet } from './residency';
import { ResidencyMap, gpusOverlap, residencyAfter, residencyOfState } from './residency';
import { MINUTE_MS } from './rollup';
import type { Average, Credit, LearnedCosts, Pricing } from './savings';
import {
  NOTHING_LEARNED,
  NO_AVERAGE,
  NO_PRICING,
  averageOf,
  creditAfterTakeover,
  creditSleep,
  creditWake,
} from './savings';

const DAY_MS = 86_400_000;
/** Settled days summed into the day cache per flush in the background (about 1-2 ms a day). */
const WARM_DAYS_PER_FLUSH = 14;
/** Wake-time percentiles are taken over a model's most recent wakes. */
const RECENT_WAKES = 500;

/** How long the ledger keeps what. */
export interface RetentionSettings {
  /** Days of raw samples kept (default 7); older ones live on as minute and hour roll-ups. */
  readonly rawRetentionDays: number;
  /** Days of minute roll-ups kept; null (default) keeps them for good. Hour roll-ups are always kept. */
  readonly minuteRetentionDays: number | null;
}

/** The defaults: a week of raw samples, minute and hour roll-ups for good. */
export const DEFAULT_RETENTION: RetentionSettings = {
  rawRetentionDays: 7,
  minuteRetentionDays: null,
};

/** What the ledger needs. */
export interface LedgerOptions {
  /** The SQLite file, normally `ledgerPathIn(dataDir)`; its folder is created when missing. */
  readonly path: string;
  readonly clock: Clock;
  readonly retention?: Partial<RetentionSettings>;
  /** better-sqlite3's `nativeBinding`: the Electron app passes its Electron-ABI build (see README.md); null or absent uses the default build. */
  readonly nativeBinding?: string | null;
  /** `full` (default): every commit survives power loss. `normal`: survives a crash of Siesta only. */
  readonly synchronous?: 'full' | 'normal';
  /** Price per kWh, currency and grid intensity; money and CO2 are null until set. */
  readonly pricing?: Partial<Pricing>;
  /**
   * When given, write failures (read-only or full disk...) are reported here and the rows are kept
   * in memory and retried with backoff; no record method throws them. Without it they throw.
   * With it, a file that cannot be opened at all (folder read-only, full, a file in the way, locked
   * by another process) is reported here too and the ledger runs in memory for this run instead of
   * throwing, so the gateway keeps serving; `health().persistent` is then false.
   */
  readonly onError?: (error: LedgerError) => void;
  /** The GPUs a model runs on (from its container's device requests); empty or undefined when unknown. */
  readonly gpuIndexesOf?: (model: string) => readonly number[] | null | undefined;
  /** A model's declared idle watts (`siesta.idle-watts`), used only where no GPU reading exists. */
  readonly idleWattsOf?: (model: string) => number | null | undefined;
  /** Requests open on a model now, for "otherwise idle". */
  readonly inFlightOf?: (model: string) => number;
  /** How often buffered samples are committed (default 1000 ms): a crash loses at most this much power data, never an event. */
  readonly flushIntervalMs?: number;
  /** A buffer this big is committed at once (default 600 rows). */
  readonly maxBatchRows?: number;
  /** While writes fail, at most this many samples wait in memory (default 100,000); older ones are dropped and reported. */
  readonly maxBufferedSamples?: number;
  readonly measurement?: Partial<MeasurementSettings>;
  /** The calendar of history buckets and daily CSV rows (default `local`). */
  readonly timeZone?: BucketTimeZone;
}

/** Extra facts sent with an event. */
export interface EventHint {
  /** The GPUs the model runs on, when the caller knows. */
  readonly gpuIndexes?: readonly number[];
}

/** What the composition root knows of a model from its spec. */
export interface ModelInfo {
  readonly idleWatts?: number | null;
  readonly gpuIndexes?: readonly number[];
}

/** A model's state as the lifecycle reports it (at start, so the ledger knows who is resident). */
export interface ObservedModel {
  readonly name: string;
  readonly state: ModelState;
  readonly gpuIndexes: readonly number[];
}

/** A history query: [from, to) in calendar buckets, for one model or all. */
export interface HistoryQuery {
  readonly from: number;
  readonly to: number;
  readonly bucket: BucketSize;
  readonly model?: string;
}

/** The history view's answer. Bucket bounds are clipped to [from, to). */
export interface HistoryResult {
  readonly from: number;
  readonly to: number;
  readonly bucket: BucketSize;
  readonly timeZone: BucketTimeZone;
  readonly buckets: readonly HistoryBucket[];
  /** The whole range; its wake percentiles are over every wake in it. */
  readonly total: HistoryFigures;
  /** Each model over the whole range. */
  readonly models: readonly HistoryModelRow[];
}

/** Totals since a time (e.g. "energy saved today"), with each model's share. */
export interface SavedTotals extends HistoryFigures {
  readonly from: number;
  readonly to: number;
  readonly byModel: readonly HistoryModelRow[];
}

/** The part of `ModelStats` the keep-alive policies need, read without the savings sums (`Ledger.learnedEnergy`). */
export type LearnedEnergy = Pick<ModelStats, 'dpWatts' | 'wakeJoules' | 'wakeJoulesCount' | 'wakeP50Ms'>;

/** What the ledger has learned of one model. */
export interface ModelStats {
  readonly model: string;
  /** Idle cost dP: mean drop over clean sleeps (GPU otherwise idle), or the spec's idleWatts, or null. */
  readonly dpWatts: number | null;
  /** Clean sleeps behind `dpWatts` (0 when it is the spec value). */
  readonly dpCount: number;
  readonly dpSource: 'measured' | 'spec' | 'none';
  /** Mean drop when it was the last model resident on its GPU (the whole context step). */
  readonly dpLastResidentWatts: number | null;
  readonly dpLastResidentCount: number;
  /** Mean drop when another model stayed resident (small). */
  readonly dpSharedWatts: number | null;
  readonly dpSharedCount: number;
  /** Mean wake energy above the asleep baseline over clean wakes. */
  readonly wakeJoules: number | null;
  readonly wakeJoulesCount: number;
  /** Wake time of the last 500 successful wakes, nearest-rank. */
  readonly wakeP50Ms: number | null;
  readonly wakeP95Ms: number | null;
  readonly wakeCount: number;
  /** Last VRAM reading from GPU attribution. */
  readonly vramBytes: number | null;
  /** Net energy saved since the first record. */
  readonly savedJoules: number;
  readonly savedIsEstimate: boolean;
}

/** How the ledger is doing, for the API. */
export interface LedgerHealth {
  readonly path: string;
  readonly schemaVersion: number;
  /** False while writes fail. */
  readonly ok: boolean;
  readonly lastError: LedgerError | null;
  /** Samples waiting in memory to be committed. */
  readonly bufferedSamples: number;
  /** Events and other writes waiting for the disk to accept them. */
  readonly queuedWrites: number;
  /** False when the file could not be opened and this run's figures live in memory only. */
  readonly persistent: boolean;
}

/** Opening failures the ledger survives (with `onError`) by running in memory for this run. */
const IN_MEMORY_FALLBACK: ReadonlySet<LedgerErrorCode> = new Set<LedgerErrorCode>([
  'not-a-folder',
  'read-only',
  'disk-full',
  'busy',
]);

type WriteOp = () => void;

interface GpuShared {
  readonly gpus: GpuSet;
  readonly average: Average;
}

/**
 * Opens the file; with `onError`, a folder that cannot hold it gives an in-memory ledger for this run
 * and the error to report (DESIGN.md: the gateway keeps serving whatever the ledger's trouble).
 */
function openOrFallBack(options: LedgerOptions): {
  db: Database;
  notPersistent: LedgerError | null;
} {
  const file = {
    path: options.path,
    nativeBinding: options.nativeBinding,
    synchronous: options.synchronous,
  };
  try {
    return { db: openLedgerDatabase(file), notPersistent: null };
  } catch (error: unknown) {
    if (!options.onError || !(error instanceof LedgerError) || !IN_MEMORY_FALLBACK.has(error.code))
      throw error;
    const db = openLedgerDatabase({ ...file, inMemory: true });
    const notPersistent = new LedgerError(
      error.code,
      `${error.message} Until then Siesta keeps this run's energy figures in memory only: they are lost when it stops. Restart Siesta once the folder is fixed.`,
      options.path,
      { cause: error },
    );
    return { db, notPersistent };
  }
}

/** The energy ledger. Open it with `new Ledger(options)`; it throws a LedgerError naming the path when it cannot. */
export class Ledger {
  private readonly db: Database;
  private readonly power: PowerStore;
  private readonly store: EventStore;
  private readonly sums: HistorySums;
  private readonly days: HistoryDays;
  private readonly knownModels = new Set<string>();
  private readonly residency = new ResidencyMap();
  private readonly clock: Clock;
  private readonly path: string;
  private readonly retention: RetentionSettings;
  private readonly measurement: MeasurementSettings;
  private readonly timeZone: BucketTimeZone;
  private readonly flushIntervalMs: number;
  private readonly maxBatchRows: number;
  private readonly maxBufferedSamples: number;
  private pricing: Pricing;
  private readonly modelInfo = new Map<string, ModelInfo>();
  private learned = new Map<string, LearnedCosts>();
  private gpuShared: GpuShared[] = [];
  private readonly latestSampleAt = new Map<number, number>();
  private buffer: SampleRow[] = [];
  private queue: WriteOp[] = [];
  private failing: LedgerError | null = null;
  private unthrown: LedgerError | null = null;
  private failures = 0;
  private retryAt = 0;
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private closed = false;
  /** Settled days before this are in the day cache (filled a few days per flush, so no query pays for a year). */
  private warmedBeforeAt = -Infinity;
  /** Why the file could not be opened, while the ledger runs in memory; null when it is on disk. */
  private readonly notPersistent: LedgerError | null = null;

  constructor(private readonly options: LedgerOptions) {
    this.clock = options.clock;
    this.path = options.path;
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.measurement = { ...DEFAULT_MEASUREMENT, ...options.measurement };
    this.timeZone = options.timeZone ?? 'local';
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxBatchRows = options.maxBatchRows ?? 600;
    this.maxBufferedSamples = options.maxBufferedSamples ?? 100_000;
    this.pricing = { ...NO_PRICING, ...options.pricing };
    if (!(this.retention.rawRetentionDays > 0))
      throw new RangeError(
        `Ledger: retention.rawRetentionDays must be above 0, got ${this.retention.rawRetentionDays}`,
      );
    if (!(this.flushIntervalMs > 0))
      throw new RangeError(`Ledger: flushIntervalMs must be above 0, got ${this.flushIntervalMs}`);

    const opened = openOrFallBack(options);
    this.db = opened.db;
    this.notPersistent = opened.notPersistent;
    try {
      this.power = new PowerStore(this.db);
      this.store = new EventStore(this.db);
      this.sums = new HistorySums(this.db);
      this.days = new HistoryDays(this.db, this.sums, calendarKey(this.timeZone));
      for (const model of this.store.models()) this.knownModels.add(model);
      for (const gpu of this.power.knownGpus())
        this.latestSampleAt.set(gpu.gpuIndex, gpu.latestAt ?? -Infinity);
      for (const last of this.store.lastEvents()) {
        const residency = residencyAfter(last.event);
        if (residency) this.residency.set(last.model, residency, last.gpuIndexes);
      }
      this.refreshLearned();
    } catch (error: unknown) {
      this.db.close();
      throw ledgerErrorFrom(error, this.path, 'read');
    }
    // Measurements left pending by the last run are resolved (or given up) on the first flush.
    this.schedule(this.clock.now());
    if (this.notPersistent) this.report(this.notPersistent);
  }

  // ---- recording ----

  /**
   * Buffers one tick of GPU samples; they are committed within `flushIntervalMs` (or at
   * `maxBatchRows`). Without `onError`, a failed background flush is thrown from the next call.
   */
  recordSamples(samples: readonly GpuSample[]): void {
    this.assertOpen();
    for (const s of samples) {
      this.buffer.push({
        gpuIndex: s.index,
        at: s.at,
        powerWatts: s.powerWatts,
        utilizationPercent: s.utilizationPercent,
        vramUsedBytes: s.vramUsedBytes,
      });
    }
    if (this.buffer.length > this.maxBufferedSamples) {
      const dropped = this.buffer.length - this.maxBufferedSamples;
      this.buffer = this.buffer.slice(dropped);
      this.report(
        new LedgerError(
          'samples-dropped',
          `The energy ledger ${this.path} could not be written for a while: dropped the ${dropped} oldest unsaved power samples (events are kept). ${this.failing?.message ?? ''}`.trim(),
          this.path,
        ),
      );
    }
    const now = this.clock.now();
    if (this.buffer.length >= this.maxBatchRows && now >= this.retryAt) this.writeAll();
    else this.schedule(Math.max(now + this.flushIntervalMs, this.retryAt));
    // Without onError, a failed background flush surfaces here; the samples stay buffered for the retry.
    this.throwUnthrown();
  }

  /**
   * Commits a lifecycle event now (with the sleeps and wakes it opens or closes). Without
   * `onError`, a failed write throws a LedgerError; with it, the event is queued and retried.
   */
  recordEvent(event: LifecycleEvent, hint?: EventHint): void {
    this.assertOpen();
    const facts = this.factsOf(event, hint);
    this.knownModels.add(event.model);
    const residency = residencyAfter(event);
    if (residency) this.residency.set(event.model, residency, facts.gpuIndexes);
    // A late event (before today) reaches into days whose sums may be cached.
    const touchedFromAt = event.kind === 'ready' ? event.at - Math.max(0, event.wakeMs) : event.at;
    const late = touchedFromAt < bucketStartAt(this.clock.now(), 'day', this.timeZone);
    this.write(() => {
      this.store.writeEvent(event, facts, (sleep) => this.takeoverCredit(sleep));
      if (late) {
        this.days.forgetFrom(touchedFromAt);
        this.cacheForgotten();
      }
    }, 'save an event to');
    if (event.kind === 'sleep')
      this.schedule(sleepWindowEndAt(event.at, this.measurement) + this.measurement.giveUpAfterMs);
    if (event.kind === 'ready' || event.kind === 'failed')
      this.schedule(event.at + this.measurement.maxGapMs + this.measurement.giveUpAfterMs);
  }

  /** Stores a model's VRAM as GPU attribution measured it. */
  recordVram(model: string, vramBytes: number): void {
    this.assertOpen();
    const at = this.clock.now();
    this.write(() => this.store.recordVram(model, vramBytes, at), 'save VRAM to');
  }

  /** Tells the ledger a model's spec facts: declared idle watts (for estimates) and GPUs. */
  setModelInfo(model: string, info: ModelInfo): void {
    this.modelInfo.set(model, { ...this.modelInfo.get(model), ...info });
  }

  /**
   * Aligns who is resident with the lifecycle's view: pass every model it manages (at start,
   * after it has looked at the containers, and after a config reload). A model found up while the
   * ledger had it asleep ends its sleep now; one found down while the ledger had it waking ends
   * that wake as failed; a model no longer managed stops counting its sleep.
   */
  observeModels(models: readonly ObservedModel[]): void {
    this.assertOpen();
    const at = this.clock.now();
    const listed = new Set(models.map((m) => m.name));
    for (const name of this.knownModels) {
      if (listed.has(name)) continue;
      this.write(() => this.store.endOpenSleep(name, at), 'save to');
      if (this.residency.of(name) !== 'down')
        this.write(() => this.store.abandonOpenWake(name, at), 'save to');
      this.residency.set(name, 'down', null);
    }
    for (const m of models) {
      const seen = residencyOfState(m.state);
      const known = this.residency.of(m.name);
      const gpus = this.gpusOf(m.name, { gpuIndexes: m.gpuIndexes });
      const up = (r: string): boolean => r === 'waking' || r === 'ready';
      if (up(seen) && !up(known)) this.write(() => this.store.endOpenSleep(m.name, at), 'save to');
      if (!up(seen) && up(known))
        this.write(() => this.store.abandonOpenWake(m.name, at), 'save to');
      this.residency.set(m.name, seen, gpus);
    }
  }

  /** Replaces the price per kWh, currency and grid intensity. */
  setPricing(pricing: Partial<Pricing>): void {
    this.pricing = { ...NO_PRICING, ...pricing };
  }

  /** Commits buffered samples and queued writes now. Without `onError` a failure throws. */
  flush(): void {
    this.assertOpen();
    this.writeAll();
    this.throwUnthrown();
  }

  /** Commits what is buffered, checkpoints the WAL and closes the file. */
  close(): void {
    if (this.closed) return;
    this.writeAll();
    const lost = this.failing
      ? { samples: this.buffer.length, writes: this.queue.length, error: this.failing }
      : null;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A checkpoint that cannot run now runs on the next open; nothing is lost.
    }
    this.db.close();
    this.closed = true;
    if (lost) {
      const error = new LedgerError(
        lost.error.code,
        `${lost.error.message} Closing anyway: ${lost.samples} power samples and ${lost.writes} events were not saved.`,
        this.path,
        { cause: lost.error },
      );
      if (this.options.onError) this.options.onError(error);
      else throw error;
    }
  }

  /** The ledger's file, schema and write health. */
  health(): LedgerHealth {
    return {
      path: this.path,
      schemaVersion: SCHEMA_VERSION,
      ok: this.failing === null && this.notPersistent === null,
      lastError: this.failing ?? this.notPersistent,
      bufferedSamples: this.buffer.length,
      queuedWrites: this.queue.length,
      persistent: this.notPersistent === null,
    };
  }

  // ---- queries ----

  /** Saved energy, money, CO2, wakes, wake times and hours awake and asleep per bucket and model. */
  history(query: HistoryQuery): HistoryResult {
    this.assertOpen();
    if (!(query.to > query.from))
      throw new RangeError(`history: "to" (${query.to}) must be after "from" (${query.from})`);
    const ranges = clip(
      bucketRanges(query.from, query.to, query.bucket, this.timeZone),
      query.from,
      query.to,
    );
    const sums = this.compute(ranges, query.model, query.bucket !== 'hour');
    return {
      from: query.from,
      to: query.to,
      bucket: query.bucket,
      timeZone: this.timeZone,
      buckets: assembleHistory(ranges, sums, this.pricing),
      ...assembleTotals(sums, this.pricing),
    };
  }

  /** Totals from `at` to now, e.g. "energy saved today" with `at` = local midnight. */
  savedSince(at: number): SavedTotals {
    this.assertOpen();
    const to = Math.max(at, this.clock.now());
    const totals = assembleTotals(
      this.compute([{ startAt: at, endAt: to }], undefined, to - at > DAY_MS),
      this.pricing,
    );
    return { ...totals.total, from: at, to, byModel: totals.models };
  }

  /** The model's measured VRAM (bytes), or null: one row read, for the VRAM scheduler's every decision. */
  learnedVramBytes(model: string): number | null {
    this.assertOpen();
    return this.store.vramBytes(model);
  }

  /** The models of each Ollama server as last learned (issue 19), so they are listed while it sleeps. */
  serverModels(): ReadonlyMap<string, readonly StoredServerModel[]> {
    this.assertOpen();
    return new ServerModelStore(this.db).all();
  }

  /** Replaces what the ledger keeps of one server's models. */
  recordServerModels(server: string, models: readonly StoredServerModel[]): void {
    this.assertOpen();
    const at = this.clock.now();
    this.write(() => new ServerModelStore(this.db).replace(server, models, at), 'save the models of an Ollama server to');
  }

  /** The median of the model's recent wake times (ms), or null before its first: for the waiting page's estimate. */
  wakeEstimateMs(model: string): number | null {
    this.assertOpen();
    return percentile(this.store.recentWakeMs(model, RECENT_WAKES), 50);
  }

  /**
   * The figures the keep-alive policies read once per idle period: dP, the mean wake energy and the median wake time,
   * as `modelStats` gives them, without summing the model's savings history.
   */
  learnedEnergy(model: string): LearnedEnergy {
    this.assertOpen();
    const { dpWatts, learned, wakeMs } = this.learnedFigures(model);
    return {
      dpWatts,
      wakeJoules: averageOf(learned.wakeJoules),
      wakeJoulesCount: learned.wakeJoules.count,
      wakeP50Ms: percentile(wakeMs, 50),
    };
  }

  /** What the ledger has learned of a model, and what its sleeping saved so far (sums its whole history: not per poll). */
  modelStats(model: string): ModelStats {
    this.assertOpen();
    const { dpWatts, clean, measured, spec, learned, wakeMs } = this.learnedFigures(model);
    const now = this.clock.now();
    const fromAt = Math.min(now, this.store.earliestRecordAt() ?? now);
    const { total } = assembleTotals(
      this.compute([{ startAt: fromAt, endAt: Math.max(fromAt + 1, now) }], model, true),
      this.pricing,
    );
    return {
      model,
      dpWatts,
      dpCount: clean.count,
      dpSource: measured !== null ? 'measured' : spec !== null ? 'spec' : 'none',
      dpLastResidentWatts: averageOf(learned.lastResidentWatts),
      dpLastResidentCount: learned.lastResidentWatts.count,
      dpSharedWatts: averageOf(learned.sharedWatts),
      dpSharedCount: learned.sharedWatts.count,
      wakeJoules: averageOf(learned.wakeJoules),
      wakeJoulesCount: learned.wakeJoules.count,
      wakeP50Ms: percentile(wakeMs, 50),
      wakeP95Ms: percentile(wakeMs, 95),
      wakeCount: wakeMs.length,
      vramBytes: this.store.vramBytes(model),
      savedJoules: total.savedJoules,
      savedIsEstimate: total.estimated,
    };
  }

  /** Every model the ledger has an event of. */
  models(): string[] {
    this.assertOpen();
    return this.store.models();
  }

  /** Each sleep overlapping [from, to) with its readings and credit (the audit trail behind the savings). */
  sleepRecords(from: number, to: number, model?: string): SleepRecord[] {
    this.assertOpen();
    return this.store
      .sleepsOverlapping(from, to)
      .filter((s) => model === undefined || s.model === model);
  }

  /** Each wake overlapping [from, to) with its energy and credit. */
  wakeRecords(from: number, to: number, model?: string): WakeRecord[] {
    this.assertOpen();
    return this.store
      .wakesOverlapping(from, to)
      .filter((w) => model === undefined || w.model === model);
  }

  /** Lifecycle events in [from, to), oldest first. */
  events(from: number, to: number): StoredEvent[] {
    this.assertOpen();
    return this.store.events(from, to);
  }

  /** A GPU's power over [from, to) in about `maxPoints` points, for a sparkline. */
  powerSeries(gpuIndex: number, from: number, to: number, maxPoints = 240): PowerSeries {
    this.assertOpen();
    const rawKeptFromAt = this.clock.now() - this.retention.rawRetentionDays * DAY_MS;
    return this.power.series(gpuIndex, from, to, maxPoints, rawKeptFromAt);
  }

  /** Lifecycle events in [from, to) as CSV with a header row. */
  eventsCsv(from: number, to: number): string {
    return eventsToCsv(this.events(from, to));
  }

  /** Daily figures per model in [from, to) as CSV with a header row. */
  dailyCsv(from: number, to: number): string {
    return dailyToCsv(this.history({ from, to, bucket: 'day' }).buckets, this.timeZone);
  }

  // ---- writing ----

  private assertOpen(): void {
    if (this.closed)
      throw new LedgerError('closed', `The energy ledger ${this.path} is closed.`, this.path);
  }

  private throwUnthrown(): void {
    const error = this.unthrown;
    if (error) {
      this.unthrown = null;
      throw error;
    }
  }

  /** Runs a write now in its own transaction, or behind earlier writes that wait for the disk. */
  private write(op: WriteOp, action: string): void {
    if (this.queue.length > 0) {
      this.queue.push(op);
      if (this.clock.now() >= this.retryAt) this.writeAll();
      return;
    }
    try {
      this.db.transaction(op).immediate();
    } catch (error: unknown) {
      const ledgerError = ledgerErrorFrom(error, this.path, action);
      if (!this.options.onError) throw ledgerError;
      this.queue.push(op);
      this.fail(ledgerError);
    }
  }

  /** Commits queued writes, then buffered samples with their roll-ups, then resolves measurements, in one transaction. */
  private writeAll(): void {
    if (this.closed) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.clock.now();
    const ops = this.queue;
    const rows = this.buffer;
    let nextDueAt = Infinity;
    try {
      this.db
        .transaction(() => {
          for (const op of ops) op();
          if (rows.length > 0) {
            this.power.insertSamples(rows);
            this.rollUp(rows, now);
          }
          nextDueAt = this.resolveMeasurements(now);
        })
        .immediate();
    } catch (error: unknown) {
      this.safeRefreshLearned();
      this.fail(ledgerErrorFrom(error, this.path, 'save to'));
      return;
    }
    this.queue = this.queue.slice(ops.length);
    this.buffer = this.buffer.slice(rows.length);
    this.failing = null;
    this.failures = 0;
    this.retryAt = 0;
    if (this.buffer.length > 0) this.schedule(now + this.flushIntervalMs);
    if (nextDueAt < Infinity) this.schedule(nextDueAt);
  }

  private fail(error: LedgerError): void {
    this.failing = error;
    this.failures += 1;
    const backoffMs = Math.min(30_000, 1000 * 2 ** Math.min(10, this.failures - 1));
    this.retryAt = this.clock.now() + backoffMs;
    this.schedule(this.retryAt);
    this.report(error);
  }

  private report(error: LedgerError): void {
    if (this.options.onError) this.options.onError(error);
    else this.unthrown = error;
  }

  /** Sets the flush timer to fire at `at` unless it already fires earlier. */
  private schedule(at: number): void {
    if (this.closed || at >= this.timerAt) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.writeAll();
      this.warmDayCache();
    }, at - this.clock.now());
  }

  /**
   * Fills the day cache for settled days not in it yet, `WARM_DAYS_PER_FLUSH` days per flush (a few ms
   * each), so the first history query of a long-running ledger reads cached days instead of summing a year.
   */
  private warmDayCache(): void {
    if (this.closed || this.failing) return;
    const now = this.clock.now();
    try {
      const settledBeforeAt = Math.min(
        bucketStartAt(now, 'day', this.timeZone),
        this.store.earliestPendingAt() ?? Infinity,
      );
      if (this.warmedBeforeAt >= settledBeforeAt) return;
      const firstAt = this.store.earliestRecordAt();
      if (firstAt === null) {
        this.warmedBeforeAt = settledBeforeAt;
        return;
      }
      const fromAt = bucketStartAt(Math.max(firstAt, this.warmedBeforeAt), 'day', this.timeZone);
      const days = bucketRanges(fromAt, settledBeforeAt, 'day', this.timeZone)
        .filter((d) => d.endAt <= settledBeforeAt)
        .slice(0, WARM_DAYS_PER_FLUSH);
      const last = days[days.length - 1];
      if (!last) {
        this.warmedBeforeAt = settledBeforeAt;
        return;
      }
      this.days.daySums(days, now, this.fallbacks());
      this.warmedBeforeAt = last.endAt;
      if (last.endAt < settledBeforeAt) this.schedule(now + this.flushIntervalMs);
    } catch {
      // Only a slower first query: the cache fills on that query instead; write trouble is reported by writeAll.
    }
  }

  /** The day cache lost days (a late event, changed credits): warm it again from the start. */
  private cacheForgotten(): void {
    this.warmedBeforeAt = -Infinity;
  }

  private rollUp(rows: readonly SampleRow[], now: number): void {
    const firstAt = new Map<number, number>();
    for (const r of rows) {
      if (!firstAt.has(r.gpuIndex)) firstAt.set(r.gpuIndex, r.at);
      if (r.at > (this.latestSampleAt.get(r.gpuIndex) ?? -Infinity))
        this.latestSampleAt.set(r.gpuIndex, r.at);
    }
    for (const [gpu, first] of firstAt) {
      this.power.startProgress(gpu, first);
      const latest = this.latestSampleAt.get(gpu) ?? first;
      const closedThroughAt = Math.floor(latest / MINUTE_MS) * MINUTE_MS;
      const before = this.power.progress(gpu)?.minutesThroughAt ?? closedThroughAt;
      if (closedThroughAt <= before) continue;
      this.power.rollUpRaw(gpu, closedThroughAt, Math.min(this.measurement.maxGapMs, MINUTE_MS));
      this.power.pruneRaw(gpu, now - this.retention.rawRetentionDays * DAY_MS);
      if (
        this.retention.minuteRetentionDays !== null &&
        Math.floor(before / 3_600_000) !== Math.floor(closedThroughAt / 3_600_000)
      ) {
        this.power.pruneMinutes(now - this.retention.minuteRetentionDays * DAY_MS);
      }
    }
  }

  // ---- measuring ----

  private factsOf(event: LifecycleEvent, hint: EventHint | undefined): EventFacts {
    const gpuIndexes = this.gpusOf(event.model, hint);
    const others = this.residency.othersOn(event.model, gpuIndexes);
    const inFlightOf = this.options.inFlightOf;
    return {
      gpuIndexes,
      wasResident: this.residency.of(event.model) !== 'down',
      others: others.map((o) => o.name),
      othersActive: others.some(
        (o) => o.residency === 'waking' || (inFlightOf ? inFlightOf(o.name) > 0 : false),
      ),
    };
  }

  /** The model's GPUs: the hint, its spec info, the resolver, the only GPU there is, or unknown (null: all GPUs). */
  private gpusOf(model: string, hint: EventHint | undefined): GpuSet {
    const candidates = [
      hint?.gpuIndexes,
      this.modelInfo.get(model)?.gpuIndexes,
      this.options.gpuIndexesOf?.(model) ?? undefined,
    ];
    for (const c of candidates) if (c && c.length > 0) return [...new Set(c)].sort((a, b) => a - b);
    if (this.latestSampleAt.size === 1) return [...this.latestSampleAt.keys()];
    return null;
  }

  private idleWattsOf(model: string): number | null {
    const info = this.modelInfo.get(model);
    if (info && info.idleWatts !== undefined && info.idleWatts !== null) return info.idleWatts;
    return this.options.idleWattsOf?.(model) ?? null;
  }

  /** dP (measured over clean sleeps, else the spec's idle-watts) and the raw figures behind it and the wake times. */
  private learnedFigures(model: string) {
    const learned = this.learnedOf(model);
    const clean: Average = {
      sum: learned.lastResidentWatts.sum + learned.sharedWatts.sum,
      count: learned.lastResidentWatts.count + learned.sharedWatts.count,
    };
    const spec = this.idleWattsOf(model);
    const measured = averageOf(clean);
    const wakeMs = this.store.recentWakeMs(model, RECENT_WAKES);
    return { dpWatts: measured ?? spec, clean, measured, spec, learned, wakeMs };
  }

  private learnedOf(model: string): LearnedCosts {
    return this.learned.get(model) ?? NOTHING_LEARNED;
  }

  private gpuSharedFor(gpus: GpuSet): Average {
    let avg = NO_AVERAGE;
    for (const row of this.gpuShared)
      if (gpusOverlap(row.gpus, gpus))
        avg = { sum: avg.sum + row.average.sum, count: avg.count + row.average.count };
    return avg;
  }

  private takeoverCredit(sleep: SleepRecord): Credit {
    return creditAfterTakeover(this.learnedOf(sleep.model), this.gpuSharedFor(sleep.gpuIndexes));
  }

  private refreshLearned(): void {
    const learned = new Map<
      string,
      { lastResidentWatts: Average; sharedWatts: Average; wakeJoules: Average }
    >();
    const gpuShared: GpuShared[] = [];
    for (const row of this.store.learned()) {
      const entry = learned.get(row.model) ?? {
        lastResidentWatts: NO_AVERAGE,
        sharedWatts: NO_AVERAGE,
        wakeJoules: NO_AVERAGE,
      };
      const add = (a: Average): Average => ({ sum: a.sum + row.sum, count: a.count + row.count });
      if (row.kind === 'last-resident') entry.lastResidentWatts = add(entry.lastResidentWatts);
      else if (row.kind === 'shared') {
        entry.sharedWatts = add(entry.sharedWatts);
        gpuShared.push({ gpus: row.gpuIndexes, average: { sum: row.sum, count: row.count } });
      } else entry.wakeJoules = add(entry.wakeJoules);
      learned.set(row.model, entry);
    }
    this.learned = learned;
    this.gpuShared = gpuShared;
  }

  /**
   * Refreshes what is learned after a clean reading. The model's first clean reading of a kind also
   * replaces its 'none' credits (nothing known then) with that value, and the cached days go.
   */
  private learnedSomething(model: string, kind: 'last-resident' | 'shared' | 'wake'): void {
    const before = this.learnedOf(model);
    const hadNone =
      (kind === 'wake'
        ? before.wakeJoules
        : kind === 'last-resident'
          ? before.lastResidentWatts
          : before.sharedWatts
      ).count === 0;
    this.refreshLearned();
    if (!hadNone) return;
    const after = this.learnedOf(model);
    const value = averageOf(
      kind === 'wake'
        ? after.wakeJoules
        : kind === 'last-resident'
          ? after.lastResidentWatts
          : after.sharedWatts,
    );
    if (value === null) return;
    const changed =
      kind === 'wake'
        ? this.store.promoteUnknownWakes(model, value)
        : this.store.promoteUnknownSleeps(model, kind === 'last-resident', value);
    if (changed > 0) {
      this.days.forgetAll();
      this.cacheForgotten();
    }
  }

  private safeRefreshLearned(): void {
    try {
      this.refreshLearned();
    } catch {
      // The database cannot be read now; the cache keeps its last state and is rebuilt on the next success.
    }
  }

  private gpusToRead(gpus: GpuSet): readonly number[] {
    return gpus ?? [...this.latestSampleAt.keys()];
  }

  private covered(gpus: readonly number[], at: number): boolean {
    return gpus.length > 0 && gpus.every((g) => (this.latestSampleAt.get(g) ?? -Infinity) >= at);
  }

  private readingsOf(
    gpus: readonly number[],
    fromAt: number,
    toAt: number,
  ): Map<number, Reading[]> {
    return new Map(gpus.map((g) => [g, this.power.readings(g, fromAt, toAt)]));
  }

  /** Another transition on the same GPUs in [fromAt, toAt], other than the events in `own`. */
  private disturbed(
    gpus: GpuSet,
    fromAt: number,
    toAt: number,
    own: (t: { id: number; at: number; model: string }) => boolean,
  ): boolean {
    return this.store
      .transitions(fromAt, toAt)
      .some((t) => !own(t) && gpusOverlap(t.gpuIndexes, gpus));
  }

  private utilizationLow(maxUtilizationPercent: number | null): boolean {
    return (
      maxUtilizationPercent === null ||
      maxUtilizationPercent <= this.measurement.idleUtilizationPercent
    );
  }

  /** Measures the sleeps and wakes whose windows the readings now cover (or gives them up); returns when to look again. */
  private resolveMeasurements(now: number): number {
    const m = this.measurement;
    let nextDueAt = Infinity;
    for (const sleep of this.store.pendingSleeps()) {
      const gpus = this.gpusToRead(sleep.gpuIndexes);
      const windowEndAt = sleepWindowEndAt(sleep.at, m);
      const giveUpAt = windowEndAt + m.giveUpAfterMs;
      if (!this.covered(gpus, windowEndAt) && now < giveUpAt) {
        nextDueAt = Math.min(nextDueAt, giveUpAt);
        continue;
      }
      const reading = measureSleep(
        this.readingsOf(gpus, sleep.at - m.beforeWindowMs, windowEndAt),
        sleep.at,
        m,
      );
      const otherwiseIdle =
        reading === null
          ? null
          : !sleep.othersActive &&
            this.utilizationLow(reading.maxUtilizationPercent) &&
            !this.disturbed(
              sleep.gpuIndexes,
              sleep.at - m.beforeWindowMs,
              windowEndAt,
              (t) => t.id === sleep.eventId,
            );
      const status = reading === null ? 'unmeasured' : 'measured';
      const credit = creditSleep(
        {
          status,
          lastResident: sleep.lastResident,
          droppedWatts: reading?.droppedWatts ?? null,
          otherwiseIdle,
        },
        this.learnedOf(sleep.model),
        this.idleWattsOf(sleep.model),
      );
      this.store.setSleepMeasurement(sleep.id, {
        status,
        wattsBefore: reading?.wattsBefore ?? null,
        wattsAfter: reading?.wattsAfter ?? null,
        droppedWatts: reading?.droppedWatts ?? null,
        maxUtilizationPercent: reading?.maxUtilizationPercent ?? null,
        otherwiseIdle,
        credit,
      });
      if (otherwiseIdle)
        this.learnedSomething(sleep.model, sleep.lastResident ? 'last-resident' : 'shared');
    }
    for (const wake of this.store.pendingWakes()) {
      if (wake.outcome === null || wake.endedAt === null) continue;
      const gpus = this.gpusToRead(wake.gpuIndexes);
      const giveUpAt = wake.endedAt + m.maxGapMs + m.giveUpAfterMs;
      if (!this.covered(gpus, wake.endedAt) && now < giveUpAt) {
        nextDueAt = Math.min(nextDueAt, giveUpAt);
        continue;
      }
      const fromAt = wake.requestedAt - m.beforeWindowMs - m.maxGapMs;
      const reading = measureWake(
        this.readingsOf(gpus, fromAt, wake.endedAt + m.maxGapMs),
        wake.requestedAt,
        wake.endedAt,
        m,
      );
      const endedAt = wake.endedAt;
      const otherwiseIdle =
        reading === null
          ? null
          : !wake.othersActive &&
            this.utilizationLow(reading.maxUtilizationPercent) &&
            !this.disturbed(
              wake.gpuIndexes,
              wake.requestedAt - m.beforeWindowMs,
              endedAt,
              (t) => t.model === wake.model && t.at >= wake.requestedAt,
            );
      const status = reading === null ? 'unmeasured' : 'measured';
      const credit = creditWake(
        { status, energyJoules: reading?.energyJoules ?? null, otherwiseIdle },
        this.learnedOf(wake.model),
      );
      this.store.setWakeMeasurement(wake.id, {
        status,
        baselineWatts: reading?.baselineWatts ?? null,
        energyJoules: reading?.energyJoules ?? null,
        maxUtilizationPercent: reading?.maxUtilizationPercent ?? null,
        otherwiseIdle,
        credit,
      });
      if (otherwiseIdle && wake.outcome === 'ready') this.learnedSomething(wake.model, 'wake');
    }
    return nextDueAt;
  }

  // ---- summing ----

  private fallbacks(): CreditFallback[] {
    return [...this.knownModels].map((name) => {
      const learned = this.learnedOf(name);
      return {
        model: name,
        lastResidentWatts: averageOf(learned.lastResidentWatts),
        sharedWatts: averageOf(learned.sharedWatts),
        wakeJoules: averageOf(learned.wakeJoules),
        idleWatts: this.idleWattsOf(name),
      };
    });
  }

  /**
   * Sums each range per model. With `byDays`, whole days before the settled horizon (today's start, or the
   * oldest measurement still pending) come from the day cache; the rest is summed now.
   */
  private compute(
    ranges: readonly BucketRange[],
    model: string | undefined,
    byDays: boolean,
  ): SpanSums {
    const now = this.clock.now();
    const fallbacks = this.fallbacks();
    if (!byDays) return this.sums.run(ranges, now, model, fallbacks);

    const settledBeforeAt = Math.min(
      bucketStartAt(now, 'day', this.timeZone),
      this.store.earliestPendingAt() ?? Infinity,
    );
    const days: { range: BucketRange; bucket: number }[] = [];
    const spans: { range: BucketRange; bucket: number }[] = [];
    ranges.forEach((r, bucket) => {
      for (let cursor = r.startAt; cursor < r.endAt;) {
        const dayStartAt = bucketStartAt(cursor, 'day', this.timeZone);
        const dayEndAt = nextBucketStartAt(dayStartAt, 'day', this.timeZone);
        if (dayStartAt === cursor && dayEndAt <= r.endAt && dayEndAt <= settledBeforeAt) {
          days.push({ range: { startAt: dayStartAt, endAt: dayEndAt }, bucket });
        } else {
          const endAt = Math.min(r.endAt, dayEndAt);
          const previous = spans[spans.length - 1];
          if (previous && previous.bucket === bucket && previous.range.endAt === cursor)
            previous.range = { startAt: previous.range.startAt, endAt };
          else spans.push({ range: { startAt: cursor, endAt }, bucket });
        }
        cursor = dayEndAt;
      }
    });

    const perBucket = ranges.map(() => new Map<string, ModelSums[]>());
    const add = (bucket: number, sums: ModelSums): void => {
      if (model !== undefined && sums.model !== model) return;
      const map = perBucket[bucket] as Map<string, ModelSums[]>;
      const list = map.get(sums.model);
      if (list) list.push(sums);
      else map.set(sums.model, [sums]);
    };
    const daySums = this.days.daySums(
      days.map((d) => d.range),
      now,
      fallbacks,
    );
    for (const d of days)
      for (const sums of daySums.get(d.range.startAt) ?? []) add(d.bucket, sums);
    const spanSums = this.sums.run(
      spans.map((s) => s.range),
      now,
      model,
      fallbacks,
    );
    spans.forEach((s, i) => {
      for (const sums of spanSums[i] ?? []) add(s.bucket, sums);
    });
    return perBucket.map((m) =>
      [...m].map(([name, list]) =>
        list.length === 1 ? (list[0] as ModelSums) : addSums(name, list),
      ),
    );
  }
}

/** Clips the first and last bucket to [fromAt, toAt). */
function clip(ranges: readonly BucketRange[], fromAt: number, toAt: number): BucketRange[] {
  return ranges.map((r) => ({
    startAt: Math.max(r.startAt, fromAt),
    endAt: Math.min(r.endAt, toAt),
  }));
}
