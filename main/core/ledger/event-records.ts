// The lifecycle tables' records as the ledger reads them (events, sleeps, wakes, their measurements) and the readers
// of their rows; event-store.ts holds the SQL that writes and selects them.
import type { LifecycleEvent } from '../lifecycle/model-state';
import type { GpuSet } from './residency';
import { parseGpuSet } from './residency';
import type { Credit, CreditSource, MeasureStatus } from './savings';

/** A lifecycle event as stored. */
export interface StoredEvent {
  readonly id: number;
  readonly at: number;
  readonly model: string;
  readonly kind: LifecycleEvent['kind'];
  readonly gpuIndexes: GpuSet;
  readonly event: LifecycleEvent;
}

/** What the ledger knew when an event happened (taken at that moment, so a retried write records the same). */
export interface EventFacts {
  readonly gpuIndexes: GpuSet;
  /** Whether the model held (or may have held) a context before this event. */
  readonly wasResident: boolean;
  /** Other models waking or ready on the same GPU(s). */
  readonly others: readonly string[];
  /** Whether one of them was waking or had a request in flight. */
  readonly othersActive: boolean;
}

/**
 * What a sleep row stands for: a stop from awake, a doze (the server's own sleep, its process kept), or the stop of a
 * dozed model (it drops only what the doze kept; the doze's row goes on saving beside it).
 */
export type SleepLevel = 'stop' | 'doze' | 'stop-after-doze';

/** One sleep: its readings, the watts credited to it and when saving ended. */
export interface SleepRecord {
  readonly id: number;
  /** The `sleep` event's id. */
  readonly eventId: number;
  readonly model: string;
  readonly gpuIndexes: GpuSet;
  readonly at: number;
  readonly level: SleepLevel;
  /** The next wake request (end of time asleep), or null. */
  readonly wakeRequestedAt: number | null;
  /** The next ready or failed (end of saving), or null while it goes on. */
  readonly endedAt: number | null;
  /** No other model was resident on its GPU(s): the drop includes the context step. */
  readonly lastResident: boolean;
  readonly others: readonly string[];
  readonly othersActive: boolean;
  readonly status: MeasureStatus;
  readonly wattsBefore: number | null;
  readonly wattsAfter: number | null;
  /** What the GPU really dropped. */
  readonly droppedWatts: number | null;
  readonly maxUtilizationPercent: number | null;
  readonly otherwiseIdle: boolean | null;
  /** Credited once measured (or given up); null while pending. */
  readonly creditedWatts: number | null;
  readonly creditSource: CreditSource | null;
  /** One standard uncertainty of `creditedWatts`, null for an estimate or before it was worked out. */
  readonly creditUncertainty: number | null;
  /** When another model became ready on the GPU of a last-resident sleep. */
  readonly takeoverAt: number | null;
  readonly takeoverWatts: number | null;
  readonly takeoverSource: CreditSource | null;
  readonly takeoverUncertainty: number | null;
}

/** One wake: how long it took and what it cost. */
export interface WakeRecord {
  readonly id: number;
  readonly model: string;
  readonly gpuIndexes: GpuSet;
  readonly requestedAt: number;
  /** Ready or failed, or null while waking. */
  readonly endedAt: number | null;
  readonly outcome: 'ready' | 'failed' | null;
  /** When the model went down again (sleep or failed), or null while it is up. */
  readonly downAt: number | null;
  readonly othersActive: boolean;
  readonly status: MeasureStatus;
  readonly baselineWatts: number | null;
  readonly energyJoules: number | null;
  readonly maxUtilizationPercent: number | null;
  readonly otherwiseIdle: boolean | null;
  readonly creditedJoules: number | null;
  readonly creditSource: CreditSource | null;
  /** One standard uncertainty of `creditedJoules`, null for an estimate or before it was worked out. */
  readonly creditUncertainty: number | null;
}

/** A measurement to store on a sleep. */
export interface SleepMeasurement {
  readonly status: 'measured' | 'unmeasured';
  readonly wattsBefore: number | null;
  readonly wattsAfter: number | null;
  readonly droppedWatts: number | null;
  readonly maxUtilizationPercent: number | null;
  readonly otherwiseIdle: boolean | null;
  readonly credit: Credit;
}

/** A measurement to store on a wake. */
export interface WakeMeasurement {
  readonly status: 'measured' | 'unmeasured';
  readonly baselineWatts: number | null;
  readonly energyJoules: number | null;
  readonly maxUtilizationPercent: number | null;
  readonly otherwiseIdle: boolean | null;
  readonly credit: Credit;
}

/** A transition of some model on some GPUs (for the "otherwise idle" test). */
export interface Transition {
  readonly id: number;
  readonly at: number;
  readonly model: string;
  readonly gpuIndexes: GpuSet;
}

/** Sums for learning from clean readings. */
export interface LearnedRow {
  readonly model: string;
  readonly kind: 'last-resident' | 'shared' | 'wake';
  readonly gpuIndexes: GpuSet;
  readonly sum: number;
  readonly count: number;
}

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

export const num = (v: unknown): number | null =>
  typeof v === 'number' ? v : v === null || v === undefined ? null : Number(v);
export const bool = (v: unknown): boolean | null =>
  v === null || v === undefined ? null : Number(v) !== 0;
export const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function sleepFromRow(r: Row): SleepRecord {
  return {
    id: Number(r.id),
    eventId: Number(r.event_id),
    model: String(r.model),
    gpuIndexes: parseGpuSet(text(r.gpu_indexes)),
    at: Number(r.at),
    level: (text(r.level) ?? 'stop') as SleepLevel,
    wakeRequestedAt: num(r.wake_requested_at),
    endedAt: num(r.ended_at),
    lastResident: Number(r.last_resident) !== 0,
    others: String(r.others) === '' ? [] : String(r.others).split('\n'),
    othersActive: Number(r.others_active) !== 0,
    status: String(r.status) as MeasureStatus,
    wattsBefore: num(r.watts_before),
    wattsAfter: num(r.watts_after),
    droppedWatts: num(r.dropped_watts),
    maxUtilizationPercent: num(r.max_utilization_percent),
    otherwiseIdle: bool(r.otherwise_idle),
    creditedWatts: num(r.credited_watts),
    creditSource: text(r.credit_source) as CreditSource | null,
    creditUncertainty: num(r.credit_uncertainty),
    takeoverAt: num(r.takeover_at),
    takeoverWatts: num(r.takeover_watts),
    takeoverSource: text(r.takeover_source) as CreditSource | null,
    takeoverUncertainty: num(r.takeover_uncertainty),
  };
}

export function wakeFromRow(r: Row): WakeRecord {
  return {
    id: Number(r.id),
    model: String(r.model),
    gpuIndexes: parseGpuSet(text(r.gpu_indexes)),
    requestedAt: Number(r.requested_at),
    endedAt: num(r.ended_at),
    outcome: text(r.outcome) as 'ready' | 'failed' | null,
    downAt: num(r.down_at),
    othersActive: Number(r.others_active) !== 0,
    status: String(r.status) as MeasureStatus,
    baselineWatts: num(r.baseline_watts),
    energyJoules: num(r.energy_joules),
    maxUtilizationPercent: num(r.max_utilization_percent),
    otherwiseIdle: bool(r.otherwise_idle),
    creditedJoules: num(r.credited_joules),
    creditSource: text(r.credit_source) as CreditSource | null,
    creditUncertainty: num(r.credit_uncertainty),
  };
}

export function storedEventFromRow(r: Row): StoredEvent {
  const detail = JSON.parse(String(r.detail)) as Record<string, unknown>;
  const event = {
    ...detail,
    kind: String(r.kind),
    at: Number(r.at),
    model: String(r.model),
  } as unknown as LifecycleEvent;
  return {
    id: Number(r.id),
    at: event.at,
    model: event.model,
    kind: event.kind,
    gpuIndexes: parseGpuSet(text(r.gpu_indexes)),
    event,
  };
}
