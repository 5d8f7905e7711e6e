// The one object the preload hands the dashboard page: `window.siesta`. Types only; the renderer may import them.

/** What the Electron window's page gets: where the control API is and the token for it. */
export interface SiestaBridge {
  /** The control API's origin, e.g. `http://127.0.0.1:11401` (the page's own origin). */
  readonly apiBaseUrl: string;
  /** Sent as `Authorization: Bearer <token>` on every API call. */
  readonly token: string;
}

declare global {
  interface Window {
    /** Present in the Electron window; absent when the dashboard runs in a browser (`siesta serve`). */
    readonly siesta?: SiestaBridge;
  }
}
