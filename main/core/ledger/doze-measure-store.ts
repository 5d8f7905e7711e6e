// What each model's last doze freed and kept (issue 15), as the doze meter measured it with the GPU probe, kept so the
// scheduler's count of a dozed model's VRAM and the "freed too little" warning survive a restart. One row per model.
import type { Database } from 'better-sqlite3';

/** A doze's measure as the ledger keeps it (the doze meter's `DozeMeasure`). */
export interface StoredDozeMeasure {
  readonly at: number;
  /** False when the GPU gave no reading to judge by. */
  readonly measured: boolean;
  readonly freedBytes: number;
  readonly keptBytes: number;
  readonly freedWatts: number | null;
  readonly dozedWatts: number | null;
  /** Whether it kept no more than the allowance (its VRAM counts as free). */
  readonly enough: boolean;
  readonly warning: string | null;
}

type Row = {
  model: string;
  at: number;
  measured: number;
  freed_bytes: number;
  kept_bytes: number;
  freed_watts: number | null;
  dozed_watts: number | null;
  enough: number;
  warning: string | null;
};

/** Reads and replaces the `doze_measures` table. */
export class DozeMeasureStore {
  constructor(private readonly db: Database) {}

  /** Every model's last doze measure. */
  all(): Map<string, StoredDozeMeasure> {
    const rows = this.db.prepare('SELECT * FROM doze_measures').all() as Row[];
    return new Map(
      rows.map((r) => [
        r.model,
        {
          at: r.at,
          measured: r.measured !== 0,
          freedBytes: r.freed_bytes,
          keptBytes: r.kept_bytes,
          freedWatts: r.freed_watts,
          dozedWatts: r.dozed_watts,
          enough: r.enough !== 0,
          warning: r.warning,
        },
      ]),
    );
  }

  /** Replaces a model's last doze measure. */
  replace(model: string, m: StoredDozeMeasure): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO doze_measures (model, at, measured, freed_bytes, kept_bytes, freed_watts, dozed_watts, enough, warning)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        model,
        m.at,
        m.measured ? 1 : 0,
        Math.round(m.freedBytes),
        Math.round(m.keptBytes),
        m.freedWatts,
        m.dozedWatts,
        m.enough ? 1 : 0,
        m.warning,
      );
  }
}
