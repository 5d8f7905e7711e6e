// Opens the ledger's SQLite file (better-sqlite3, WAL) in the data folder and brings its schema up to date.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { ledgerErrorFrom } from './ledger-error';
import { migrate } from './migrations';

/** The ledger's file name inside the data folder. */
export const LEDGER_FILE_NAME = 'ledger.sqlite';

/** The ledger file in a data folder. */
export function ledgerPathIn(dataDir: string): string {
  return join(dataDir, LEDGER_FILE_NAME);
}

/** How to open the file. */
export interface LedgerDatabaseOptions {
  /** The SQLite file; its folder is created (mode 0700) when missing. */
  readonly path: string;
  /**
   * better-sqlite3's `nativeBinding`: the path of a `better_sqlite3.node` built for the running
   * runtime. The Electron app passes the copy built for Electron's ABI; plain Node leaves it out.
   */
  readonly nativeBinding?: string | null;
  /**
   * `full` (default) makes every commit durable against power loss (an fsync per commit);
   * `normal` survives a crash of Siesta but may lose the last commits if the OS dies.
   */
  readonly synchronous?: 'full' | 'normal';
  /** Open an empty ledger in memory instead of the file (the fallback while the file cannot be opened); `path` only names it in errors. */
  readonly inMemory?: boolean;
}

/**
 * Why a folder cannot be made, found at its nearest existing ancestor: a file in the way (ENOTDIR)
 * or a folder that cannot be written (EROFS, EACCES). Node's recursive mkdir reports only ENOENT
 * for both when a deeper level is missing.
 */
function diagnoseFolder(dir: string): NodeJS.ErrnoException | null {
  let ancestor = dir;
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  if (!statSync(ancestor).isDirectory())
    return Object.assign(new Error(`${ancestor} is a file`), { code: 'ENOTDIR' });
  try {
    accessSync(ancestor, constants.W_OK);
    return null;
  } catch (error: unknown) {
    return error as NodeJS.ErrnoException;
  }
}

/**
 * Opens (creating when missing) the ledger in WAL mode and migrates it. Throws a LedgerError that
 * names the path and what to do when the folder is a file, read-only or full, or the file is damaged.
 */
export function openLedgerDatabase(options: LedgerDatabaseOptions): Database {
  const filePath = options.path;
  if (options.inMemory) return openInMemory(options);
  try {
    mkdirSync(dirname(filePath), { recursive: true, mode: 0o700 });
  } catch (error: unknown) {
    throw ledgerErrorFrom(
      diagnoseFolder(dirname(filePath)) ?? error,
      filePath,
      'create the folder of',
    );
  }
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(
      filePath,
      options.nativeBinding ? { nativeBinding: options.nativeBinding } : {},
    );
    db.pragma('busy_timeout = 5000');
    const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
    if (mode !== 'wal')
      throw Object.assign(new Error(`SQLite refused WAL mode (got "${mode}")`), {
        code: 'SQLITE_CANTOPEN',
      });
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db, filePath);
    return db;
  } catch (error: unknown) {
    db?.close();
    throw ledgerErrorFrom(error, filePath, 'open');
  }
}

function openInMemory(options: LedgerDatabaseOptions): Database {
  try {
    const db = new BetterSqlite3(
      ':memory:',
      options.nativeBinding ? { nativeBinding: options.nativeBinding } : {},
    );
    db.pragma('foreign_keys = ON');
    migrate(db, options.path);
    return db;
  } catch (error: unknown) {
    throw ledgerErrorFrom(error, options.path, 'open an in-memory stand-in for');
  }
}
