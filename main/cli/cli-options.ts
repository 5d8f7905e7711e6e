// What every CLI command that talks to the daemon takes: where it listens, the token (or the data dir holding it), the output.
import type { Writable } from 'node:stream';
import { readToken } from '../core/api/api-token';
import { defaultDataDir } from '../core/settings/data-dir';
import type { Clock } from '../core/clock/clock';
import { CliError } from './cli-error';

/** The control API's address when none is given. */
export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:11401';

/** Options of the commands that talk to a running Siesta. */
export interface CliCommandOptions {
  /** The control API, e.g. `http://127.0.0.1:11401` (default). */
  readonly controlUrl?: string;
  /** The token; when absent it is read from `dataDir`. */
  readonly token?: string;
  /** The data dir holding the token (default `defaultDataDir()`). */
  readonly dataDir?: string;
  /** Where the command writes what it shows (stdout). */
  readonly out: NodeJS.WritableStream | Writable;
  readonly clock?: Clock;
}

/** The control URL without a trailing slash; an error naming the value when it is not an http URL. */
export function controlUrlOf(options: CliCommandOptions): string {
  const text = options.controlUrl ?? DEFAULT_CONTROL_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--control: expected a URL such as ${DEFAULT_CONTROL_URL}, got "${text}"`);
  }
  if (url.protocol !== 'http:')
    throw new CliError(
      `--control: expected an http:// URL such as ${DEFAULT_CONTROL_URL}, got "${text}"`,
    );
  return url.origin;
}

/** The token: given, or read from the data dir; a CliError saying where it looked otherwise. */
export function tokenOf(options: CliCommandOptions): string {
  if (options.token !== undefined && options.token !== '') return options.token;
  try {
    return readToken(options.dataDir ?? defaultDataDir());
  } catch (error: unknown) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}
