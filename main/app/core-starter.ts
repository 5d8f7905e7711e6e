// How the shell starts the core: the composition root's `startSiesta`, behind a small interface the shell needs.
//
// The core runs in the Electron main process, not in a utilityProcess. better-sqlite3 is a native
// module: in one process it loads once, built for Electron's ABI, and lives and dies with the app,
// with no second process to spawn, watch, restart and stop on quit. The shell talks to the core
// only through the control API on loopback (as the dashboard does), so moving the core into a
// utilityProcess later changes this file alone. The cost: the core's synchronous work (a SQLite
// write per GPU tick, about a millisecond in WAL mode) runs on the thread that also serves the
// tray menu; at 1 Hz that is not felt.

/** What the shell needs of a running core. */
export interface RunningSiesta {
  /** The control API's base URL, e.g. `http://127.0.0.1:11401`; it also serves the dashboard at `/`. */
  readonly controlUrl: string;
  /** The control API's token (from the data dir). */
  readonly token: string;
  /** Stops the gateway, the control API and the rest; resolves when everything is closed. */
  stop(): Promise<void>;
}

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

/** Starts the core. */
export type StartSiesta = (options: DesktopStartOptions) => Promise<RunningSiesta>;

/**
 * The composition root's `startSiesta` (main/core/siesta.ts). It is looked up at run time so the
 * shell builds and its tests run while the composition root is written; once it exists this can
 * become a static import. `load` is Node's `require` (tests pass their own).
 */
export function loadStartSiesta(load: (id: string) => unknown = requireModule): StartSiesta {
  let loaded: unknown;
  try {
    loaded = load('../core/siesta');
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Siesta cannot start its core: main/core/siesta (the composition root) did not load: ${reason}`,
    );
  }
  const start = (loaded as { startSiesta?: unknown }).startSiesta;
  if (typeof start !== 'function')
    throw new Error(
      'Siesta cannot start its core: main/core/siesta exports no startSiesta function',
    );
  return start as StartSiesta;
}

function requireModule(id: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see loadStartSiesta: the module may not exist yet.
  return require(id);
}

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
