// The ledger's public shapes: its options, a history query and answer, what it learned of a model, its health.
import type { Clock } from '../clock/clock';
import type { ModelState } from '../lifecycle/model-state';
import type { BucketSize, BucketTimeZone } from './buckets';
import type { HistoryBucket, HistoryFigures, HistoryModelRow } from './history';
import type { LedgerError } from './ledger-error';
import type { MeasurementSettings } from './measure';
import type { Pricing } from './savings';

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
  /** Requests open on each model now (for "otherwise idle"); default `LedgerOptions.inFlightOf`. */
  readonly inFlightOf?: (model: string) => number;
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
export type LearnedEnergy = Pick<
  ModelStats,
  'dpWatts' | 'wakeJoules' | 'wakeJoulesCount' | 'wakeP50Ms'
>;

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
  /** One standard uncertainty of `savedJoules`. */
  readonly savedUncertaintyJoules: number;
  /** Energy used since the first record, awake and waking (docs/energy.md, "Energy used"), and its uncertainty. */
  readonly usedJoules: number;
  readonly usedUncertaintyJoules: number;
  /** What `usedJoules` cost at the price, in `usedCurrency`; null without a price. */
  readonly usedMoney: number | null;
  readonly usedCurrency: string | null;
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
