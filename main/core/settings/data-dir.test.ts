// Where Siesta keeps its data on each platform.
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from './data-dir';

describe('default data dir', () => {
  it('follows XDG on Linux and falls back to ~/.local/share', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/data/xdg' }, 'linux', '/home/ada')).toBe(
      '/data/xdg/siesta',
    );
    expect(defaultDataDir({}, 'linux', '/home/ada')).toBe('/home/ada/.local/share/siesta');
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative/path' }, 'linux', '/home/ada')).toBe(
      '/home/ada/.local/share/siesta',
    );
  });

  it('uses Application Support on macOS and %APPDATA% on Windows', () => {
    expect(defaultDataDir({}, 'darwin', '/Users/ada')).toBe(
      '/Users/ada/Library/Application Support/Siesta',
    );
    expect(
      defaultDataDir({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ada'),
    ).toBe('C:\\Users\\ada\\AppData\\Roaming\\Siesta');
  });

  it('lets SIESTA_DATA_DIR override every platform', () => {
    expect(
      defaultDataDir({ SIESTA_DATA_DIR: '/srv/siesta', XDG_DATA_HOME: '/x' }, 'linux', '/home/ada'),
    ).toBe('/srv/siesta');
  });
});
