// The dashboard window: loads the renderer from the control API, hides instead of closing, one window at a time.
//
// It loads http://127.0.0.1:11401/ (the control API serves dist/renderer there) rather than a
// file:// URL: the page then has one origin for its files, its API calls and its event stream,
// so the CSP (`'self'`), the server's Origin check on changes and the navigation rules are the same
// as for the dashboard in a browser, and file:// with its extra privileges is never used
// (Electron's checklist, item 18). It is plain http, but only on loopback, where no one else on
// the network can see or alter it.
import type { BrowserWindowConstructorOptions, CookiesSetDetails } from 'electron';
import { TOKEN_COOKIE } from '../core/api/request-guards';
import type { GuardedContents } from './security';
import { secureWebPreferences } from './security';

/** The part of a `BrowserWindow` the dashboard window uses. */
export interface WindowLike {
  readonly webContents: GuardedContents;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

/** The window's options: a secure page (security.ts), hidden until its first paint. */
export function dashboardWindowOptions(
  preloadPath: string,
  iconPath: string | undefined,
): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Siesta',
    autoHideMenuBar: true,
    ...(iconPath === undefined ? {} : { icon: iconPath }),
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/**
 * The cookie that logs the window's page in, as `/login?token=` does in a browser: the page's
 * `EventSource` cannot send an Authorization header. A session cookie (no expiry), so the token is
 * not written to the profile on disk; HttpOnly, so the page's scripts cannot read it.
 */
export function loginCookie(controlUrl: string, token: string): CookiesSetDetails {
  return {
    url: controlUrl,
    name: TOKEN_COOKIE,
    value: token,
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: false,
  };
}

/** One dashboard window, made on first use; closing it hides it (the app stays in the tray) unless the app is quitting. */
export class DashboardWindow<W extends WindowLike> {
  private window: W | null = null;

  constructor(
    private readonly create: () => W,
    private readonly url: string,
    private readonly isQuitting: () => boolean,
    private readonly onLoadError: (error: Error) => void,
  ) {}

  /** Shows the window (making it when needed) on `page` when given, restores it when minimised and focuses it. */
  show(page?: 'add'): void {
    const existing = this.window;
    const url = page === undefined ? this.url : `${this.url.replace(/#.*$/, '')}#/${page}`;
    if (existing !== null && !existing.isDestroyed()) {
      if (page !== undefined) this.load(existing, url);
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return;
    }
    const window = this.create();
    this.window = window;
    hideOnClose(window, this.isQuitting);
    window.once('ready-to-show', () => {
      window.show();
      window.focus();
    });
    this.load(window, url);
  }

  private load(window: W, url: string): void {
    window.loadURL(url).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      this.onLoadError(new Error(`the dashboard window could not load ${url}: ${reason}`));
    });
  }
}

/** Closing hides the window; only quitting (tray "Quit", the OS logging out) really closes it. */
export function hideOnClose(
  window: Pick<WindowLike, 'on' | 'hide'>,
  isQuitting: () => boolean,
): void {
  window.on('close', (event) => {
    if (isQuitting()) return;
    event.preventDefault();
    window.hide();
  });
}
