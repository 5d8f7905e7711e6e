// The ledger's errors: each names the file or folder, what went wrong and what the user can do.
import { dirname } from 'node:path';

/** What kind of trouble the ledger is in. */
export type LedgerErrorCode =
  | 'native-module'
  | 'not-a-folder'
  | 'read-only'
  | 'disk-full'
  | 'damaged'
  | 'newer-schema'
  | 'busy'
  | 'write-failed'
  | 'samples-dropped'
  | 'closed';

/** A ledger failure with a message a user can act on (no stack trace needed). */
export class LedgerError extends Error {
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    /** The ledger file or data folder concerned. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LedgerError';
  }
}

/** The error code of a Node or SQLite error, or ''. */
function codeOf(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string'
  )
    return error.code;
  return '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Turns a failure while opening or writing the ledger at `filePath` into a LedgerError.
 * `action` says what was being done, e.g. "open" or "save power samples to".
 */
export function ledgerErrorFrom(error: unknown, filePath: string, action: string): LedgerError {
  if (error instanceof LedgerError) return error;
  const code = codeOf(error);
  const folder = dirname(filePath);
  const message = messageOf(error).split('\n')[0] ?? '';
  const detail = code && !message.startsWith(code) ? `${code}: ${message}` : message;
  if (
    code === 'MODULE_NOT_FOUND' ||
    code === 'ERR_DLOPEN_FAILED' ||
    /NODE_MODULE_VERSION|invalid ELF header|wrong ELF class/.test(message)
  ) {
    return new LedgerError(
      'native-module',
      `Cannot ${action} the energy ledger ${filePath}: SQLite's native module is missing or built for another runtime (${detail}). Run \`npm rebuild better-sqlite3\` for Node, or pass the Electron build as nativeBinding.`,
      filePath,
      { cause: error },
    );
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return new LedgerError(
      'not-a-folder',
      `Cannot ${action} the energy ledger ${filePath}: a part of ${folder} is a file, not a folder (${detail}). Remove that file or choose another data folder.`,
      filePath,
      { cause: error },
    );
  }
  if (
    code === 'EROFS' ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_CANTOPEN')
  ) {
    return new LedgerError(
      'read-only',
      `Cannot ${action} the energy ledger ${filePath}: the folder ${folder} cannot be written (${detail}). Make it writable for this user or choose another data folder.`,
      filePath,
      { cause: error },
    );
  }
  if (code === 'ENOSPC' || code === 'EDQUOT' || code.startsWith('SQLITE_FULL')) {
    return new LedgerError(
      'disk-full',
      `Cannot ${action} the energy ledger ${filePath}: the disk holding ${folder} is full (${detail}). Free some space there; unsaved rows are kept in memory and retried.`,
      filePath,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) {
    return new LedgerError(
      'damaged',
      `Cannot ${action} the energy ledger ${filePath}: the file is damaged or not a Siesta ledger (${detail}). Move it aside; Siesta starts a new ledger in its place.`,
      filePath,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LedgerError(
      'busy',
      `Cannot ${action} the energy ledger ${filePath}: another process holds it locked (${detail}). Close the other Siesta or tool that has it open.`,
      filePath,
      { cause: error },
    );
  }
  return new LedgerError(
    'write-failed',
    `Cannot ${action} the energy ledger ${filePath} (${detail}).`,
    filePath,
    { cause: error },
  );
}
