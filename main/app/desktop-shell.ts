// Wires the desktop shell around a running core: session security, the window, the tray, notifications, start at login.
import type * as Electron from 'electron';
import { join } from 'node:path';
import type { Settings, StateResponse } from '../core/api/contract';
import type { Clock, TimerHandle } from '../core/clock/clock';
import { applyApiEvent } from '../core/client/live-state';
import type { TrayAction } from '../core/tray/tray-action';
import type { DesktopPlatform } from '../core/tray/tray-icon-file';
import { trayIconFile, trayPanelIsDark } from '../core/tray/tray-icon-file';
import { currentLauncher } from './autostart';
import { handleBridgeRequests } from './bridge-handler';
import { ControlClient } from '../core/client/control-client';
import type { ShellCore } from './core-starter';
import { applyStartAtLogin } from './login-item';
import { DesktopNotifier } from './notifier';
import { applySessionSecurity } from './security';
import { TrayController } from './tray-controller';
import { DashboardWindow, dashboardWindowOptions, loginCookie } from './window';

/** Today's savings move slowly and come only with a full state: refetched this often. */
const STATE_REFRESH_MS = 60_000;

/** The Electron modules the shell uses, passed in by index.ts (the only file that imports Electron's values). */
export interface ElectronParts {
  readonly app: Electron.App;
  readonly BrowserWindow: typeof Electron.BrowserWindow;
  readonly Menu: typeof Electron.Menu;
  readonly Notification: typeof Electron.Notification;
  readonly Tray: typeof Electron.Tray;
  readonly ipcMain: Electron.IpcMain;
  readonly nativeImage: typeof Electron.nativeImage;
  readonly nativeTheme: Electron.NativeTheme;
  readonly session: Electron.Session;
}

/** Where the shell's files are, from the app's root (`app.getAppPath()`). */
export function shellPaths(appRoot: string): {
  preload: string;
  trayIcons: string;
  appIcon: string;
  renderer: string;
} {
  return {
    preload: join(appRoot, 'dist', 'preload', 'index.js'),
    trayIcons: join(appRoot, 'assets', 'tray'),
    appIcon: join(appRoot, 'assets', 'app-icon.png'),
    renderer: join(appRoot, 'dist', 'renderer'),
  };
}

/** The running shell. */
export interface DesktopShell {
  showDashboard(): void;
  dispose(): void;
}

/** Starts the shell around a running core; `quit` is the tray's Quit. */
export async function startDesktopShell(
  electron: ElectronParts,
  running: ShellCore,
  options: {
    readonly clock: Clock;
    readonly platform: DesktopPlatform;
    readonly env: NodeJS.ProcessEnv;
    readonly showWindow: boolean;
    readonly isQuitting: () => boolean;
    readonly quit: () => void;
    readonly log: (error: Error) => void;
  },
): Promise<DesktopShell> {
  const { app } = electron;
  const { clock, log, platform, env } = options;
  const origin = new URL(running.controlUrl).origin;
  const paths = shellPaths(app.getAppPath());

  applySessionSecurity(electron.session, origin);
  await electron.session.cookies.set(loginCookie(origin, running.token));
  handleBridgeRequests(electron.ipcMain, { apiBaseUrl: origin, token: running.token });
  const window = new DashboardWindow(
    () => new electron.BrowserWindow(dashboardWindowOptions(paths.preload, paths.appIcon)),
    `${origin}/`,
    options.isQuitting,
    log,
  );

  const client = new ControlClient({ controlUrl: origin, token: running.token }, { via: 'tray' });
  let settings: Settings = await client.settings();
  const launcher = currentLauncher({
    env,
    execPath: process.execPath,
    isPackaged: app.isPackaged,
    appPath: app.getAppPath(),
  });
  const applyLogin = (): void => {
    try {
      applyStartAtLogin(settings.autoStart, platform, app, launcher, env);
    } catch (error: unknown) {
      log(error instanceof Error ? error : new Error(String(error)));
    }
  };
  applyLogin();

  const icon = (state: Parameters<typeof trayIconFile>[0]): Electron.NativeImage =>
    electron.nativeImage.createFromPath(
      join(
        paths.trayIcons,
        trayIconFile(
          state,
          platform,
          trayPanelIsDark(platform, electron.nativeTheme.shouldUseDarkColors),
        ),
      ),
    );
  const tray = new electron.Tray(icon('asleep'));
  tray.setToolTip('Siesta: starting…');
  // Windows opens a tray menu only on a right click; a left click should too.
  if (platform === 'win32') tray.on('click', () => tray.popUpContextMenu());

  const failed = (what: string) => (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    log(new Error(`${what}: ${reason}`));
    if (electron.Notification.isSupported())
      new electron.Notification({ title: `Siesta could not ${what}`, body: reason }).show();
  };
  const onAction = (action: TrayAction): void => {
    switch (action.kind) {
      case 'wake':
        client.wake(action.model).catch(failed(`wake ${action.model}`));
        return;
      case 'sleep':
        client.sleep(action.model).catch(failed(`put ${action.model} to sleep`));
        return;
      case 'unload':
        client
          .unload(action.server, action.model)
          .catch(failed(`unload ${action.model} from ${action.server}`));
        return;
      case 'set-auto-sleep-paused':
        client
          .setAutoSleepPaused(action.paused)
          .catch(failed(action.paused ? 'pause auto-sleep' : 'resume auto-sleep'));
        return;
      case 'open-dashboard':
        window.show(action.page);
        return;
      case 'quit':
        options.quit();
        return;
    }
  };
  const controller = new TrayController({
    tray,
    buildMenu: (t) => electron.Menu.buildFromTemplate(t),
    iconFor: icon,
    clock,
    onAction,
    platform,
  });
  electron.nativeTheme.on('updated', () => controller.redraw());

  const notifier = electron.Notification.isSupported()
    ? new DesktopNotifier(
        clock,
        (o) => new electron.Notification(o),
        () => settings.notifications,
        () => window.show(),
      )
    : null;

  let state: StateResponse | null = null;
  const showState = (): void => {
    if (state !== null) controller.show(state, settings);
  };
  const subscription = client.subscribe(
    clock,
    (event) => {
      state = applyApiEvent(state, event);
      if (event.type === 'settings') {
        const autoStartChanged = event.settings.autoStart !== settings.autoStart;
        settings = event.settings;
        if (autoStartChanged) applyLogin();
      }
      notifier?.handle(event);
      showState();
    },
    log,
  );
  let refreshTimer: TimerHandle | null = null;
  const refresh = (): void => {
    refreshTimer = clock.setTimeout(() => {
      client
        .state()
        .then((fresh) => {
          state = fresh;
          showState();
        })
        .catch((error: unknown) => log(error instanceof Error ? error : new Error(String(error))))
        .finally(refresh);
    }, STATE_REFRESH_MS);
  };
  refresh();

  if (options.showWindow) window.show();
  return {
    showDashboard: () => window.show(),
    dispose: () => {
      subscription.close();
      if (refreshTimer !== null) clock.clearTimeout(refreshTimer);
      controller.dispose();
      notifier?.dispose();
      tray.destroy();
    },
  };
}
