// Proxies an HTTP upgrade (WebSocket) to a ready model: replays the handshake upstream, relays the 101 answer, then pipes
// the raw sockets both ways (the client's `head` bytes included) until either side closes.
import { STATUS_CODES, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '../clock/clock';
import type { Upstream } from '../lifecycle/model-state';
import { upstreamRequestHeaders } from './forwarded-headers';
import { UPSTREAM_RETRY_DELAYS_MS } from './forward-http';
import { upstreamUnreachable } from './gateway-errors';
import type { ErrorFlavor } from './openai-errors';
import { sendRawError } from './openai-errors';

/** One upgrade to forward. */
export interface UpgradeForward {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  /** Bytes the client sent after its handshake, before the upgrade completed. */
  readonly head: Buffer;
  readonly model: string;
  readonly upstream: Upstream;
  readonly path: string;
  readonly prefix: string;
  /** Cookies that never reach the model (Siesta's token). */
  readonly privateCookieNames: readonly string[];
  readonly flavor: ErrorFlavor;
  readonly clock: Clock;
  /** Called (possibly more than once) when the connection is over, whichever way it ended. */
  readonly done: () => void;
  /** Called with both sockets once the upgrade went through (the idle watch). */
  readonly relaying?: (client: Duplex, upstream: Duplex) => void;
  readonly retryDelaysMs?: readonly number[];
}

function headLines(
  status: number,
  message: string | undefined,
  rawHeaders: readonly string[],
  drop: ReadonlySet<string>,
): string {
  const lines = [`HTTP/1.1 ${status} ${message ?? STATUS_CODES[status] ?? ''}`];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    if (drop.has(name.toLowerCase())) continue;
    lines.push(`${name}: ${rawHeaders[i + 1] ?? ''}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** How long a side that was ended may still flush (a close frame) before it is cut. */
const HALF_CLOSE_GRACE_MS = 1_000;

const NON_UPGRADE_DROP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
]);

/** Forwards the upgrade; always ends by calling `f.done()`. */
export function forwardUpgrade(f: UpgradeForward): void {
  const { socket } = f;
  const delays = f.retryDelaysMs ?? UPSTREAM_RETRY_DELAYS_MS;
  const headers = upstreamRequestHeaders(f.req, {
    replayedBodyBytes: null,
    prefix: f.prefix,
    upgrade: true,
    privateCookieNames: f.privateCookieNames,
  });
  let attempt = 0;
  let current: ClientRequest | null = null;
  let upstreamSocket: Duplex | null = null;
  let over = false;

  const finish = (): void => {
    if (over) return;
    over = true;
    current?.destroy();
    upstreamSocket?.destroy();
    socket.destroy();
    f.done();
  };
  if (socket.destroyed) {
    finish();
    return;
  }
  /** One side ended (its FIN, a close that many servers never follow up): the use ends now, the other side is ended and then cut. */
  const ended = (): void => {
    if (over) return;
    over = true;
    f.done();
    current?.destroy();
    for (const side of [socket, upstreamSocket]) {
      if (side === null) continue;
      side.end();
      setTimeout(() => side.destroy(), HALF_CLOSE_GRACE_MS).unref();
    }
  };
  socket.once('close', finish);
  socket.on('error', finish);
  socket.once('end', ended);

  const tryOnce = (): void => {
    const upReq = httpRequest({
      host: f.upstream.host,
      port: f.upstream.port,
      method: f.req.method,
      path: f.path,
      headers,
      agent: false,
    });
    current = upReq;
    upReq.end();

    upReq.on('upgrade', (upRes, upSocket, upHead) => {
      upstreamSocket = upSocket;
      if (over) {
        upSocket.destroy();
        return;
      }
      upSocket.setNoDelay(true);
      (socket as Socket).setNoDelay?.(true);
      socket.write(
        `${headLines(upRes.statusCode ?? 101, upRes.statusMessage, upRes.rawHeaders, new Set())}\r\n`,
      );
      if (upHead.length > 0) socket.write(upHead);
      if (f.head.length > 0) upSocket.write(f.head);
      upSocket.pipe(socket);
      socket.pipe(upSocket);
      upSocket.once('close', finish);
      upSocket.on('error', finish);
      upSocket.once('end', ended);
      f.relaying?.(socket, upSocket);
    });

    upReq.on('response', (upRes) => {
      // The model's server declined the upgrade: relay its answer and close.
      if (over) {
        upRes.destroy();
        return;
      }
      socket.write(
        `${headLines(upRes.statusCode ?? 502, upRes.statusMessage, upRes.rawHeaders, NON_UPGRADE_DROP)}Connection: close\r\n\r\n`,
      );
      upRes.pipe(socket);
      upRes.once('close', () => {
        if (!upRes.complete) finish();
      });
    });

    upReq.on('error', (error: NodeJS.ErrnoException) => {
      if (over) return;
      if (upstreamSocket !== null) {
        finish();
        return;
      }
      const code = error.code ?? '';
      if ((code === 'ECONNREFUSED' || code === 'ECONNRESET') && attempt < delays.length) {
        const delay = delays[attempt++] ?? 0;
        void f.clock.sleep(delay).then(() => {
          if (!over) tryOnce();
        });
        return;
      }
      // Ending the socket lets the answer out; its 'close' then finishes.
      sendRawError(
        socket,
        upstreamUnreachable(f.model, f.upstream, code !== '' ? code : error.message),
        f.flavor,
      );
    });
  };
  tryOnce();
}
