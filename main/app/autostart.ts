// Start at login on Linux: an XDG autostart `.desktop` file in ~/.config/autostart (the XDG Autostart spec).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The file's name; desktop environments run every `*.desktop` in the autostart folder at login. */
export const AUTOSTART_FILE_NAME = 'siesta.desktop';

/** The argument a login start passes, so the app starts in the tray without opening its window. */
export const HIDDEN_ARG = '--hidden';

/** How to start this app again from outside: the executable and its arguments. */
export interface Launcher {
  readonly execPath: string;
  readonly args: readonly string[];
}

/**
 * The command that starts this app. An AppImage runs from a temporary mount that is gone after
 * exit, so the AppImage file itself ($APPIMAGE) must be started; an unpackaged app is Electron
 * plus the app's folder.
 */
export function currentLauncher(options: {
  env: NodeJS.ProcessEnv;
  execPath: string;
  isPackaged: boolean;
  appPath: string;
}): Launcher {
  if (options.env.APPIMAGE) return { execPath: options.env.APPIMAGE, args: [HIDDEN_ARG] };
  if (!options.isPackaged)
    return { execPath: options.execPath, args: [options.appPath, HIDDEN_ARG] };
  return { execPath: options.execPath, args: [HIDDEN_ARG] };
}

/** `$XDG_CONFIG_HOME/autostart/siesta.desktop`, or `~/.config/autostart/siesta.desktop`. */
export function autostartFilePath(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  const configHome =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/')
      ? env.XDG_CONFIG_HOME
      : join(home, '.config');
  return join(configHome, 'autostart', AUTOSTART_FILE_NAME);
}

/** The `.desktop` entry that starts `launcher` at login. */
export function autostartDesktopEntry(launcher: Launcher): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Siesta',
    'Comment=Puts local GPU model servers to sleep when nobody uses them',
    `Exec=${execLine([launcher.execPath, ...launcher.args])}`,
    'Icon=siesta',
    'Terminal=false',
    'Categories=Utility;',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes or removes the autostart file. Errors name the file. */
export function setLinuxAutostart(enabled: boolean, path: string, launcher: Launcher): void {
  try {
    if (enabled) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, autostartDesktopEntry(launcher), { mode: 0o644 });
    } else {
      rmSync(path, { force: true });
    }
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `could not ${enabled ? 'write' : 'remove'} the autostart file ${path}: ${reason}`,
    );
  }
}

/** Whether the autostart file is there. */
export function linuxAutostartEnabled(path: string): boolean {
  return existsSync(path);
}

/**
 * An `Exec=` value: each argument quoted where it must be (Desktop Entry spec, "The Exec key":
 * reserved characters need double quotes, and inside them `"`, `` ` ``, `$` and `\` a backslash),
 * `%` doubled (it starts a field code), then the whole value escaped as a desktop-file string,
 * which doubles every backslash once more.
 */
export function execLine(argv: readonly string[]): string {
  const quoted = argv.map((arg) => {
    const safe = /^[A-Za-z0-9_\-./=:,+@%]+$/.test(arg)
      ? arg
      : `"${arg.replace(/["`$\\]/g, '\\$&')}"`;
    return safe.replace(/%/g, '%%');
  });
  return quoted
    .join(' ')
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r');
}
