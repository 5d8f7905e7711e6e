// Answers the preload's one question (the control API's address and token), only to a page of our own origin.
import type { SiestaBridge } from '../../preload/siesta-bridge';

/** The IPC channel of the preload's synchronous request (preload/index.ts uses the same name). */
export const BRIDGE_CHANNEL = 'siesta:bridge';

/** The part of an `ipcMain` event the handler reads and answers. */
export interface BridgeRequest {
  readonly senderFrame: { readonly url: string } | null;
  returnValue: unknown;
}

/** The part of Electron's `ipcMain` the handler registers on. */
export interface BridgeIpc {
  on(channel: string, listener: (event: BridgeRequest) => void): unknown;
}

/**
 * Registers the answer. The sender's frame must be on `bridge.apiBaseUrl`'s origin (Electron's
 * checklist: validate the sender of every IPC message); anyone else gets null, and the preload
 * then throws instead of exposing anything.
 */
export function handleBridgeRequests(ipc: BridgeIpc, bridge: SiestaBridge): void {
  const allowedOrigin = new URL(bridge.apiBaseUrl).origin;
  ipc.on(BRIDGE_CHANNEL, (event) => {
    event.returnValue =
      senderOrigin(event) === allowedOrigin
        ? { apiBaseUrl: bridge.apiBaseUrl, token: bridge.token }
        : null;
  });
}

function senderOrigin(event: BridgeRequest): string | null {
  if (event.senderFrame === null) return null;
  try {
    return new URL(event.senderFrame.url).origin;
  } catch {
    return null;
  }
}
