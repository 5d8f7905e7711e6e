// What the Electron preload hands the renderer (`window.siesta`); absent in a browser, which uses relative URLs and the cookie.

/** The preload's object: the control API's base URL and token. */
export interface SiestaBridge {
  readonly apiBaseUrl: string;
  readonly token: string;
}

declare global {
  interface Window {
    readonly siesta?: SiestaBridge;
  }
}

/** The bridge when running in Electron, else null. */
export function siestaBridge(): SiestaBridge | null {
  const bridge = window.siesta;
  return bridge && typeof bridge.apiBaseUrl === 'string' && typeof bridge.token === 'string'
    ? bridge
    : null;
}

/** The base URL API paths are joined to: empty (relative) in a browser. */
export function apiBaseUrl(): string {
  return siestaBridge()?.apiBaseUrl.replace(/\/+$/, '') ?? '';
}
