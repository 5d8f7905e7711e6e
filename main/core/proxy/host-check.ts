// Which `Host` headers the gateway answers: loopback, `localhost`, `NAME.localhost` and user-added names.
// Anything else is refused before routing, so a DNS-rebinding page cannot reach a model (Ollama's CVE-2024-28224).

/** Whether a `Host` header's port part is a port, 0..65535. */
function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535;
}

/** How many `Host` headers a request has (Node keeps only the first in `headers`). */
export function hostHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2)
    if (rawHeaders[i]?.length === 4 && rawHeaders[i]?.toLowerCase() === 'host') count++;
  return count;
}

/** The host name of a `Host` header without its port, lower-cased, IPv6 without brackets; null when malformed. */
export function hostNameOf(hostHeader: string | undefined): string | null {
  if (hostHeader === undefined || hostHeader === '') return null;
  const host = hostHeader.toLowerCase();
  if (host.charCodeAt(0) === 91 /* [ */) {
    const end = host.indexOf(']');
    if (end < 0) return null;
    const rest = host.slice(end + 1);
    if (rest !== '' && !isPort(rest.slice(1))) return null;
    return host.slice(1, end);
  }
  const colon = host.indexOf(':');
  const name = colon < 0 ? host : host.slice(0, colon);
  if (colon >= 0 && !isPort(host.slice(colon + 1))) return null;
  if (name === '' || !/^[a-z0-9._~!$&'()*+,;=%-]+$/.test(name)) return null;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Whether a host name is a loopback address or `localhost`. */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name === '::1') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  return /^(0{1,4}:){7}0{0,3}1$/.test(name);
}

/** The model part of `NAME.localhost`, or null for any other host name. */
export function localhostSubdomain(name: string): string | null {
  if (!name.endsWith('.localhost')) return null;
  const sub = name.slice(0, -'.localhost'.length);
  return sub === '' ? null : sub;
}

/** Whether `name` matches a user-added host: exact, `*.suffix` for subdomains, or `*` for any. */
export function matchesAllowedHost(name: string, allowedHosts: readonly string[]): boolean {
  for (const entry of allowedHosts) {
    const allowed = hostNameOf(entry) ?? entry.toLowerCase();
    if (allowed === '*') return true;
    if (allowed.startsWith('*.')) {
      if (name.endsWith(allowed.slice(1))) return true;
    } else if (allowed === name) return true;
  }
  return false;
}

/** The verdict on a `Host` header. */
export type HostVerdict =
  | { readonly kind: 'allowed'; readonly name: string; readonly localhostModel: string | null }
  /** Not exactly one well-formed `Host` header: a 400, as RFC 9112 3.2 asks. */
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Checks a `Host` header. `isModelName` answers whether a (lower-cased) name is a registered model,
 * for `NAME.localhost`; `hostHeaders` is how many the request has (see `hostHeaderCount`).
 */
export function checkHost(
  hostHeader: string | undefined,
  allowedHosts: readonly string[],
  isModelName: (lowerCaseName: string) => boolean,
  hostHeaders = 1,
): HostVerdict {
  if (hostHeaders > 1)
    return {
      kind: 'malformed',
      reason: `the request has ${hostHeaders} Host headers; exactly one is allowed`,
    };
  const name = hostNameOf(hostHeader);
  if (name === null)
    return {
      kind: 'malformed',
      reason:
        hostHeader === undefined
          ? 'the request has no Host header'
          : `the Host header "${hostHeader}" is malformed (expected a host name and an optional port 0..65535)`,
    };
  if (isLoopbackName(name)) return { kind: 'allowed', name, localhostModel: null };
  const sub = localhostSubdomain(name);
  if (sub !== null) {
    if (isModelName(sub)) return { kind: 'allowed', name, localhostModel: sub };
    if (matchesAllowedHost(name, allowedHosts))
      return { kind: 'allowed', name, localhostModel: null };
    return { kind: 'refused', reason: `"${name}" names no registered model (use MODEL.localhost)` };
  }
  if (matchesAllowedHost(name, allowedHosts))
    return { kind: 'allowed', name, localhostModel: null };
  return {
    kind: 'refused',
    reason: `the host "${name}" is not one the gateway answers (loopback, localhost, MODEL.localhost, or a host added in the gateway's allowed hosts)`,
  };
}
