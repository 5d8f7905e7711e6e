// The dashboard window's preload: exposes `window.siesta = { apiBaseUrl, token }` and nothing else.
// It runs sandboxed, where `require` knows only `electron` and a few built-ins: no relative imports at runtime.
import { contextBridge, ipcRenderer } from 'electron';
import type { SiestaBridge } from './siesta-bridge';

/** The IPC channel the main process answers (main/app/bridge-handler.ts sends the same name). */
export const BRIDGE_CHANNEL = 'siesta:bridge';

/** Checks what the main process answered; a window without the bridge must say why, not half-work. */
export function parseBridge(reply: unknown): SiestaBridge {
  if (typeof reply !== 'object' || reply === null) {
    throw new Error(
      `Siesta preload: the main process gave no API address and token on "${BRIDGE_CHANNEL}" (this page is not Siesta's dashboard)`,
    );
  }
  const { apiBaseUrl, token } = reply as Record<string, unknown>;
  if (typeof apiBaseUrl !== 'string' || !/^https?:\/\//.test(apiBaseUrl)) {
    throw new Error(
      `Siesta preload: apiBaseUrl must be an http(s) URL, got ${JSON.stringify(apiBaseUrl)}`,
    );
  }
  if (typeof token !== 'string' || token === '')
    throw new Error('Siesta preload: the API token is missing or empty');
  return Object.freeze({ apiBaseUrl, token });
}

contextBridge.exposeInMainWorld('siesta', parseBridge(ipcRenderer.sendSync(BRIDGE_CHANNEL)));
