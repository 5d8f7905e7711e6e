// The lifecycle tables: every event as it happened, and the sleeps and wakes derived from them with their measurements.
// The records and their row readers are in event-records.ts; the measurements live in measurement-resolver.ts.
import type { Database, Statement } from 'better-sqlite3';
import type { LifecycleEvent } from '../lifecycle/model-state';
import { assertNever } from '../shared/assert-never';
import { formatGpuSet, gpusOverlap, parseGpuSet } from './residency';
import type { Credit } from './savings';
import type {
  EventFacts,
  LearnedRow,
  Row,
  SleepMeasurement,
  SleepLevel,
  SleepRecord,
  StoredEvent,
  Transition,
  WakeMeasurement,
  WakeRecord,
} from './event-records';
import { num, sleepFromRow, storedEventFromRow, text, wakeFromRow } from './event-records';
import { uncertaintyOf } from './uncertainty';

export type {
  EventFacts,
  LearnedRow,
  SleepMeasurement,
  SleepLevel,
  SleepRecord,
  StoredEvent,
  Transition,
  WakeMeasurement,
  WakeRecord,
} from './event-records';

/** The event's own fields besides kind, time and model, as stored in `detail`. */
function detailOf(event: LifecycleEvent): string {
  const { kind: _kind, at: _at, model: _model, ...rest } = event;
  return JSON.stringify(rest);
}

function prepareStatements(db: Database) {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    insertEvent: p(
      'INSERT INTO events (at, model, kind, gpu_indexes, detail) VALUES (?, ?, ?, ?, ?)',
    ),
    openWake: p(
      'SELECT * FROM wakes WHERE model = ? AND outcome IS NULL ORDER BY requested_at DESC LIMIT 1',
    ),
    insertWake: p(
      `INSERT INTO wakes (event_id, model, gpu_indexes, requested_at, ended_at, outcome, others_active, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
    ),
    endWake: p('UPDATE wakes SET ended_at = ?, outcome = ? WHERE id = ?'),
    downWakes: p(
      'UPDATE wakes SET down_at = ? WHERE model = ? AND down_at IS NULL AND requested_at <= ?',
    ),
    insertSleep: p(
      `INSERT INTO sleeps (event_id, model, gpu_indexes, at, last_resident, others, others_active, status, level)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    ),
    wakeRequestedSleeps: p(
      'UPDATE sleeps SET wake_requested_at = ? WHERE model = ? AND ended_at IS NULL AND wake_requested_at IS NULL',
    ),
    endSleeps: p(
      'UPDATE sleeps SET ended_at = ?, wake_requested_at = COALESCE(wake_requested_at, ?) WHERE model = ? AND ended_at IS NULL',
    ),
    openLastResidentSleeps: p(
      "SELECT * FROM sleeps WHERE ended_at IS NULL AND last_resident = 1 AND takeover_at IS NULL AND level != 'doze' AND model != ?",
    ),
    unfittedTakeovers: p(
      "SELECT * FROM sleeps WHERE takeover_at IS NOT NULL AND takeover_at >= ? AND takeover_source != 'fitted'",
    ),
    setTakeover: p(
      'UPDATE sleeps SET takeover_at = ?, takeover_watts = ?, takeover_source = ?, takeover_uncertainty = ? WHERE id = ?',
    ),
    setSleepMeasurement: p(
      `UPDATE sleeps SET status = ?, watts_before = ?, watts_after = ?, dropped_watts = ?, max_utilization_percent = ?,
       otherwise_idle = ?, credited_watts = ?, credit_source = ?, credit_uncertainty = ? WHERE id = ?`,
    ),
    setWakeMeasurement: p(
      `UPDATE wakes SET status = ?, baseline_watts = ?, energy_joules = ?, max_utilization_percent = ?,
       otherwise_idle = ?, credited_joules = ?, credit_source = ?, credit_uncertainty = ? WHERE id = ?`,
    ),
    pendingSleeps: p("SELECT * FROM sleeps WHERE status = 'pending' ORDER BY at"),
    pendingWakes: p("SELECT * FROM wakes WHERE status = 'pending' ORDER BY requested_at"),
    transitions: p(
      "SELECT id, at, model, gpu_indexes FROM events WHERE at >= ? AND at <= ? AND kind IN ('wake-requested', 'ready', 'doze', 'sleep', 'failed') ORDER BY at",
    ),
    eventsBetween: p('SELECT * FROM events WHERE at >= ? AND at < ? ORDER BY at, id'),
    lastEvents: p(
      `SELECT e.* FROM events e JOIN (SELECT model, MAX(id) AS id FROM events
       WHERE kind IN ('wake-requested', 'ready', 'doze', 'sleep', 'failed') GROUP BY model) last ON e.id = last.id`,
    ),
    sleepsOverlapping: p(
      'SELECT * FROM sleeps WHERE at < $to AND (ended_at IS NULL OR ended_at > $from) ORDER BY at',
    ),
    wakesOverlapping: p(
      'SELECT * FROM wakes WHERE requested_at < $to AND (down_at IS NULL OR down_at > $from OR requested_at >= $from) ORDER BY requested_at',
    ),
    recentWakeMs: p(
      "SELECT ended_at - requested_at AS ms FROM wakes WHERE model = ? AND outcome = 'ready' ORDER BY requested_at DESC LIMIT ?",
    ),
    learnedSleeps: p(
      `SELECT model, last_resident, gpu_indexes, SUM(dropped_watts) AS sum, COUNT(*) AS count FROM sleeps
       WHERE status = 'measured' AND otherwise_idle = 1 AND level = 'stop' GROUP BY model, last_resident, gpu_indexes`,
    ),
    learnedWakes: p(
      `SELECT model, gpu_indexes, SUM(energy_joules) AS sum, COUNT(*) AS count FROM wakes
       WHERE status = 'measured' AND otherwise_idle = 1 AND outcome = 'ready' GROUP BY model, gpu_indexes`,
    ),
    models: p('SELECT DISTINCT model FROM events ORDER BY model'),
    upsertVram: p(
      'INSERT INTO model_vram (model, vram_bytes, at) VALUES (?, ?, ?) ON CONFLICT (model) DO UPDATE SET vram_bytes = excluded.vram_bytes, at = excluded.at',
    ),
    vram: p('SELECT vram_bytes FROM model_vram WHERE model = ?'),
    earliestPending: p(
      `SELECT MIN(m) AS at FROM (SELECT MIN(at) AS m FROM sleeps WHERE status = 'pending'
       UNION ALL SELECT MIN(requested_at) FROM wakes WHERE status = 'pending')`,
    ),
    earliestRecord: p(
      'SELECT MIN(m) AS at FROM (SELECT MIN(at) AS m FROM sleeps UNION ALL SELECT MIN(requested_at) FROM wakes)',
    ),
    promoteSleeps: p(
      "UPDATE sleeps SET credited_watts = ?, credit_source = 'learned', credit_uncertainty = ? WHERE model = ? AND last_resident = ? AND credit_source = 'none' AND level = 'stop'",
    ),
    promoteWakes: p(
      "UPDATE wakes SET credited_joules = ?, credit_source = 'learned', credit_uncertainty = ? WHERE model = ? AND credit_source = 'none'",
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** Reads and writes the lifecycle tables. Every method runs inside the caller's transaction, if any. */
export class EventStore {
  private readonly s: Statements;

  constructor(db: Database) {
    this.s = prepareStatements(db);
  }

  /**
   * Stores an event and updates the sleeps and wakes it opens or closes. On `ready`, a last-resident
   * sleep of another model on the same GPU is taken over at the rate `takeoverCredit` gives.
   * Returns the ids of the rows made.
   */
  writeEvent(
    event: LifecycleEvent,
    facts: EventFacts,
    takeoverCredit: (sleep: SleepRecord) => Credit,
  ): { eventId: number; sleepId: number | null; wakeId: number | null } {
    const gpuText = formatGpuSet(facts.gpuIndexes);
    const eventId = Number(
      this.s.insertEvent.run(event.at, event.model, event.kind, gpuText, detailOf(event))
        .lastInsertRowid,
    );
    let sleepId: number | null = null;
    let wakeId: number | null = null;
    switch (event.kind) {
      case 'wake-requested': {
        // A wake from a doze is not a cold start: it is kept out of the wakes the idle cost and wake cost learn from.
        if (event.from !== 'dozed' && !this.s.openWake.get(event.model)) {
          wakeId = Number(
            this.s.insertWake.run(
              eventId,
              event.model,
              gpuText,
              event.at,
              null,
              null,
              facts.othersActive ? 1 : 0,
            ).lastInsertRowid,
          );
        }
        this.s.wakeRequestedSleeps.run(event.at, event.model);
        break;
      }
      case 'ready': {
        // Awake again from a doze: the doze's saving ends here; no cold wake to close, no context step taken back.
        if (event.from === 'dozed') {
          this.s.endSleeps.run(event.at, event.at, event.model);
          break;
        }
        const open = this.s.openWake.get(event.model) as Row | undefined;
        if (open) {
          wakeId = Number(open.id);
          this.s.endWake.run(event.at, 'ready', wakeId);
        } else {
          // A ready without a wake request we saw (started by hand, or before the ledger opened): its own wake time tells when it began.
          const requestedAt = event.at - Math.max(0, event.wakeMs);
          wakeId = Number(
            this.s.insertWake.run(
              eventId,
              event.model,
              gpuText,
              requestedAt,
              event.at,
              'ready',
              facts.othersActive ? 1 : 0,
            ).lastInsertRowid,
          );
        }
        this.s.endSleeps.run(event.at, event.at, event.model);
        for (const row of this.s.openLastResidentSleeps.all(event.model) as Row[]) {
          const sleep = sleepFromRow(row);
          if (!gpusOverlap(sleep.gpuIndexes, facts.gpuIndexes)) continue;
          const credit = takeoverCredit(sleep);
          this.s.setTakeover.run(
            event.at,
            credit.value,
            credit.source,
            credit.uncertainty ?? null,
            sleep.id,
          );
        }
        break;
      }
      case 'sleep': {
        this.s.downWakes.run(event.at, event.model, event.at);
        // A stop from a doze drops only what the doze kept: credited from the dozed level, beside the doze's own
        // record, which goes on saving until the next ready (docs/energy.md, "Dozes").
        if (facts.wasResident)
          sleepId = this.insertSleep(
            eventId,
            event,
            facts,
            event.from === 'dozed' ? 'stop-after-doze' : 'stop',
          );
        break;
      }
      case 'doze': {
        if (facts.wasResident) sleepId = this.insertSleep(eventId, event, facts, 'doze');
        break;
      }
      case 'failed': {
        const open = this.s.openWake.get(event.model) as Row | undefined;
        if (open) {
          wakeId = Number(open.id);
          this.s.endWake.run(event.at, 'failed', wakeId);
        }
        this.s.downWakes.run(event.at, event.model, event.at);
        // The model stays down: its sleep goes on saving until a wake succeeds (its hours asleep end at the request).
        break;
      }
      case 'evicted':
      case 'prewarm':
        break;
      default:
        assertNever(event);
    }
    return { eventId, sleepId, wakeId };
  }

  private insertSleep(
    eventId: number,
    event: LifecycleEvent,
    facts: EventFacts,
    level: SleepLevel,
  ): number {
    return Number(
      this.s.insertSleep.run(
        eventId,
        event.model,
        formatGpuSet(facts.gpuIndexes),
        event.at,
        facts.others.length === 0 ? 1 : 0,
        facts.others.join('\n'),
        facts.othersActive ? 1 : 0,
        level,
      ).lastInsertRowid,
    );
  }

  /** Ends the open sleep of a model found resident (started while the ledger did not see it). */
  endOpenSleep(model: string, at: number): void {
    this.s.endSleeps.run(at, at, model);
  }

  /** Closes the open wake of a model found down (its end went unseen): it counts as failed. */
  abandonOpenWake(model: string, at: number): void {
    const open = this.s.openWake.get(model) as Row | undefined;
    if (open) this.s.endWake.run(at, 'failed', Number(open.id));
    this.s.downWakes.run(at, model, at);
  }

  setSleepMeasurement(id: number, m: SleepMeasurement): void {
    this.s.setSleepMeasurement.run(
      m.status,
      m.wattsBefore,
      m.wattsAfter,
      m.droppedWatts,
      m.maxUtilizationPercent,
      m.otherwiseIdle === null ? null : m.otherwiseIdle ? 1 : 0,
      m.credit.value,
      m.credit.source,
      m.credit.uncertainty ?? null,
      id,
    );
  }

  setWakeMeasurement(id: number, m: WakeMeasurement): void {
    this.s.setWakeMeasurement.run(
      m.status,
      m.baselineWatts,
      m.energyJoules,
      m.maxUtilizationPercent,
      m.otherwiseIdle === null ? null : m.otherwiseIdle ? 1 : 0,
      m.credit.value,
      m.credit.source,
      m.credit.uncertainty ?? null,
      id,
    );
  }

  /** Sleeps taken over since `fromAt` whose takeover credit did not come from the power fit (it could not tell yet). */
  unfittedTakeovers(fromAt: number): SleepRecord[] {
    return (this.s.unfittedTakeovers.all(fromAt) as Row[]).map(sleepFromRow);
  }

  /** Replaces the credit a sleep keeps once another model is resident again. */
  setTakeover(id: number, at: number, credit: Credit): void {
    this.s.setTakeover.run(at, credit.value, credit.source, credit.uncertainty ?? null, id);
  }

  pendingSleeps(): SleepRecord[] {
    return (this.s.pendingSleeps.all() as Row[]).map(sleepFromRow);
  }

  pendingWakes(): WakeRecord[] {
    return (this.s.pendingWakes.all() as Row[]).map(wakeFromRow);
  }

  /** Wake requests, readies, sleeps and failures in [fromAt, toAt]. */
  transitions(fromAt: number, toAt: number): Transition[] {
    return (this.s.transitions.all(fromAt, toAt) as Row[]).map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      model: String(r.model),
      gpuIndexes: parseGpuSet(text(r.gpu_indexes)),
    }));
  }

  /** Events in [fromAt, toAt), oldest first. */
  events(fromAt: number, toAt: number): StoredEvent[] {
    return (this.s.eventsBetween.all(fromAt, toAt) as Row[]).map(storedEventFromRow);
  }

  /** The last state-changing event of every model, for rebuilding residency on open. */
  lastEvents(): StoredEvent[] {
    return (this.s.lastEvents.all() as Row[]).map(storedEventFromRow);
  }

  /** Sleeps that overlap [fromAt, toAt). */
  sleepsOverlapping(fromAt: number, toAt: number): SleepRecord[] {
    return (this.s.sleepsOverlapping.all({ from: fromAt, to: toAt }) as Row[]).map(sleepFromRow);
  }

  /** Wakes requested in [fromAt, toAt) or up during part of it. */
  wakesOverlapping(fromAt: number, toAt: number): WakeRecord[] {
    return (this.s.wakesOverlapping.all({ from: fromAt, to: toAt }) as Row[]).map(wakeFromRow);
  }

  /** Durations of a model's last `limit` successful wakes, newest first. */
  recentWakeMs(model: string, limit: number): number[] {
    return (this.s.recentWakeMs.all(model, limit) as Row[]).map((r) => Number(r.ms));
  }

  /** Sums of clean readings by model, case and GPUs. */
  learned(): LearnedRow[] {
    const sleeps = (this.s.learnedSleeps.all() as Row[]).map((r): LearnedRow => ({
      model: String(r.model),
      kind: Number(r.last_resident) !== 0 ? 'last-resident' : 'shared',
      gpuIndexes: parseGpuSet(text(r.gpu_indexes)),
      sum: Number(r.sum),
      count: Number(r.count),
    }));
    const wakes = (this.s.learnedWakes.all() as Row[]).map((r): LearnedRow => ({
      model: String(r.model),
      kind: 'wake',
      gpuIndexes: parseGpuSet(text(r.gpu_indexes)),
      sum: Number(r.sum),
      count: Number(r.count),
    }));
    return [...sleeps, ...wakes];
  }

  /** Every model that has slept or woken. */
  models(): string[] {
    return (this.s.models.all() as Row[]).map((r) => String(r.model));
  }

  /** The earliest sleep or wake whose measurement is still pending, or null. */
  earliestPendingAt(): number | null {
    return num((this.s.earliestPending.get() as Row).at);
  }

  /** The earliest sleep or wake, or null for an empty ledger. */
  earliestRecordAt(): number | null {
    return num((this.s.earliestRecord.get() as Row).at);
  }

  /**
   * Gives sleeps credited 'none' (nothing known then) the model's first learned value for the same
   * case; returns how many changed.
   */
  promoteUnknownSleeps(model: string, lastResident: boolean, watts: number): number {
    return this.s.promoteSleeps.run(
      watts,
      uncertaintyOf(watts, 'learned'),
      model,
      lastResident ? 1 : 0,
    ).changes;
  }

  /** Gives wakes charged 'none' the model's first learned wake energy; returns how many changed. */
  promoteUnknownWakes(model: string, joules: number): number {
    return this.s.promoteWakes.run(joules, uncertaintyOf(joules, 'learned'), model).changes;
  }

  recordVram(model: string, vramBytes: number, at: number): void {
    this.s.upsertVram.run(model, vramBytes, at);
  }

  vramBytes(model: string): number | null {
    const row = this.s.vram.get(model) as Row | undefined;
    return row ? Number(row.vram_bytes) : null;
  }
}
