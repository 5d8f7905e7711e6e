// Which rendered PNG the tray loads for an icon state on each platform (files made by build/make-icons.mjs).
import type { TrayIconState } from './tray-icon-state';

/** The platforms Electron reports in `process.platform` that Siesta ships for. */
export type DesktopPlatform = 'darwin' | 'win32' | 'linux';

/**
 * The PNG's file name inside assets/tray/. macOS gets a template image (`asleepTemplate.png`; the
 * `Template` suffix makes macOS tint it for the menu bar, and Electron picks up `@2x` beside it).
 * Elsewhere: `-dark` is drawn for a dark panel (a light glyph), `-light` for a light one.
 */
export function trayIconFile(
  state: TrayIconState,
  platform: DesktopPlatform,
  darkPanel: boolean,
): string {
  if (platform === 'darwin') return `${state}Template.png`;
  return `${state}-${darkPanel ? 'dark' : 'light'}.png`;
}

/**
 * Whether the tray sits on a dark panel. GNOME, KDE and most Linux panels are dark whatever the
 * app theme; Windows follows the system theme.
 */
export function trayPanelIsDark(platform: DesktopPlatform, systemUsesDarkColors: boolean): boolean {
  return platform === 'linux' ? true : systemUsesDarkColors;
}
