// Electron's security checklist, item by item, on fake sessions and web contents that record the handlers.
import { describe, expect, it } from 'vitest';
import type { GuardedApp, GuardedContents, GuardedSession, NavigationEvent } from './security';
import {
  DASHBOARD_CSP,
  FOREIGN_CSP,
  applyAppSecurity,
  applyContentsSecurity,
  applySessionSecurity,
  isWebUrl,
  secureWebPreferences,
} from './security';

const ORIGIN = 'http://127.0.0.1:11401';

type HeadersListener = Parameters<GuardedSession['webRequest']['onHeadersReceived']>[0];
type PermissionRequest = Parameters<GuardedSession['setPermissionRequestHandler']>[0];
type PermissionCheck = Parameters<GuardedSession['setPermissionCheckHandler']>[0];
type DeviceCheck = Parameters<GuardedSession['setDevicePermissionHandler']>[0];

function fakeSession(): GuardedSession & {
  headers?: HeadersListener;
  request?: PermissionRequest;
  check?: PermissionCheck;
  device?: DeviceCheck;
} {
  const session: GuardedSession & {
    headers?: HeadersListener;
    request?: PermissionRequest;
    check?: PermissionCheck;
    device?: DeviceCheck;
  } = {
    webRequest: { onHeadersReceived: (listener) => void (session.headers = listener) },
    setPermissionRequestHandler: (handler) => void (session.request = handler),
    setPermissionCheckHandler: (handler) => void (session.check = handler),
    setDevicePermissionHandler: (handler) => void (session.device = handler),
  };
  return session;
}

type Listener = (event: NavigationEvent) => void;
interface FakeContents extends GuardedContents {
  readonly listeners: Map<string, Listener[]>;
  openHandler?: (details: { url: string }) => { action: 'deny' };
  emit(event: string, url: string): boolean;
}

function fakeContents(): FakeContents {
  const listeners = new Map<string, Listener[]>();
  const contents: FakeContents = {
    listeners,
    on(event: string, listener: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return contents;
    },
    setWindowOpenHandler(handler) {
      contents.openHandler = handler;
    },
    /** Emits a cancellable event; returns whether a handler prevented it. */
    emit(event, url) {
      let prevented = false;
      for (const listener of listeners.get(event) ?? [])
        listener({ url, preventDefault: () => void (prevented = true) });
      return prevented;
    },
  };
  return contents;
}

function headersFor(
  session: ReturnType<typeof fakeSession>,
  url: string,
  responseHeaders: Record<string, string[]>,
): Record<string, string | string[]> {
  let result: Record<string, string | string[]> | undefined;
  session.headers?.(
    { url, responseHeaders },
    (response) => void (result = response.responseHeaders),
  );
  if (!result) throw new Error('the header listener did not call back');
  return result;
}

describe('window web preferences (checklist 2-4, 6, 8-10, 12)', () => {
  const prefs = secureWebPreferences('/app/dist/preload/index.js');

  it('isolates the page and sandboxes its renderer', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
  });

  it('gives the page, its workers and frames no Node', () => {
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and allows no insecure content, experimental features or <webview>', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.enableBlinkFeatures).toBeUndefined();
  });

  it('loads our preload and puts no token on a command line other users can read', () => {
    expect(prefs.preload).toBe('/app/dist/preload/index.js');
    expect(prefs.additionalArguments).toBeUndefined();
  });
});

describe('session security (checklist 5, 7)', () => {
  it('sets the dashboard CSP on responses from our origin, keeping a policy the server sent', () => {
    const session = fakeSession();
    applySessionSecurity(session, `${ORIGIN}/`);
    const headers = headersFor(session, `${ORIGIN}/index.html`, {
      'content-type': ['text/html'],
      'content-security-policy': ["default-src 'self'"],
    });
    expect(headers['content-type']).toEqual(['text/html']);
    expect(headers['Content-Security-Policy']).toEqual(["default-src 'self'", DASHBOARD_CSP]);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-eval');
    expect(DASHBOARD_CSP).toContain("object-src 'none'");
  });

  it('lets nothing run from any other origin', () => {
    const session = fakeSession();
    applySessionSecurity(session, ORIGIN);
    expect(headersFor(session, 'https://example.com/x.js', {})['Content-Security-Policy']).toEqual([
      FOREIGN_CSP,
    ]);
    expect(headersFor(session, 'http://127.0.0.1:11400/', {})['Content-Security-Policy']).toEqual([
      FOREIGN_CSP,
    ]);
  });

  it('denies every permission request, check and device request', () => {
    const session = fakeSession();
    applySessionSecurity(session, ORIGIN);
    for (const permission of [
      'media',
      'notifications',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fullscreen',
    ]) {
      const answers: boolean[] = [];
      session.request?.({}, permission, (granted) => answers.push(granted));
      expect(answers).toEqual([false]);
      expect(session.check?.({}, permission, ORIGIN)).toBe(false);
    }
    expect(session.device?.({ deviceType: 'usb', origin: ORIGIN })).toBe(false);
  });

  it('refuses an allowed origin that is not a web URL', () => {
    expect(() => applySessionSecurity(fakeSession(), 'about:blank')).toThrow(
      /allowed origin must be an http\(s\) URL, got "about:blank"/,
    );
  });
});

describe('web contents security (checklist 13-15)', () => {
  it('prevents a navigation to a foreign origin and allows our own', () => {
    const contents = fakeContents();
    applyContentsSecurity(contents, ORIGIN, () => Promise.resolve());
    expect(contents.emit('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.emit('will-navigate', 'http://127.0.0.1:11400/')).toBe(true);
    expect(contents.emit('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.emit('will-navigate', `${ORIGIN}/history`)).toBe(false);
  });

  it('holds sub-frames and redirects to the same rule', () => {
    const contents = fakeContents();
    applyContentsSecurity(contents, ORIGIN, () => Promise.resolve());
    expect(contents.emit('will-frame-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.emit('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.emit('will-redirect', `${ORIGIN}/login`)).toBe(false);
  });

  it('denies window.open and opens web links in the browser instead', () => {
    const opened: string[] = [];
    const contents = fakeContents();
    applyContentsSecurity(contents, ORIGIN, (url) => {
      opened.push(url);
      return Promise.resolve();
    });
    expect(contents.openHandler?.({ url: 'https://github.com/siesta/siesta' })).toEqual({
      action: 'deny',
    });
    expect(contents.openHandler?.({ url: 'http://comfy.localhost:11400/' })).toEqual({
      action: 'deny',
    });
    expect(contents.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://github.com/siesta/siesta', 'http://comfy.localhost:11400/']);
  });

  it('keeps going when the browser cannot be opened', async () => {
    const contents = fakeContents();
    applyContentsSecurity(contents, ORIGIN, () => Promise.reject(new Error('no browser')));
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    await Promise.resolve();
  });

  it('never attaches a <webview>', () => {
    const contents = fakeContents();
    applyContentsSecurity(contents, ORIGIN, () => Promise.resolve());
    expect(contents.emit('will-attach-webview', `${ORIGIN}/`)).toBe(true);
  });

  it('only sends web URLs to the browser', () => {
    expect(isWebUrl('https://example.com')).toBe(true);
    expect(isWebUrl('http://localhost:8080/x')).toBe(true);
    for (const url of [
      'file:///x',
      'javascript:void(0)',
      'smb://host/share',
      'vscode://x',
      'not a url',
    ])
      expect(isWebUrl(url)).toBe(false);
  });
});

describe('app security', () => {
  function fakeApp(): GuardedApp & {
    certificate?: Parameters<GuardedApp['on']>[1];
    created?: (event: unknown, contents: GuardedContents) => void;
  } {
    const app: GuardedApp & {
      certificate?: Parameters<GuardedApp['on']>[1];
      created?: (event: unknown, contents: GuardedContents) => void;
    } = {
      on(event: string, listener: never) {
        if (event === 'certificate-error') app.certificate = listener;
        else app.created = listener;
        return app;
      },
    };
    return app;
  }

  it('refuses every certificate error without overriding the default', () => {
    const app = fakeApp();
    applyAppSecurity(app, ORIGIN, () => Promise.resolve());
    const answers: boolean[] = [];
    let prevented = false;
    const listener = app.certificate as (
      event: { preventDefault(): void },
      ...rest: unknown[]
    ) => void;
    listener(
      { preventDefault: () => void (prevented = true) },
      {},
      'https://127.0.0.1:11401/',
      'net::ERR_CERT_AUTHORITY_INVALID',
      {},
      (trusted: boolean) => answers.push(trusted),
    );
    expect(answers).toEqual([false]);
    expect(prevented).toBe(false);
  });

  it('secures every web contents the app creates', () => {
    const app = fakeApp();
    applyAppSecurity(app, ORIGIN, () => Promise.resolve());
    const contents = fakeContents();
    app.created?.({}, contents);
    expect(contents.emit('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });
});
