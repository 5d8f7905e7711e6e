// The headers that cross the gateway: hop-by-hop ones dropped (RFC 9110 7.6.1), X-Forwarded-* added, and the
// upstream's own CORS headers replaced by the gateway's policy; Siesta's own token cookie never reaches a model.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const KEEP_ALIVE_OR_CLOSE = /^\s*(keep-alive|close)\s*$/i;

/** The header names a message's `Connection` header marks as hop-by-hop, besides the standard ones. */
function connectionTokens(headers: IncomingHttpHeaders): ReadonlySet<string> | null {
  const connection = headers.connection;
  // Nearly every message says just keep-alive or close: no tokens to collect, nothing to allocate.
  if (connection === undefined || KEEP_ALIVE_OR_CLOSE.test(connection)) return null;
  const tokens = connection
    .toLowerCase()
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '' && t !== 'close' && t !== 'keep-alive' && t !== 'upgrade');
  return tokens.length === 0 ? null : new Set(tokens);
}

/**
 * The `Cookie` header without the cookie `name`, or null when nothing is left. Cookies ignore ports, so a browser sends
 * the control API's token cookie (set on 127.0.0.1) to the gateway too; a model's web UI must not see it.
 */
export function withoutCookie(cookieHeader: string, name: string): string | null {
  const kept = cookieHeader
    .split(';')
    .map((pair) => pair.trim())
    .filter(
      (pair) =>
        pair !== '' &&
        (pair.indexOf('=') < 0 ? pair : pair.slice(0, pair.indexOf('=')).trim()) !== name,
    );
  return kept.length === 0 ? null : kept.join('; ');
}

/** How the request reaches the upstream. */
export interface ForwardOptions {
  /** The buffered body's length when it is replayed, or null when the body streams through. */
  readonly replayedBodyBytes: number | null;
  /** `/NAME` for path routes, else ''. */
  readonly prefix: string;
  /** Keep `Connection: upgrade` and `Upgrade` (a WebSocket handshake). */
  readonly upgrade: boolean;
  /** Cookies removed from the request (Siesta's own token cookie). */
  readonly privateCookieNames: readonly string[];
}

/** The headers sent upstream: the client's, less hop-by-hop and Siesta's token cookie, with X-Forwarded-For/Host/Proto (and -Prefix). The Host stays the client's, so web UIs that compare Host and Origin keep working. */
export function upstreamRequestHeaders(
  req: IncomingMessage,
  options: ForwardOptions,
): OutgoingHttpHeaders {
  const source = req.headers;
  const extra = connectionTokens(source);
  const out: OutgoingHttpHeaders = {};
  for (const name in source) {
    if (HOP_BY_HOP.has(name) || extra?.has(name)) continue;
    out[name] = source[name];
  }
  if (source.cookie !== undefined && options.privateCookieNames.length > 0) {
    let cookie: string | null = source.cookie;
    for (const name of options.privateCookieNames)
      cookie = cookie === null ? null : withoutCookie(cookie, name);
    if (cookie === null) delete out.cookie;
    else out.cookie = cookie;
  }
  if (options.upgrade && source.upgrade !== undefined) {
    out.connection = 'upgrade';
    out.upgrade = source.upgrade;
  }
  if (options.replayedBodyBytes !== null) out['content-length'] = String(options.replayedBodyBytes);
  const peer = req.socket.remoteAddress ?? '';
  const given = source['x-forwarded-for'];
  const prior = Array.isArray(given) ? given.join(', ') : given;
  out['x-forwarded-for'] = prior === undefined || prior === '' ? peer : `${prior}, ${peer}`;
  if (source.host !== undefined) out['x-forwarded-host'] = source.host;
  out['x-forwarded-proto'] = 'http';
  if (options.prefix !== '') out['x-forwarded-prefix'] = options.prefix;
  return out;
}

/** The headers sent back to the client: the upstream's, less hop-by-hop and less its CORS headers, plus `cors`. */
export function clientResponseHeaders(
  upstream: IncomingHttpHeaders,
  cors: OutgoingHttpHeaders | null,
): OutgoingHttpHeaders {
  const extra = connectionTokens(upstream);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (HOP_BY_HOP.has(name) || extra?.has(name)) continue;
    if (name.startsWith('access-control-')) continue;
    out[name] = upstream[name];
  }
  if (cors !== null) {
    const vary = out.vary;
    Object.assign(out, cors);
    if (vary !== undefined && cors.vary !== undefined)
      out.vary = `${String(vary)}, ${String(cors.vary)}`;
  }
  return out;
}
