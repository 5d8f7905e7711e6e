// The optional idle watch of a relayed WebSocket (setting `releaseIdleWebSockets`): with no frame either way for the
// model's idle time, the socket stops holding its model awake. It stays open; if the model sleeps, its side closes.
import type { Duplex } from 'node:stream';

/** Calls `release` once nothing crossed `client` or `upstream` for `idleMs` (never when `idleMs` is 0: the model never sleeps). */
export function watchIdleWebSocket(
  client: Duplex,
  upstream: Duplex,
  idleMs: number,
  release: () => void,
): void {
  if (idleMs <= 0) return;
  const timer = setTimeout(release, idleMs);
  timer.unref();
  // `refresh` re-arms the same timer: no allocation per frame.
  const active = (): void => void timer.refresh();
  client.on('data', active);
  upstream.on('data', active);
  const stop = (): void => {
    clearTimeout(timer);
    client.off('data', active);
    upstream.off('data', active);
  };
  client.once('close', stop);
  upstream.once('close', stop);
}
