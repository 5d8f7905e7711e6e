// Start at login: the autostart file a Linux desktop runs, and the login item on macOS and Windows.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  autostartDesktopEntry,
  autostartFilePath,
  currentLauncher,
  execLine,
  linuxAutostartEnabled,
  setLinuxAutostart,
} from './autostart';
import type { LoginItemApp } from './login-item';
import { applyStartAtLogin, startedAtLogin } from './login-item';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'siesta-autostart-'));
  dirs.push(dir);
  return dir;
}

describe('Linux autostart file', () => {
  it('starts the installed app hidden, in the tray', () => {
    const launcher = currentLauncher({
      env: {},
      execPath: '/opt/Siesta/siesta',
      isPackaged: true,
      appPath: '/opt/Siesta/resources/app.asar',
    });
    expect(autostartDesktopEntry(launcher)).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Version=1.0',
        'Name=Siesta',
        'Comment=Puts local GPU model servers to sleep when nobody uses them',
        'Exec=/opt/Siesta/siesta --hidden',
        'Icon=siesta',
        'Terminal=false',
        'Categories=Utility;',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
  });

  it('starts the AppImage file, not its temporary mount, and Electron with the app folder when unpackaged', () => {
    const appImage = currentLauncher({
      env: { APPIMAGE: '/home/ann/Apps/Siesta-0.1.0.AppImage' },
      execPath: '/tmp/.mount_SiestaX/siesta',
      isPackaged: true,
      appPath: '',
    });
    expect(appImage).toEqual({
      execPath: '/home/ann/Apps/Siesta-0.1.0.AppImage',
      args: ['--hidden'],
    });
    const dev = currentLauncher({
      env: {},
      execPath: '/src/node_modules/electron/dist/electron',
      isPackaged: false,
      appPath: '/src',
    });
    expect(dev).toEqual({
      execPath: '/src/node_modules/electron/dist/electron',
      args: ['/src', '--hidden'],
    });
  });

  it('quotes paths with spaces and escapes what the Exec key reserves', () => {
    expect(execLine(['/home/ann/My Apps/Siesta.AppImage', '--hidden'])).toBe(
      '"/home/ann/My Apps/Siesta.AppImage" --hidden',
    );
    expect(execLine(['/opt/a$b"c', '100%'])).toBe('"/opt/a\\\\$b\\\\"c" 100%%');
    expect(execLine(['C:\\x y'])).toBe('"C:\\\\\\\\x y"');
  });

  it('lives in $XDG_CONFIG_HOME/autostart, else ~/.config/autostart', () => {
    expect(autostartFilePath({ XDG_CONFIG_HOME: '/home/ann/.cfg' }, '/home/ann')).toBe(
      '/home/ann/.cfg/autostart/siesta.desktop',
    );
    expect(autostartFilePath({}, '/home/ann')).toBe('/home/ann/.config/autostart/siesta.desktop');
    expect(autostartFilePath({ XDG_CONFIG_HOME: 'relative' }, '/home/ann')).toBe(
      '/home/ann/.config/autostart/siesta.desktop',
    );
  });

  it('writes the file when switched on and removes it when switched off', () => {
    const path = join(tempDir(), 'autostart', 'siesta.desktop');
    const launcher = { execPath: '/opt/Siesta/siesta', args: ['--hidden'] };
    setLinuxAutostart(true, path, launcher);
    expect(linuxAutostartEnabled(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain('Exec=/opt/Siesta/siesta --hidden\n');
    setLinuxAutostart(false, path, launcher);
    expect(linuxAutostartEnabled(path)).toBe(false);
    setLinuxAutostart(false, path, launcher);
  });

  it('names the file when it cannot write it', () => {
    const blocker = join(tempDir(), 'file');
    setLinuxAutostart(true, blocker, { execPath: '/x', args: [] });
    expect(() =>
      setLinuxAutostart(true, join(blocker, 'autostart', 'siesta.desktop'), {
        execPath: '/x',
        args: [],
      }),
    ).toThrow(`could not write the autostart file ${join(blocker, 'autostart', 'siesta.desktop')}`);
  });
});

describe('login items', () => {
  function fakeApp(
    wasOpenedAtLogin = false,
  ): LoginItemApp & { set: Array<{ openAtLogin: boolean; args?: string[] }> } {
    const set: Array<{ openAtLogin: boolean; args?: string[] }> = [];
    return {
      set,
      setLoginItemSettings: (s) => void set.push(s),
      getLoginItemSettings: () => ({
        openAtLogin: set.at(-1)?.openAtLogin ?? false,
        wasOpenedAtLogin,
      }),
    };
  }
  const launcher = { execPath: '/opt/Siesta/siesta', args: ['--hidden'] };

  it('uses the OS login items on macOS and Windows, with the hidden flag on Windows', () => {
    const mac = fakeApp();
    applyStartAtLogin(true, 'darwin', mac, launcher, {});
    const win = fakeApp();
    applyStartAtLogin(true, 'win32', win, launcher, {});
    applyStartAtLogin(false, 'win32', win, launcher, {});
    expect(mac.set).toEqual([{ openAtLogin: true }]);
    expect(win.set).toEqual([
      { openAtLogin: true, args: ['--hidden'] },
      { openAtLogin: false, args: ['--hidden'] },
    ]);
  });

  it('writes the autostart file on Linux', () => {
    const configHome = tempDir();
    const app = fakeApp();
    applyStartAtLogin(true, 'linux', app, launcher, { XDG_CONFIG_HOME: configHome });
    expect(readFileSync(join(configHome, 'autostart', 'siesta.desktop'), 'utf8')).toContain(
      'Exec=/opt/Siesta/siesta --hidden',
    );
    expect(app.set).toEqual([]);
  });

  it('stays in the tray after a login start, opens the window after a start by hand', () => {
    expect(startedAtLogin(['/opt/Siesta/siesta', '--hidden'], 'linux', fakeApp())).toBe(true);
    expect(startedAtLogin(['/opt/Siesta/siesta'], 'linux', fakeApp())).toBe(false);
    expect(
      startedAtLogin(['/Applications/Siesta.app/Contents/MacOS/Siesta'], 'darwin', fakeApp(true)),
    ).toBe(true);
  });
});
