// How a request's body crosses to the model: with the framing it arrived with (Content-Length, or chunked), never as
// raw bytes after the header, so a body can never be read by the model as a second request (request smuggling).
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** What framing the upstream request gets. */
export type BodyFraming =
  | { readonly kind: 'none' }
  /** A body streamed with the client's own framing header, set explicitly on the upstream request. */
  | {
      readonly kind: 'framed';
      readonly header: 'content-length' | 'transfer-encoding';
      readonly value: string;
    }
  /** A body on a method that may not carry one: answer 400. */
  | { readonly kind: 'refused'; readonly why: string };

/** Methods whose requests may not carry content at all (RFC 9110 9.3.8: "A client MUST NOT send content in a TRACE request"). */
const NO_CONTENT_METHODS = new Set(['TRACE', 'CONNECT']);

/**
 * The framing of `req`'s body. Node forwards a GET, HEAD, DELETE or OPTIONS body raw unless a framing header is set
 * on the upstream request, so the client's is always set again here (hop-by-hop `Transfer-Encoding` is otherwise dropped).
 */
export function bodyFraming(req: IncomingMessage): BodyFraming {
  const length = req.headers['content-length'];
  const encoding = req.headers['transfer-encoding'];
  const method = req.method ?? 'GET';
  const carries = encoding !== undefined || (length !== undefined && length !== '0');
  if (!carries) return { kind: 'none' };
  if (NO_CONTENT_METHODS.has(method))
    return { kind: 'refused', why: `a ${method} request may not carry a body` };
  // Node's parser already refused both headers at once and any coding not ending in chunked (400).
  if (encoding !== undefined)
    return { kind: 'framed', header: 'transfer-encoding', value: encoding };
  return { kind: 'framed', header: 'content-length', value: length ?? '0' };
}

/** Sets the framing header on the headers sent upstream. */
export function applyFraming(headers: OutgoingHttpHeaders, framing: BodyFraming): void {
  if (framing.kind !== 'framed') return;
  if (framing.header === 'transfer-encoding') delete headers['content-length'];
  headers[framing.header] = framing.value;
}
