// The gateway's cross-origin policy: CORS headers only for configured origins, and no cross-site request may wake a model.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** What to do with a request's `Origin`. */
export type OriginVerdict =
  /** No `Origin` (curl, SDKs, navigations) or the page's own origin: no CORS headers. */
  | { readonly kind: 'none' }
  /** A configured origin: reflect it. */
  | { readonly kind: 'cors'; readonly origin: string }
  /** Another site's page: refused, so a web page cannot wake or use a model behind the user's back. */
  | { readonly kind: 'foreign'; readonly origin: string };

function defaultPortless(hostPort: string, scheme: string): string {
  const lower = hostPort.toLowerCase();
  if (scheme === 'http' && lower.endsWith(':80')) return lower.slice(0, -3);
  if (scheme === 'https' && lower.endsWith(':443')) return lower.slice(0, -4);
  return lower;
}

/** Whether `origin` (`http://host:port`) is the origin of the page at `hostHeader`. */
export function sameOrigin(origin: string, hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const match = /^(https?):\/\/([^/]+)$/i.exec(origin);
  if (!match?.[1] || !match[2]) return false;
  const scheme = match[1].toLowerCase();
  return defaultPortless(match[2], scheme) === defaultPortless(hostHeader, 'http');
}

/** Judges the request's `Origin` against the configured CORS origins. */
export function judgeOrigin(
  origin: string | undefined,
  hostHeader: string | undefined,
  corsOrigins: readonly string[],
): OriginVerdict {
  if (origin === undefined) return { kind: 'none' };
  const lower = origin.toLowerCase();
  if (corsOrigins.some((o) => o.toLowerCase() === lower)) return { kind: 'cors', origin };
  if (sameOrigin(origin, hostHeader)) return { kind: 'none' };
  return { kind: 'foreign', origin };
}

/** The headers that let a configured origin read a response. */
export function corsResponseHeaders(origin: string): OutgoingHttpHeaders {
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/** Whether the request is a CORS preflight (answered by the gateway itself, never forwarded). */
export function isPreflight(req: IncomingMessage): boolean {
  return (
    req.method === 'OPTIONS' &&
    req.headers.origin !== undefined &&
    req.headers['access-control-request-method'] !== undefined
  );
}

/** The answer to an allowed preflight: the asked method and headers, cached for 10 minutes. */
export function preflightHeaders(req: IncomingMessage, origin: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    ...corsResponseHeaders(origin),
    'access-control-allow-methods':
      req.headers['access-control-request-method'] ?? 'GET, POST, OPTIONS',
    'access-control-max-age': '600',
  };
  const asked = req.headers['access-control-request-headers'];
  if (asked !== undefined) headers['access-control-allow-headers'] = asked;
  if (req.headers['access-control-request-private-network'] === 'true')
    headers['access-control-allow-private-network'] = 'true';
  headers.vary = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';
  return headers;
}
