// Finds a better-sqlite3 binding built for Electron's ABI, for running unpackaged (`npm start`) beside Node-ABI tests.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable that names a binding explicitly. */
export const SQLITE_BINDING_ENV = 'SIESTA_SQLITE_BINDING';

/**
 * The `nativeBinding` to hand better-sqlite3, or null for its own build. node_modules holds the
 * Node-ABI build the tests need; the Electron process needs one built for its ABI
 * (`process.versions.modules`). Looked for, in order: `$SIESTA_SQLITE_BINDING`, then
 * `<appRoot>/native/electron-abi<ABI>/better_sqlite3.node`. A packaged app finds none and needs
 * none: electron-builder rebuilds node_modules for Electron before packing.
 */
export function electronSqliteBinding(options: {
  readonly env: NodeJS.ProcessEnv;
  readonly appRoot: string;
  readonly abi: string;
  readonly exists?: (path: string) => boolean;
}): string | null {
  const exists = options.exists ?? existsSync;
  const named = options.env[SQLITE_BINDING_ENV];
  if (named !== undefined && named !== '') {
    if (!exists(named))
      throw new Error(`${SQLITE_BINDING_ENV} names ${named}, which does not exist`);
    return named;
  }
  const conventional = join(
    options.appRoot,
    'native',
    `electron-abi${options.abi}`,
    'better_sqlite3.node',
  );
  return exists(conventional) ? conventional : null;
}
