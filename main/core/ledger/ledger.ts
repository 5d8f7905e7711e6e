// The energy ledger: keeps GPU power and lifecycle events in SQLite and answers, honestly, what sleeping saved.
// How to wire and read it: main/core/ledger/README.md ("Using the Ledger").
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock/clock';
import type { GpuSample } from '../gpu/gpu-sample';
import type { LifecycleEvent } from '../lifecycle/model-state';
import type { BucketTimeZone } from './buckets';
import { bucketStartAt } from './buckets';
import type { SleepRecord, StoredEvent, WakeRecord } from './event-store';
import { EventStore } from './event-store';
import type { GpuEnergyFigures } from './gpu-energy';
import { GpuEnergy } from './gpu-energy';
import { GpuPowerFits } from './gpu-power-fits';
import { HistoryDays, calendarKey } from './history-days';
import { HistoryQueries } from './history-query';
import { HistorySums } from './history-sums';
import { LearnedCostCache } from './learned-costs';
import { dailyToCsv, eventsToCsv } from './ledger-csv';
import type { StoredDozeMeasure } from './doze-measure-store';
import { DozeMeasureStore } from './doze-measure-store';
import type { DozeMeterReading } from './doze-credit';
import { LedgerError, ledgerErrorFrom } from './ledger-error';
import { openOrFallBack } from './ledger-open';
import type {
  EventHint,
  HistoryQuery,
  HistoryResult,
  LearnedEnergy,
  LedgerHealth,
  LedgerOptions,
  ModelInfo,
  ModelStats,
  ObservedModel,
  RetentionSettings,
  SavedTotals,
} from './ledger-types';
import { DEFAULT_RETENTION } from './ledger-types';
import { MeasurementResolver } from './measurement-resolver';
import type { MeasurementSettings } from './measure';
import { DEFAULT_MEASUREMENT, sleepWindowEndAt } from './measure';
import { SCHEMA_VERSION } from './migrations';
import { ModelFacts } from './model-facts';
import { ModelStatsReader } from './model-stats-reader';
import { PowerSamples } from './power-samples';
import type { PowerSeries } from './power-store';
import { PowerStore } from './power-store';
import { RequestLog } from './request-log';
import { residencyAfter, residencyOfState } from './residency';
import type { StoredServerModel } from './server-model-store';
import { ServerModelStore } from './server-model-store';
import type { Pricing } from './savings';
import { NO_PRICING, fittedCredit, withUncertainty } from './savings';
import { WriteQueue } from './write-queue';

// The public shapes live in their own file; importers keep reading them from here.
export * from './ledger-types';

/**
 * The energy ledger: a facade over its parts (the write queue, the power samples, the model facts, the learned
 * costs, the measurement resolver and the history queries). Open it with `new Ledger(options)`; it throws a
 * LedgerError naming the path when it cannot.
 */
export class Ledger {
  private readonly db: Database;
  private readonly store: EventStore;
  private readonly samples: PowerSamples;
  private readonly facts: ModelFacts;
  private readonly learned: LearnedCostCache;
  /** Each model's last measured VRAM: a model with none holds no CUDA context, so pays no context step. */
  private readonly vramBytesOf = new Map<string, number>();
  /** What the doze meter read of each model's last doze (issue 15): a doze the fit cannot tell is credited it. */
  private readonly dozeMeterReadings = new Map<string, DozeMeterReading>();
  /** Each GPU's power fit, fed every sample (not persisted: relearned after a restart). */
  private readonly fits = new GpuPowerFits((model) => (this.vramBytesOf.get(model) ?? 1) > 0);
  private readonly queries: HistoryQueries;
  private readonly gpuEnergy: GpuEnergy;
  private readonly stats: ModelStatsReader;
  private readonly writes: WriteQueue;
  private readonly clock: Clock;
  private readonly path: string;
  private readonly measurement: MeasurementSettings;
  private readonly timeZone: BucketTimeZone;
  private pricing: Pricing;
  private closed = false;
  /** Forwarded requests with their tokens and energy (issue 16). */
  readonly requests: RequestLog;
  /** Why the file could not be opened, while the ledger runs in memory; null when it is on disk. */
  private readonly notPersistent: LedgerError | null = null;

  constructor(private readonly options: LedgerOptions) {
    this.clock = options.clock;
    this.path = options.path;
    const retention: RetentionSettings = { ...DEFAULT_RETENTION, ...options.retention };
    this.measurement = { ...DEFAULT_MEASUREMENT, ...options.measurement };
    this.timeZone = options.timeZone ?? 'local';
    const flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.pricing = { ...NO_PRICING, ...options.pricing };
    if (!(retention.rawRetentionDays > 0))
      throw new RangeError(
        `Ledger: retention.rawRetentionDays must be above 0, got ${retention.rawRetentionDays}`,
      );
    if (!(flushIntervalMs > 0))
      throw new RangeError(`Ledger: flushIntervalMs must be above 0, got ${flushIntervalMs}`);

    const opened = openOrFallBack(options);
    this.db = opened.db;
    this.notPersistent = opened.notPersistent;
    try {
      this.store = new EventStore(this.db);
      this.samples = new PowerSamples(
        new PowerStore(this.db),
        retention,
        this.measurement.maxGapMs,
      );
      this.facts = new ModelFacts(options, this.samples);
      const sums = new HistorySums(this.db);
      this.gpuEnergy = new GpuEnergy(this.db, this.measurement.maxGapMs);
      const days = new HistoryDays(this.db, sums, calendarKey(this.timeZone));
      this.queries = new HistoryQueries({
        clock: this.clock,
        store: this.store,
        sums,
        days,
        timeZone: this.timeZone,
        pricing: () => this.pricing,
        fallbacks: () => this.learned.fallbacks(this.facts.known, (m) => this.facts.idleWattsOf(m)),
      });
      this.learned = new LearnedCostCache(this.store, () => this.queries.forgetAll());
      this.stats = new ModelStatsReader(this.store, this.learned, this.facts, this.queries);
      for (const model of this.store.models()) this.facts.known.add(model);
      for (const last of this.store.lastEvents()) {
        const residency = residencyAfter(last.event);
        if (residency) this.facts.residency.set(last.model, residency, last.gpuIndexes);
      }
      this.learned.refresh();
      this.fits.noteResidency(this.clock.now(), this.facts.residency.snapshot());
    } catch (error: unknown) {
      this.db.close();
      throw ledgerErrorFrom(error, this.path, 'read');
    }
    const resolver = new MeasurementResolver(
      this.store,
      this.samples,
      this.learned,
      (m) => this.facts.idleWattsOf(m),
      this.measurement,
      this.fits,
      (model) => this.dozeMeterReadings.get(model) ?? null,
    );
    this.writes = new WriteQueue({
      db: this.db,
      clock: this.clock,
      path: this.path,
      onError: options.onError,
      flushIntervalMs,
      maxBatchRows: options.maxBatchRows ?? 600,
      maxBufferedSamples: options.maxBufferedSamples ?? 100_000,
      commit: (rows, now) => {
        this.samples.insert(rows, now);
        return resolver.resolve(now);
      },
      onRolledBack: () => this.learned.safeRefresh(),
      afterTimedFlush: () => {
        if (this.closed || this.writes.failing) return;
        if (this.queries.warmDayCache()) this.writes.schedule(this.clock.now() + flushIntervalMs);
      },
    });
    const { db, writes, clock, timeZone } = this;
    const { rawRetentionDays } = retention;
    this.requests = new RequestLog({
      db,
      writes,
      clock,
      timeZone,
      rawRetentionDays,
      assertOpen: () => this.assertOpen(),
    });
    // Measurements left pending by the last run are resolved (or given up) on the first flush.
    this.writes.schedule(this.clock.now());
    if (this.notPersistent) this.writes.report(this.notPersistent);
  }

  // ---- recording ----

  /**
   * Buffers one tick of GPU samples; they are committed within `flushIntervalMs` (or at
   * `maxBatchRows`). Without `onError`, a failed background flush is thrown from the next call.
   */
  recordSamples(samples: readonly GpuSample[]): void {
    this.assertOpen();
    for (const s of samples) this.fits.addSample(s.index, s.at, s.powerWatts, s.utilizationPercent);
    this.writes.addSamples(
      samples.map((s) => ({
        gpuIndex: s.index,
        at: s.at,
        powerWatts: s.powerWatts,
        utilizationPercent: s.utilizationPercent,
        vramUsedBytes: s.vramUsedBytes,
        energyJoules: s.energyJoules,
      })),
    );
  }

  /**
   * Commits a lifecycle event now (with the sleeps and wakes it opens or closes). Without
   * `onError`, a failed write throws a LedgerError; with it, the event is queued and retried.
   */
  recordEvent(event: LifecycleEvent, hint?: EventHint): void {
    this.assertOpen();
    const facts = this.facts.factsOf(event, hint);
    this.facts.known.add(event.model);
    const residency = residencyAfter(event);
    if (residency) {
      this.facts.residency.set(event.model, residency, facts.gpuIndexes);
      this.fits.noteResidency(event.at, this.facts.residency.snapshot());
    }
    // A late event (before today) reaches into days whose sums may be cached.
    const touchedFromAt = event.kind === 'ready' ? event.at - Math.max(0, event.wakeMs) : event.at;
    const late = touchedFromAt < bucketStartAt(this.clock.now(), 'day', this.timeZone);
    this.writes.write(() => {
      this.store.writeEvent(event, facts, (sleep) => {
        // The context step is paid again: the sleep keeps only what its model adds beside those now resident.
        const fitted = this.fits.marginalEstimateAt(
          sleep.model,
          this.samples.gpusToRead(sleep.gpuIndexes),
          event.at,
        );
        if (fitted !== null) return fittedCredit(fitted);
        const learned = this.learned.takeoverCredit(sleep);
        if (learned.source !== 'none') return learned;
        // Not yet identifiable: its cost alone bounds it (refitted once later samples tell it, see the resolver).
        const alone = this.fits.aloneWatts(sleep.model, this.samples.gpusToRead(sleep.gpuIndexes));
        return alone === null
          ? learned
          : withUncertainty({ value: Math.max(0, alone), source: 'unidentified' });
      });
      if (late) this.queries.forgetFrom(touchedFromAt);
    }, 'save an event to');
    if (event.kind === 'sleep')
      this.writes.schedule(
        sleepWindowEndAt(event.at, this.measurement) + this.measurement.giveUpAfterMs,
      );
    if (event.kind === 'ready' || event.kind === 'failed')
      this.writes.schedule(event.at + this.measurement.maxGapMs + this.measurement.giveUpAfterMs);
  }

  /** Stores a model's VRAM as GPU attribution measured it. */
  recordVram(model: string, vramBytes: number): void {
    this.assertOpen();
    const at = this.clock.now();
    this.vramBytesOf.set(model, vramBytes);
    this.writes.write(() => this.store.recordVram(model, vramBytes, at), 'save VRAM to');
  }

  /** Tells the ledger a model's spec facts: declared idle watts (for estimates) and GPUs. */
  setModelInfo(model: string, info: ModelInfo): void {
    this.facts.setInfo(model, info);
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
    const { residency, known } = this.facts;
    const listed = new Set(models.map((m) => m.name));
    for (const name of known) {
      if (listed.has(name)) continue;
      this.writes.write(() => this.store.endOpenSleep(name, at), 'save to');
      if (residency.of(name) !== 'down')
        this.writes.write(() => this.store.abandonOpenWake(name, at), 'save to');
      residency.set(name, 'down', null);
    }
    for (const m of models) {
      const was = residency.of(m.name);
      // Found running while the ledger had it dozed: still being asked whether it dozes; observed again once settled.
      if (m.state === 'waking' && was === 'dozed') continue;
      const seen = residencyOfState(m.state);
      const gpus = this.facts.gpusOf(m.name, { gpuIndexes: m.gpuIndexes });
      const up = (r: string): boolean => r === 'waking' || r === 'ready';
      if (up(seen) && !up(was))
        this.writes.write(() => this.store.endOpenSleep(m.name, at), 'save to');
      if (!up(seen) && up(was))
        this.writes.write(() => this.store.abandonOpenWake(m.name, at), 'save to');
      residency.set(m.name, seen, gpus);
    }
    this.fits.noteResidency(at, residency.snapshot());
  }

  /** Replaces the price per kWh, currency and grid intensity. */
  setPricing(pricing: Partial<Pricing>): void {
    this.pricing = { ...NO_PRICING, ...pricing };
  }

  /** Commits buffered samples and queued writes now. Without `onError` a failure throws. */
  flush(): void {
    this.assertOpen();
    this.requests.flush();
    this.writes.flush();
  }

  /** Commits what is buffered, checkpoints the WAL and closes the file. */
  close(): void {
    if (this.closed) return;
    this.requests.flush();
    const lost = this.writes.stop();
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A checkpoint that cannot run now runs on the next open; nothing is lost.
    }
    this.db.close();
    this.closed = true;
    if (lost) {
      if (this.options.onError) this.options.onError(lost);
      else throw lost;
    }
  }

  /** The ledger's file, schema and write health. */
  health(): LedgerHealth {
    const failing = this.writes.failing;
    return {
      path: this.path,
      schemaVersion: SCHEMA_VERSION,
      ok: failing === null && this.notPersistent === null,
      lastError: failing ?? this.notPersistent,
      bufferedSamples: this.writes.bufferedSamples,
      queuedWrites: this.writes.queuedWrites,
      persistent: this.notPersistent === null,
    };
  }

  // ---- queries ----

  /** Saved energy, money, CO2, wakes, wake times and hours awake and asleep per bucket and model. */
  history(query: HistoryQuery): HistoryResult {
    this.assertOpen();
    return this.queries.history(query);
  }

  /** Each GPU's measured energy over [from, to), split into its models' `usedByModel` and its own baseline. */
  gpuEnergyFigures(
    from: number,
    to: number,
    usedByModel: ReadonlyMap<string, number>,
  ): GpuEnergyFigures[] {
    this.assertOpen();
    return this.gpuEnergy.figures(from, to, usedByModel, this.pricing);
  }

  /** Totals from `at` to now, e.g. "energy saved today" with `at` = local midnight. */
  savedSince(at: number): SavedTotals {
    this.assertOpen();
    return this.queries.savedSince(at);
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
    this.writes.write(
      () => new ServerModelStore(this.db).replace(server, models, at),
      'save the models of an Ollama server to',
    );
  }

  /** Each model's last doze measure (issue 15), for the doze meter after a restart. */
  dozeMeasures(): ReadonlyMap<string, StoredDozeMeasure> {
    this.assertOpen();
    return new DozeMeasureStore(this.db).all();
  }

  /** Keeps a model's last doze measure. */
  recordDozeMeasure(model: string, measure: StoredDozeMeasure): void {
    this.assertOpen();
    if (measure.measured && measure.freedWatts !== null)
      this.dozeMeterReadings.set(model, { at: measure.at, freedWatts: measure.freedWatts });
    const save = (): void => new DozeMeasureStore(this.db).replace(model, measure);
    this.writes.write(save, 'save a doze measure to');
  }

  /** The median of the model's recent wake times (ms), or null before its first: for the waiting page's estimate. */
  wakeEstimateMs(model: string): number | null {
    this.assertOpen();
    return this.stats.wakeEstimateMs(model);
  }

  /** The figures the keep-alive policies read once per idle period (see `ModelStatsReader.learnedEnergy`). */
  learnedEnergy(model: string): LearnedEnergy {
    this.assertOpen();
    return this.stats.learnedEnergy(model);
  }

  /** What the ledger has learned of a model, and what its sleeping saved so far (sums its whole history: not per poll). */
  modelStats(model: string): ModelStats {
    this.assertOpen();
    return this.stats.modelStats(model);
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
    return this.samples.series(gpuIndex, from, to, maxPoints, this.clock.now());
  }

  /** Lifecycle events in [from, to) as CSV with a header row. */
  eventsCsv(from: number, to: number): string {
    return eventsToCsv(this.events(from, to));
  }

  /** Daily figures per model in [from, to) as CSV with a header row. */
  dailyCsv(from: number, to: number): string {
    const days = this.history({ from, to, bucket: 'day' }).buckets;
    return dailyToCsv(days, this.timeZone, this.requests.days(from, to));
  }

  private assertOpen(): void {
    if (this.closed)
      throw new LedgerError('closed', `The energy ledger ${this.path} is closed.`, this.path);
  }
}
