// The dashboard window: secure options, logged in by an HttpOnly session cookie, one window, hidden on close.
import { describe, expect, it } from 'vitest';
import { TOKEN_COOKIE } from '../core/api/request-guards';
import type { WindowLike } from './window';
import { DashboardWindow, dashboardWindowOptions, hideOnClose, loginCookie } from './window';

function fakeWindow(): WindowLike & {
  log: string[];
  closeListener?: (event: { preventDefault(): void }) => void;
  readyListener?: () => void;
} {
  const w: WindowLike & {
    log: string[];
    closeListener?: (event: { preventDefault(): void }) => void;
    readyListener?: () => void;
  } = {
    log: [],
    webContents: { on: () => undefined, setWindowOpenHandler: () => undefined },
    loadURL: (url) => {
      w.log.push(`load ${url}`);
      return Promise.resolve();
    },
    show: () => void w.log.push('show'),
    hide: () => void w.log.push('hide'),
    focus: () => void w.log.push('focus'),
    restore: () => void w.log.push('restore'),
    isMinimized: () => false,
    isDestroyed: () => false,
    on: (_event, listener) => (w.closeListener = listener),
    once: (_event, listener) => (w.readyListener = listener),
  };
  return w;
}

describe('dashboard window', () => {
  it('is a secure window that stays hidden until its first paint', () => {
    const options = dashboardWindowOptions(
      '/app/dist/preload/index.js',
      '/app/assets/app-icon.png',
    );
    expect(options.show).toBe(false);
    expect(options.icon).toBe('/app/assets/app-icon.png');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
  });

  it('logs its page in with an HttpOnly, SameSite=Strict session cookie, never one kept on disk', () => {
    const cookie = loginCookie('http://127.0.0.1:11401', 'tok');
    expect(cookie).toMatchObject({
      url: 'http://127.0.0.1:11401',
      name: TOKEN_COOKIE,
      value: 'tok',
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
    });
    expect(cookie.expirationDate).toBeUndefined();
  });

  it('makes one window, loads the control API origin, and shows the same window again', () => {
    const made: ReturnType<typeof fakeWindow>[] = [];
    const dashboard = new DashboardWindow(
      () => {
        const w = fakeWindow();
        made.push(w);
        return w;
      },
      'http://127.0.0.1:11401/',
      () => false,
      () => undefined,
    );
    dashboard.show();
    made[0]?.readyListener?.();
    dashboard.show();
    expect(made).toHaveLength(1);
    expect(made[0]?.log).toEqual([
      'load http://127.0.0.1:11401/',
      'show',
      'focus',
      'show',
      'focus',
    ]);
  });

  it('opens on the add-model page for the tray\'s "Add model…", in a new window or the open one', () => {
    const made: ReturnType<typeof fakeWindow>[] = [];
    const dashboard = new DashboardWindow(
      () => {
        const w = fakeWindow();
        made.push(w);
        return w;
      },
      'http://127.0.0.1:11401/',
      () => false,
      () => undefined,
    );
    dashboard.show('add');
    dashboard.show();
    dashboard.show('add');
    expect(made).toHaveLength(1);
    expect(made[0]?.log).toEqual([
      'load http://127.0.0.1:11401/#/add',
      'show',
      'focus',
      'load http://127.0.0.1:11401/#/add',
      'show',
      'focus',
    ]);
  });

  it('says which address failed when the page cannot load', async () => {
    const errors: Error[] = [];
    const dashboard = new DashboardWindow(
      () => ({
        ...fakeWindow(),
        loadURL: () => Promise.reject(new Error('ERR_CONNECTION_REFUSED (-102)')),
      }),
      'http://127.0.0.1:11401/',
      () => false,
      (e) => errors.push(e),
    );
    dashboard.show();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.map((e) => e.message)).toEqual([
      'the dashboard window could not load http://127.0.0.1:11401/: ERR_CONNECTION_REFUSED (-102)',
    ]);
  });

  it('hides instead of closing, until the app quits', () => {
    let quitting = false;
    const w = fakeWindow();
    hideOnClose(w, () => quitting);
    let prevented = false;
    w.closeListener?.({ preventDefault: () => void (prevented = true) });
    expect(prevented).toBe(true);
    expect(w.log).toEqual(['hide']);
    quitting = true;
    prevented = false;
    w.closeListener?.({ preventDefault: () => void (prevented = true) });
    expect(prevented).toBe(false);
    expect(w.log).toEqual(['hide']);
  });
});
