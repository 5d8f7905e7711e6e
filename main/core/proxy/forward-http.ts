// Forwards one HTTP request to a ready model and streams both ways without buffering: the request body flows upstream
// as it arrives (or the buffered routing body is replayed), the response flows back chunk by chunk (SSE tokens arrive
// when the model sends them). A refused connection is retried briefly; a client that leaves aborts the upstream request.
import { request as httpRequest } from 'node:http';
import type {
  Agent,
  ClientRequest,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';
import type { Clock } from '../clock/clock';
import type { Upstream } from '../lifecycle/model-state';
import { applyFraming, bodyFraming } from './body-framing';
import { clientResponseHeaders, upstreamRequestHeaders } from './forwarded-headers';
import { upstreamUnreachable } from './gateway-errors';
import type { ErrorFlavor } from './openai-errors';
import type { ResponseMeter } from './request-accounting';
import { sendError } from './openai-errors';

/** Waits between attempts when a ready model's server refuses the connection: about one second in all. */
export const UPSTREAM_RETRY_DELAYS_MS: readonly number[] = [50, 100, 150, 200, 250, 250];

const RETRIABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** One request to forward. */
export interface HttpForward {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly model: string;
  readonly upstream: Upstream;
  readonly agent: Agent;
  /** The path upstream (prefix stripped for path routes). */
  readonly path: string;
  /** `/NAME` for path routes, else ''. */
  readonly prefix: string;
  /** Cookies that never reach the model (Siesta's token). */
  readonly privateCookieNames: readonly string[];
  /** The routing body to replay, or null to stream the client's body. */
  readonly body: Buffer | null;
  /** CORS headers to add to the response, or null. */
  readonly cors: OutgoingHttpHeaders | null;
  readonly flavor: ErrorFlavor;
  readonly clock: Clock;
  readonly retryDelaysMs?: readonly number[];
  /** Reads the response for the request's receipt (issue 16), or absent. */
  readonly meter?: ResponseMeter;
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Forwards `f.req` and answers `f.res`; the caller releases its use on `f.res`'s 'close'. */
export function forwardHttp(f: HttpForward): void {
  const { req, res } = f;
  const delays = f.retryDelaysMs ?? UPSTREAM_RETRY_DELAYS_MS;
  const headers = upstreamRequestHeaders(req, {
    replayedBodyBytes: f.body?.length ?? null,
    prefix: f.prefix,
    upgrade: false,
    privateCookieNames: f.privateCookieNames,
  });
  const framing = f.body === null ? bodyFraming(req) : ({ kind: 'none' } as const);
  applyFraming(headers, framing);
  const streamsBody = framing.kind === 'framed';
  let attempt = 0;
  let current: ClientRequest | null = null;
  let clientGone = false;

  res.once('close', () => {
    if (res.writableFinished) return;
    clientGone = true;
    current?.destroy();
  });
  if (streamsBody)
    // A body cut short leaves the upstream connection mid-message: it must never carry another request.
    req.once('close', () => {
      if (!req.complete) current?.destroy();
    });

  const tryOnce = (): void => {
    let bodyStarted = false;
    let responded = false;
    let upReq: ClientRequest;
    try {
      upReq = httpRequest({
        host: f.upstream.host,
        port: f.upstream.port,
        method: req.method,
        path: f.path,
        headers,
        agent: f.agent,
      });
    } catch (error: unknown) {
      sendError(
        res,
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'bad_request',
          message: `Siesta cannot forward this request: ${error instanceof Error ? error.message : String(error)}.`,
        },
        f.flavor,
      );
      return;
    }
    current = upReq;
    if (f.body !== null) upReq.end(f.body);
    else if (!streamsBody) upReq.end();
    else
      upReq.once('socket', (socket) => {
        // Start reading the client's body only once connected, so a refused connection can be retried with nothing lost.
        const pipeBody = (): void => {
          bodyStarted = true;
          req.pipe(upReq);
        };
        if (socket.connecting) socket.once('connect', pipeBody);
        else pipeBody();
      });

    upReq.on('response', (upRes) => {
      responded = true;
      if (clientGone) {
        upRes.destroy();
        return;
      }
      res.writeHead(
        upRes.statusCode ?? 502,
        upRes.statusMessage,
        f.meter
          ? {
              ...clientResponseHeaders(upRes.headers, f.cors),
              ...f.meter.headers(upRes, f.cors !== null),
            }
          : clientResponseHeaders(upRes.headers, f.cors),
      );
      // A stream (no length) may send its first chunk much later: the client should see the headers now.
      if (upRes.headers['content-length'] === undefined) res.flushHeaders();
      if (f.meter) f.meter.pipe(upRes, res);
      else upRes.pipe(res);
      upRes.once('close', () => {
        if (!upRes.complete) res.destroy();
      });
    });

    upReq.on('error', (error) => {
      if (clientGone) return;
      if (responded) {
        res.destroy();
        return;
      }
      const code = errorCode(error);
      if (RETRIABLE.has(code) && !bodyStarted && attempt < delays.length) {
        const delay = delays[attempt++] ?? 0;
        void f.clock.sleep(delay).then(() => {
          if (!clientGone) tryOnce();
        });
        return;
      }
      sendError(
        res,
        upstreamUnreachable(f.model, f.upstream, code !== '' ? code : error.message),
        f.flavor,
        f.cors ?? {},
      );
    });
  };
  tryOnce();
}
