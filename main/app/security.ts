// Electron's security checklist in one place: web preferences, CSP, permissions, navigation, new windows, certificates.
// Every window and every web contents goes through here (the pattern of Podman Desktop's SecurityRestrictions).
import type { WebPreferences } from 'electron';

/**
 * The Content-Security-Policy of the dashboard window. Scripts, styles and API calls come only
 * from the control API's origin; no inline script, no eval, no frames, no plugins. Inline styles
 * stay allowed because React's `style` props and chart libraries set them.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The policy for anything from another origin (which navigation rules keep out anyway): nothing runs. */
export const FOREIGN_CSP = "default-src 'none'";

/**
 * The web preferences of every Siesta window: context isolation, the sandbox, no Node in the
 * page or its workers or frames, web security on, no `<webview>`, no insecure content, no
 * experimental features. The preload asks the main process for the API's address and token
 * (main/app/bridge-handler.ts) rather than reading them from `additionalArguments`: a command
 * line is readable by every local user (`ps`, /proc/PID/cmdline), a token must not be.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    webviewTag: false,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/** The part of an Electron `Session` that `applySessionSecurity` sets. */
export interface GuardedSession {
  readonly webRequest: {
    onHeadersReceived(
      listener: (
        details: { readonly url: string; readonly responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void,
      ) => void,
    ): void;
  };
  setPermissionRequestHandler(
    handler: (
      webContents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
    ) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (webContents: unknown, permission: string, requestingOrigin: string) => boolean,
  ): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
}

/**
 * Secures a session: a CSP on every response (ours for `allowedOrigin`, nothing-runs for any
 * other), and every permission request, check and device request denied. The dashboard needs
 * no camera, microphone, notifications, geolocation, clipboard reads or USB.
 */
export function applySessionSecurity(session: GuardedSession, allowedOrigin: string): void {
  const origin = requireOrigin(allowedOrigin);
  session.webRequest.onHeadersReceived((details, callback) => {
    const csp = originOf(details.url) === origin ? DASHBOARD_CSP : FOREIGN_CSP;
    callback({ responseHeaders: withCsp(details.responseHeaders ?? {}, csp) });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** An event Electron lets us cancel, with the URL it is about. */
export interface NavigationEvent {
  readonly url: string;
  preventDefault(): void;
}

/** The part of an Electron `WebContents` that `applyContentsSecurity` sets. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (details: NavigationEvent) => void): unknown;
  on(event: 'will-frame-navigate', listener: (details: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (details: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' }): void;
}

/** Opens a URL in the user's browser (Electron's `shell.openExternal`). */
export type OpenExternal = (url: string) => Promise<void>;

/**
 * Secures a web contents: navigations and redirects (main frame and sub-frames) only within
 * `allowedOrigin`; every `window.open` denied, an http(s) link opened in the user's browser
 * instead; `<webview>` never attached.
 */
export function applyContentsSecurity(
  contents: GuardedContents,
  allowedOrigin: string,
  openExternal: OpenExternal,
): void {
  const origin = requireOrigin(allowedOrigin);
  const keepInside = (details: NavigationEvent): void => {
    if (originOf(details.url) !== origin) details.preventDefault();
  };
  contents.on('will-navigate', keepInside);
  contents.on('will-frame-navigate', keepInside);
  contents.on('will-redirect', keepInside);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isWebUrl(url)) {
      // A failed hand-over to the browser leaves nothing to do in the app: the user can click again.
      openExternal(url).catch(() => undefined);
    }
    return { action: 'deny' };
  });
}

/** The part of Electron's `app` that `applyAppSecurity` sets. */
export interface GuardedApp {
  on(
    event: 'certificate-error',
    listener: (
      event: { preventDefault(): void },
      webContents: unknown,
      url: string,
      error: string,
      certificate: unknown,
      callback: (isTrusted: boolean) => void,
    ) => void,
  ): unknown;
  on(
    event: 'web-contents-created',
    listener: (event: unknown, contents: GuardedContents) => void,
  ): unknown;
}

/**
 * App-wide rules: a certificate error is always refused (the default is already to refuse; saying
 * so means no later code can quietly trust one), and every web contents the app ever creates
 * gets `applyContentsSecurity`.
 */
export function applyAppSecurity(
  app: GuardedApp,
  allowedOrigin: string,
  openExternal: OpenExternal,
): void {
  app.on('certificate-error', (_event, _contents, _url, _error, _certificate, callback) =>
    callback(false),
  );
  app.on('web-contents-created', (_event, contents) =>
    applyContentsSecurity(contents, allowedOrigin, openExternal),
  );
}

/** Only web links go to the browser: never `file:`, `javascript:`, `smb:` or a custom scheme. */
export function isWebUrl(url: string): boolean {
  const parsed = parseUrl(url);
  return parsed !== null && (parsed.protocol === 'http:' || parsed.protocol === 'https:');
}

/** The origin of the allowed URL; a URL without one would let `about:` and `data:` pages through, so it is a bug. */
function requireOrigin(allowedOrigin: string): string {
  const origin = originOf(allowedOrigin);
  if (origin === null)
    throw new Error(
      `security: the allowed origin must be an http(s) URL, got ${JSON.stringify(allowedOrigin)}`,
    );
  return origin;
}

/** A URL's origin, or null when it has none (unparseable, `about:`, `data:`, `file:`). */
function originOf(url: string): string | null {
  const parsed = parseUrl(url);
  if (parsed === null || parsed.origin === 'null') return null;
  return parsed.origin;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Adds our CSP to the response's headers; a policy the server sent stays too (the browser enforces both). */
function withCsp(headers: Record<string, string[]>, csp: string): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  let existing: string[] = [];
  for (const [name, values] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-security-policy') existing = [...existing, ...values];
    else result[name] = values;
  }
  result['Content-Security-Policy'] = [...existing, csp];
  return result;
}
