// A cache of settled days' sums in the ledger file: a year of history reads one row per day and model, not every sleep.
import type { Database, Statement } from 'better-sqlite3';
import type { BucketRange } from './buckets';
import type { CreditFallback, HistorySums, ModelSums } from './history-sums';

/** Longest calendar day (25 h, the day a DST change gives back an hour). */
const LONGEST_DAY_MS = 25 * 3_600_000;

/** A cached day as `selectDays` returns it (raw). */
type DayRow = [
  number,
  string,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  string,
  number,
  number,
  number,
  number,
];

/**
 * Per-day, per-model sums of days nothing can change any more (no pending measurement in them),
 * keyed by the calendar they were cut in. A write that reaches back into cached days forgets them.
 */
export class HistoryDays {
  private readonly selectDays: Statement;
  private readonly selectDone: Statement;
  private readonly insertDay: Statement;
  private readonly insertDone: Statement;
  private readonly deleteDaysFrom: Statement;
  private readonly deleteDoneFrom: Statement;
  private readonly deleteAllDays: Statement;
  private readonly deleteAllDone: Statement;

  constructor(
    private readonly db: Database,
    private readonly sums: HistorySums,
    /** `utc`, or `local:` and the IANA zone: days of one calendar never mix with another's. */
    private readonly calendar: string,
  ) {
    this.selectDays = db
      .prepare(
        `SELECT day_start_at, model, asleep_saved_joules, asleep_ms, wake_joules, wakes, failed_wakes, awake_ms, estimated, wake_ms,
         saved_uncertainty_joules, doze_saved_joules, awake_used_joules, used_uncertainty_joules
       FROM history_days WHERE calendar = ? AND day_start_at >= ? AND day_start_at < ?`,
      )
      .raw();
    this.selectDone = db
      .prepare(
        'SELECT day_start_at FROM history_days_done WHERE calendar = ? AND day_start_at >= ? AND day_start_at < ?',
      )
      .pluck();
    this.insertDay = db.prepare(
      `INSERT OR REPLACE INTO history_days (calendar, day_start_at, model, asleep_saved_joules, asleep_ms, wake_joules, wakes, failed_wakes, awake_ms, estimated, wake_ms, saved_uncertainty_joules, doze_saved_joules,
         awake_used_joules, used_uncertainty_joules)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertDone = db.prepare(
      'INSERT OR REPLACE INTO history_days_done (calendar, day_start_at) VALUES (?, ?)',
    );
    this.deleteDaysFrom = db.prepare('DELETE FROM history_days WHERE day_start_at > ?');
    this.deleteDoneFrom = db.prepare('DELETE FROM history_days_done WHERE day_start_at > ?');
    this.deleteAllDays = db.prepare('DELETE FROM history_days');
    this.deleteAllDone = db.prepare('DELETE FROM history_days_done');
  }

  /**
   * The sums of each of `days` (sorted, settled), by day start; days not cached yet are computed
   * now and stored. A failure to store (read-only or full disk) only means they are computed again.
   */
  daySums(
    days: readonly BucketRange[],
    nowAt: number,
    fallbacks: readonly CreditFallback[],
  ): Map<number, ModelSums[]> {
    const out = new Map<number, ModelSums[]>();
    const first = days[0];
    const last = days[days.length - 1];
    if (!first || !last) return out;
    const done = new Set(this.selectDone.all(this.calendar, first.startAt, last.endAt) as number[]);
    for (const r of this.selectDays.all(this.calendar, first.startAt, last.endAt) as DayRow[]) {
      const dayStartAt = r[0];
      if (!done.has(dayStartAt)) continue;
      const list = out.get(dayStartAt) ?? [];
      list.push({
        model: r[1],
        asleepSavedJoules: r[2],
        asleepMs: r[3],
        wakeJoules: r[4],
        wakes: r[5],
        failedWakes: r[6],
        awakeMs: r[7],
        estimated: r[8] !== 0,
        wakeMs: r[9] === '' ? [] : r[9].split(',').map(Number),
        savedUncertaintyJoules: r[10],
        dozeSavedJoules: r[11],
        awakeUsedJoules: r[12],
        usedUncertaintyJoules: r[13],
      });
      out.set(dayStartAt, list);
    }
    const missing = days.filter((d) => !done.has(d.startAt));
    if (missing.length === 0) return out;
    const computed = this.sums.run(missing, nowAt, undefined, fallbacks);
    missing.forEach((day, i) => out.set(day.startAt, [...(computed[i] ?? [])]));
    try {
      this.db.transaction(() => {
        missing.forEach((day, i) => {
          for (const s of computed[i] ?? []) {
            this.insertDay.run(
              this.calendar,
              day.startAt,
              s.model,
              s.asleepSavedJoules,
              Math.round(s.asleepMs),
              s.wakeJoules,
              s.wakes,
              s.failedWakes,
              Math.round(s.awakeMs),
              s.estimated ? 1 : 0,
              s.wakeMs.join(','),
              s.savedUncertaintyJoules,
              s.dozeSavedJoules,
              s.awakeUsedJoules,
              s.usedUncertaintyJoules,
            );
          }
          this.insertDone.run(this.calendar, day.startAt);
        });
      })();
    } catch {
      // A cache that cannot be written is only a slower query next time; the ledger's own writes report the disk's state.
    }
    return out;
  }

  /** Forgets cached days that end after `at` (a write reached back to `at`). Runs inside the writer's transaction. */
  forgetFrom(at: number): void {
    this.deleteDaysFrom.run(at - LONGEST_DAY_MS);
    this.deleteDoneFrom.run(at - LONGEST_DAY_MS);
  }

  /** Forgets every cached day (stored credits of old sleeps or wakes changed). */
  forgetAll(): void {
    this.deleteAllDays.run();
    this.deleteAllDone.run();
  }
}

/** The calendar key of a bucket time zone. */
export function calendarKey(timeZone: 'local' | 'utc'): string {
  return timeZone === 'utc' ? 'utc' : `local:${Intl.DateTimeFormat().resolvedOptions().timeZone}`;
}
