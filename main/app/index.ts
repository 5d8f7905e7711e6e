// The Electron entry: one instance, the core in this process (see core-starter.ts for why), then the tray shell.
import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  dialog,
  ipcMain,
  nativeImage,
  nativeTheme,
  session,
  shell,
} from 'electron';
import { systemClock } from '../core/clock/clock';
import { ensureManagedYaml } from '../core/manage/managed-yaml-file';
import { defaultDataDir } from '../core/settings/data-dir';
import type { RunningSiesta } from './core-starter';
import { startCore, stopWithin } from './core-starter';
import type { DesktopShell } from './desktop-shell';
import { shellPaths, startDesktopShell } from './desktop-shell';
import { startedAtLogin } from './login-item';
import { electronSqliteBinding } from './native-binding';
import { applyAppSecurity } from './security';

function log(error: Error): void {
  console.error(`[siesta] ${error.message}`);
}

/** A start that cannot go on: say why in a dialog (no stack) and leave. */
function fatal(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`[siesta] ${message}`);
  dialog.showErrorBox('Siesta could not start', message);
  app.exit(1);
}

function main(): void {
  let running: RunningSiesta | null = null;
  let desktop: DesktopShell | null = null;
  let quitting = false;

  // A second launch lands here: show the first instance's window instead of starting another core.
  app.on('second-instance', () => desktop?.showDashboard());
  app.on('activate', () => desktop?.showDashboard());
  // The app lives in the tray: no open window is no reason to quit.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    quitting = true;
    const core = running;
    if (core === null) return;
    // Electron does not wait for async handlers: hold the quit, stop the core, then quit for real.
    event.preventDefault();
    running = null;
    desktop?.dispose();
    stopWithin(core)
      .catch((error: unknown) =>
        log(
          new Error(
            `stopping the core failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        ),
      )
      .finally(() => app.quit());
  });

  const start = async (): Promise<void> => {
    await app.whenReady();
    const appRoot = app.getAppPath();
    const nativeBinding = electronSqliteBinding({
      env: process.env,
      appRoot,
      abi: process.versions.modules,
    });
    // One data folder and one siesta.yaml for the app and the CLI, so `siesta status` finds this daemon.
    const dataDir = defaultDataDir();
    running = await startCore({
      dataDir,
      configPath: ensureManagedYaml(dataDir),
      nativeBinding,
      rendererDir: shellPaths(appRoot).renderer,
    });
    applyAppSecurity(app, running.controlUrl, (url) => shell.openExternal(url));
    desktop = await startDesktopShell(
      {
        app,
        BrowserWindow,
        Menu,
        Notification,
        Tray,
        ipcMain,
        nativeImage,
        nativeTheme,
        session: session.defaultSession,
      },
      running,
      {
        clock: systemClock(),
        platform:
          process.platform === 'darwin' || process.platform === 'win32'
            ? process.platform
            : 'linux',
        env: process.env,
        showWindow: !startedAtLogin(process.argv, process.platform, app),
        isQuitting: () => quitting,
        quit: () => app.quit(),
        log,
      },
    );
  };
  start().catch(fatal);
}

if (app.requestSingleInstanceLock()) main();
else app.quit();
