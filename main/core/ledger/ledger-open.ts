// Opening the ledger's file, or, where the folder cannot hold it and the caller can report it, an in-memory ledger
// for this run (DESIGN.md: the gateway keeps serving whatever the ledger's trouble).
import type { Database } from 'better-sqlite3';
import { openLedgerDatabase } from './ledger-database';
import type { LedgerErrorCode } from './ledger-error';
import { LedgerError } from './ledger-error';
import type { LedgerOptions } from './ledger-types';

/** Opening failures the ledger survives (with `onError`) by running in memory for this run. */
const IN_MEMORY_FALLBACK: ReadonlySet<LedgerErrorCode> = new Set<LedgerErrorCode>([
  'not-a-folder',
  'read-only',
  'disk-full',
  'busy',
]);

/**
 * Opens the file; with `onError`, a folder that cannot hold it gives an in-memory ledger for this run
 * and the error to report (DESIGN.md: the gateway keeps serving whatever the ledger's trouble).
 */
export function openOrFallBack(options: LedgerOptions): {
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
