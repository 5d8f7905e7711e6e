// The catalog's store in the ledger: an Ollama tag as a stored server model and back.
import type { StoredServerModel } from '../ledger/server-model-store';
import type { OllamaModelStore } from './ollama-catalog';
import type { OllamaTag } from './ollama-types';

/** The part of the ledger that keeps servers' models. */
export interface ServerModelLedger {
  serverModels(): ReadonlyMap<string, readonly StoredServerModel[]>;
  recordServerModels(server: string, models: readonly StoredServerModel[]): void;
}

/** The catalog's store over the ledger. */
export function ledgerModelStore(ledger: ServerModelLedger): OllamaModelStore {
  return {
    load: () =>
      new Map(
        [...ledger.serverModels()].map(([server, models]) => [
          server,
          models.map((m): OllamaTag => ({
            name: m.name,
            model: m.name,
            modified_at: m.modifiedAt,
            size: m.sizeBytes,
            digest: m.digest,
            details: m.details,
          })),
        ]),
      ),
    save: (server, tags) =>
      ledger.recordServerModels(
        server,
        tags.map((t) => ({
          name: t.name,
          sizeBytes: t.size,
          digest: t.digest,
          modifiedAt: t.modified_at,
          details: t.details,
        })),
      ),
  };
}
