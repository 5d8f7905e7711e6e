// How the shell starts the core: the composition root's `startSiesta`, behind a small interface the shell needs.
//
// The core runs in the Electron main process, not in a utilityProcess. better-sqlite3 is a native
// module: in one process it loads once, built for Electron's ABI, and lives and dies with the app,
// with no second process to spawn, watch, restart and stop on quit. The shell talks to the core
// only through the control API on loopback (as the dashboard does), so moving the core into a
// utilityProcess later changes this file alone. The cost: the core's synchronous work (a SQLite
// write per GPU tick, about a millisecond in WAL mode) runs on the thread that also serves the
// tray menu; at 1 Hz that is not felt.
import { startSiesta, type RunningSiesta } from '../core/siesta';

export type { RunningSiesta } from '../core/siesta';

/** What the shell uses of a running core: the control API's URL and token, and stopping it. */
export type ShellCore = Pick<RunningSiesta, 'controlUrl' | 'token' | 'stop'>;

/** What the shell passes when it starts the core. */
export interface DesktopStartOptions {
  /** The per-user data folder the CLI uses too (`defaultDataDir()`): the token, settings, ledger and logs live here. */
  readonly dataDir: string;
  /** The siesta.yaml the app loads and watches, as `siesta serve --config` does (the managed one in `dataDir`). */
  readonly configPath: string;
  /** better-sqlite3's Electron-ABI `nativeBinding`, or null for its own build. */
  readonly nativeBinding: string | null;
  /** The built dashboard (dist/renderer) the control API serves at `/`. */
  readonly rendererDir: string;
}

/** Starts the core: the composition root's `startSiesta`, imported statically. */
export type StartSiesta = (options: DesktopStartOptions) => Promise<RunningSiesta>;

/** The composition root's `startSiesta`, as the shell calls it. */
export const startCore: StartSiesta = startSiesta;

/** How long quitting waits for the core to stop before the app leaves anyway. */
export const STOP_TIMEOUT_MS = 15_000;

/**
 * Stops the core, giving up after `timeoutMs` with an error that says so: a quit must not hang on
 * a stuck Docker call. Resolves when the core stopped in time.
 */
export async function stopWithin(
  running: Pick<RunningSiesta, 'stop'>,
  timeoutMs: number = STOP_TIMEOUT_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`the core did not stop within ${timeoutMs / 1000} s; quitting anyway`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([running.stop(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
