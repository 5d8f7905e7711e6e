// The models of each many-model server (an Ollama container), as last learned while it was awake, so they are listed
// and routed while it sleeps and after a restart (issue 19). One row per server and model name.
import type { Database } from 'better-sqlite3';

/** One model of a server as the ledger keeps it. */
export interface StoredServerModel {
  readonly name: string;
  readonly sizeBytes: number;
  readonly digest: string;
  /** As the server reported it (ISO time), or ''. */
  readonly modifiedAt: string;
  /** The server's own description of the model (family, parameters, quantisation), kept as it came. */
  readonly details: Readonly<Record<string, unknown>>;
}

type Row = {
  server: string;
  name: string;
  size_bytes: number;
  digest: string;
  modified_at: string;
  details_json: string;
};

function detailsOf(json: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(json) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Reads and replaces the `server_models` table. */
export class ServerModelStore {
  constructor(private readonly db: Database) {}

  /** Every server's models, in name order. */
  all(): ReadonlyMap<string, readonly StoredServerModel[]> {
    const rows = this.db
      .prepare(
        'SELECT server, name, size_bytes, digest, modified_at, details_json FROM server_models ORDER BY server, name',
      )
      .all() as Row[];
    const byServer = new Map<string, StoredServerModel[]>();
    for (const row of rows) {
      const list = byServer.get(row.server) ?? [];
      list.push({
        name: row.name,
        sizeBytes: row.size_bytes,
        digest: row.digest,
        modifiedAt: row.modified_at,
        details: detailsOf(row.details_json),
      });
      byServer.set(row.server, list);
    }
    return byServer;
  }

  /** Replaces one server's models (inside the caller's transaction). */
  replace(server: string, models: readonly StoredServerModel[], at: number): void {
    this.db.prepare('DELETE FROM server_models WHERE server = ?').run(server);
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO server_models (server, name, size_bytes, digest, modified_at, details_json, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const m of models)
      insert.run(
        server,
        m.name,
        Math.round(m.sizeBytes),
        m.digest,
        m.modifiedAt,
        JSON.stringify(m.details),
        at,
      );
  }
}
