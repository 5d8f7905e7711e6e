// The ledger's schema as an ordered list of migrations; SQLite's `user_version` holds the version reached.
import type { Database } from 'better-sqlite3';
import { LedgerError } from './ledger-error';

/** One step of the schema. Versions start at 1 and go up by one; a shipped migration never changes. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * Every migration in order. Power is stored as integer milliwatts and energy as integer
 * millijoules (varints: about half the bytes of REAL) in WITHOUT ROWID tables keyed by
 * (gpu_index, time), so a year of minute roll-ups for two GPUs stays small.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description:
      'power samples and roll-ups, lifecycle events, sleeps and wakes with their measurements, cached daily sums, VRAM',
    sql: `
      CREATE TABLE samples (
        gpu_index INTEGER NOT NULL,
        at INTEGER NOT NULL,
        power_milliwatts INTEGER,
        utilization_percent INTEGER,
        vram_used_bytes INTEGER,
        PRIMARY KEY (gpu_index, at)
      ) WITHOUT ROWID;

      CREATE TABLE power_minutes (
        gpu_index INTEGER NOT NULL,
        start_at INTEGER NOT NULL,
        sample_count INTEGER NOT NULL,
        min_milliwatts INTEGER NOT NULL,
        avg_milliwatts INTEGER NOT NULL,
        max_milliwatts INTEGER NOT NULL,
        energy_millijoules INTEGER NOT NULL,
        covered_ms INTEGER NOT NULL,
        PRIMARY KEY (gpu_index, start_at)
      ) WITHOUT ROWID;

      CREATE TABLE power_hours (
        gpu_index INTEGER NOT NULL,
        start_at INTEGER NOT NULL,
        sample_count INTEGER NOT NULL,
        min_milliwatts INTEGER NOT NULL,
        avg_milliwatts INTEGER NOT NULL,
        max_milliwatts INTEGER NOT NULL,
        energy_millijoules INTEGER NOT NULL,
        covered_ms INTEGER NOT NULL,
        PRIMARY KEY (gpu_index, start_at)
      ) WITHOUT ROWID;

      CREATE TABLE rollup_progress (
        gpu_index INTEGER PRIMARY KEY,
        minutes_through_at INTEGER NOT NULL,
        hours_through_at INTEGER NOT NULL
      );

      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        model TEXT NOT NULL,
        kind TEXT NOT NULL,
        gpu_indexes TEXT,
        detail TEXT NOT NULL
      );
      CREATE INDEX events_by_at ON events (at);

      CREATE TABLE wakes (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL,
        model TEXT NOT NULL,
        gpu_indexes TEXT,
        requested_at INTEGER NOT NULL,
        ended_at INTEGER,
        outcome TEXT,
        down_at INTEGER,
        others_active INTEGER NOT NULL,
        status TEXT NOT NULL,
        baseline_watts REAL,
        energy_joules REAL,
        max_utilization_percent REAL,
        otherwise_idle INTEGER,
        credited_joules REAL,
        credit_source TEXT
      );
      CREATE INDEX wakes_by_requested_at ON wakes (requested_at);
      CREATE INDEX wakes_by_down_at ON wakes (down_at);
      CREATE INDEX wakes_by_model ON wakes (model, requested_at);
      CREATE INDEX wakes_pending ON wakes (status) WHERE status = 'pending';

      CREATE TABLE sleeps (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL,
        model TEXT NOT NULL,
        gpu_indexes TEXT,
        at INTEGER NOT NULL,
        wake_requested_at INTEGER,
        ended_at INTEGER,
        last_resident INTEGER NOT NULL,
        others TEXT NOT NULL,
        others_active INTEGER NOT NULL,
        status TEXT NOT NULL,
        watts_before REAL,
        watts_after REAL,
        dropped_watts REAL,
        max_utilization_percent REAL,
        otherwise_idle INTEGER,
        credited_watts REAL,
        credit_source TEXT,
        takeover_at INTEGER,
        takeover_watts REAL,
        takeover_source TEXT
      );
      CREATE INDEX sleeps_by_at ON sleeps (at);
      CREATE INDEX sleeps_by_ended_at ON sleeps (ended_at);
      CREATE INDEX sleeps_by_model ON sleeps (model, at);
      CREATE INDEX sleeps_pending ON sleeps (status) WHERE status = 'pending';

      CREATE TABLE history_days (
        calendar TEXT NOT NULL,
        day_start_at INTEGER NOT NULL,
        model TEXT NOT NULL,
        asleep_saved_joules REAL NOT NULL,
        asleep_ms INTEGER NOT NULL,
        wake_joules REAL NOT NULL,
        wakes INTEGER NOT NULL,
        failed_wakes INTEGER NOT NULL,
        awake_ms INTEGER NOT NULL,
        estimated INTEGER NOT NULL,
        wake_ms TEXT NOT NULL,
        PRIMARY KEY (calendar, day_start_at, model)
      ) WITHOUT ROWID;
      CREATE INDEX history_days_by_day ON history_days (day_start_at);

      CREATE TABLE history_days_done (
        calendar TEXT NOT NULL,
        day_start_at INTEGER NOT NULL,
        PRIMARY KEY (calendar, day_start_at)
      ) WITHOUT ROWID;
      CREATE INDEX history_days_done_by_day ON history_days_done (day_start_at);

      CREATE TABLE model_vram (
        model TEXT PRIMARY KEY,
        vram_bytes INTEGER NOT NULL,
        at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    description:
      'the models of each Ollama server, learned while it was awake, listed while it sleeps',
    sql: `
      CREATE TABLE server_models (
        server TEXT NOT NULL,
        name TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        digest TEXT NOT NULL,
        modified_at TEXT NOT NULL,
        details_json TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (server, name)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description:
      'forwarded requests (issue 16): each one for rawRetentionDays, with its tokens and marginal energy, and daily roll-ups per model and client for good',
    sql: `
      CREATE TABLE requests (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        model TEXT NOT NULL,
        client TEXT NOT NULL,
        status INTEGER NOT NULL,
        complete INTEGER NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        estimated INTEGER NOT NULL,
        first_byte_ms INTEGER,
        duration_ms INTEGER NOT NULL,
        marginal_millijoules INTEGER
      );
      CREATE INDEX requests_by_at ON requests (at);

      CREATE TABLE request_days (
        calendar TEXT NOT NULL,
        day_start_at INTEGER NOT NULL,
        model TEXT NOT NULL,
        client TEXT NOT NULL,
        requests INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        estimated INTEGER NOT NULL,
        measured INTEGER NOT NULL,
        marginal_millijoules INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        first_byte_ms INTEGER NOT NULL,
        first_byte_count INTEGER NOT NULL,
        PRIMARY KEY (calendar, day_start_at, model, client)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    description:
      'the uncertainty of each credited sleep, takeover and wake (issue 14); cached days are summed again with it',
    sql: `
      ALTER TABLE sleeps ADD COLUMN credit_uncertainty REAL;
      ALTER TABLE sleeps ADD COLUMN takeover_uncertainty REAL;
      ALTER TABLE wakes ADD COLUMN credit_uncertainty REAL;
      ALTER TABLE history_days ADD COLUMN saved_uncertainty_joules REAL NOT NULL DEFAULT 0;
      DELETE FROM history_days;
      DELETE FROM history_days_done;
    `,
  },
  {
    version: 5,
    description:
      "each raw sample's GPU energy counter (NVML's total energy, DCGM's TOTAL_ENERGY_CONSUMPTION) where the GPU has one, so energy is integrated from the counter instead of 1 Hz power readings (issue 14)",
    sql: `
      ALTER TABLE samples ADD COLUMN energy_millijoules INTEGER;
    `,
  },
  {
    version: 6,
    description:
      'dozes (issue 15): a sleep row per doze and per stop after a doze, credited from the level it left; the part of each day saved by dozes; the last doze measure of each model',
    sql: `
      ALTER TABLE sleeps ADD COLUMN level TEXT NOT NULL DEFAULT 'stop';
      ALTER TABLE history_days ADD COLUMN doze_saved_joules REAL NOT NULL DEFAULT 0;
      DELETE FROM history_days;
      DELETE FROM history_days_done;

      CREATE TABLE doze_measures (
        model TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        measured INTEGER NOT NULL,
        freed_bytes INTEGER NOT NULL,
        kept_bytes INTEGER NOT NULL,
        freed_watts REAL,
        dozed_watts REAL,
        enough INTEGER NOT NULL,
        warning TEXT
      );
    `,
  },
  {
    version: 7,
    description:
      'the energy each model used while awake, with its uncertainty, in the cached days (issue 14); cached days are summed again with it',
    sql: `
      ALTER TABLE history_days ADD COLUMN awake_used_joules REAL NOT NULL DEFAULT 0;
      ALTER TABLE history_days ADD COLUMN used_uncertainty_joules REAL NOT NULL DEFAULT 0;
      DELETE FROM history_days;
      DELETE FROM history_days_done;
    `,
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database at `filePath` up to the latest schema, each migration in its own
 * transaction together with its `user_version`, so a crash leaves a whole version or none.
 * Returns the version reached. Throws a LedgerError for a ledger from a newer Siesta.
 */
export function migrate(
  db: Database,
  filePath: string,
  migrations: readonly Migration[] = MIGRATIONS,
): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`ledger migrations out of order: #${i} has version ${m.version}`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new LedgerError(
      'newer-schema',
      `The energy ledger ${filePath} has schema version ${current}, newer than this Siesta understands (${migrations.length}). Update Siesta, or move the file aside to start a new ledger.`,
      filePath,
    );
  }
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return migrations.length;
}
