// Where Siesta keeps its data (settings, token, ledger): the platform's per-user data folder.
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';

/** The per-user data folder: `$SIESTA_DATA_DIR` if set; Linux `$XDG_DATA_HOME/siesta` or `~/.local/share/siesta`; macOS `~/Library/Application Support/Siesta`; Windows `%APPDATA%\Siesta`. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env.SIESTA_DATA_DIR?.trim();
  if (override) return override;
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Siesta');
    case 'win32':
      return win32.join(env.APPDATA?.trim() || win32.join(home, 'AppData', 'Roaming'), 'Siesta');
    default: {
      // XDG Base Directory: a relative XDG_DATA_HOME is invalid and must be ignored.
      const xdg = env.XDG_DATA_HOME?.trim();
      return xdg && xdg.startsWith('/')
        ? join(xdg, 'siesta')
        : join(home, '.local', 'share', 'siesta');
    }
  }
}
