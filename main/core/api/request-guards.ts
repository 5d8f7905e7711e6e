// The control API's checks on each request: Host (DNS rebinding), Origin on changes (CSRF), the token, loopback peers.
import type { IncomingMessage } from 'node:http';
import { tokensEqual } from './api-token';

/** The cookie that carries the token for the dashboard (set by `/login`). */
export const TOKEN_COOKIE = 'siesta_token';

/** The `Host` values the server answers: loopback and `localhost` with its port, plus extra host names (with or without a port). */
export function allowedHostsFor(
  port: number,
  boundHost: string,
  extraHosts: readonly string[] = [],
): Set<string> {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const specific = boundHost !== '0.0.0.0' && boundHost !== '::' && boundHost !== '';
  if (specific)
    hosts.add(`${boundHost.includes(':') ? `[${boundHost}]` : boundHost}:${port}`.toLowerCase());
  for (const h of extraHosts)
    hosts.add((/:\d+$/.test(h) && !h.endsWith(']') ? h : `${h}:${port}`).toLowerCase());
  return hosts;
}

/** The origins allowed to change state: the same host names over http. */
export function allowedOriginsFor(hosts: ReadonlySet<string>): Set<string> {
  return new Set([...hosts].map((h) => `http://${h}`));
}

/** Whether the request's `Host` header is one the server answers. */
export function hostAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && allowed.has(host);
}

/** Whether a state-changing request may go on: no `Origin` (a non-browser client) or exactly one of ours. */
export function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  return origin === undefined || allowed.has(origin.toLowerCase());
}

/** The token the request presents: `Authorization: Bearer`, else the cookie; null when none. */
export function presentedToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match?.[1] ?? null;
  }
  return cookiesOf(req).get(TOKEN_COOKIE) ?? null;
}

/** Whether the request carries the right token (constant-time comparison). */
export function tokenValid(req: IncomingMessage, token: string): boolean {
  const presented = presentedToken(req);
  return presented !== null && tokensEqual(presented, token);
}

/** Whether the peer is on this machine (127.0.0.0/8 or ::1, also IPv4-mapped). */
export function fromLoopback(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/** The request's cookies by name. */
export function cookiesOf(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

/** The `Set-Cookie` value that logs the dashboard in: HttpOnly, SameSite=Strict, Path=/, kept for a year. */
export function loginCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000`;
}
