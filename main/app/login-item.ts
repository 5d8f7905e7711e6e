// Start at login, per platform: the OS login items on macOS and Windows, an XDG autostart file on Linux.
import type { Launcher } from './autostart';
import { HIDDEN_ARG, autostartFilePath, setLinuxAutostart } from './autostart';

/** The part of Electron's `app` that login items need. */
export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
  getLoginItemSettings(options?: { args?: string[] }): {
    openAtLogin: boolean;
    wasOpenedAtLogin?: boolean;
  };
}

/**
 * Turns start-at-login on or off. Windows keeps the arguments with the login item, so the start
 * is hidden (tray only); macOS takes no arguments and says `wasOpenedAtLogin` instead.
 */
export function applyStartAtLogin(
  enabled: boolean,
  platform: NodeJS.Platform,
  app: LoginItemApp,
  launcher: Launcher,
  env: NodeJS.ProcessEnv,
): void {
  if (platform === 'linux') {
    setLinuxAutostart(enabled, autostartFilePath(env), launcher);
    return;
  }
  if (platform === 'win32') {
    app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_ARG] });
    return;
  }
  app.setLoginItemSettings({ openAtLogin: enabled });
}

/** Whether this start came from a login item: then the app stays in the tray instead of opening its window. */
export function startedAtLogin(
  argv: readonly string[],
  platform: NodeJS.Platform,
  app: LoginItemApp,
): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}
