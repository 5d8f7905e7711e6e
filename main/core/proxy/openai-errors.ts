// How the gateway answers an error: the OpenAI shape `{"error":{"message","type","code"}}` on `/v1/` routes, plain JSON or
// text elsewhere, and a raw HTTP response on a socket being upgraded. Never a stack trace.
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** An error the gateway answers itself. */
export interface GatewayError {
  readonly status: number;
  readonly message: string;
  /** OpenAI error type: `invalid_request_error`, `permission_error`, `server_error`. */
  readonly type: string;
  /** Machine-readable code, e.g. `model_not_found`. */
  readonly code: string;
  readonly headers?: OutgoingHttpHeaders;
}

/** The body style an error is answered in. */
export type ErrorFlavor = 'openai' | 'json' | 'text' | 'ollama';

/** OpenAI shape for `/v1/` paths; JSON for clients that ask for it; text for the rest (browsers, curl). */
export function errorFlavor(req: IncomingMessage, paths: readonly string[]): ErrorFlavor {
  if (paths.some((p) => p.startsWith('/v1/') || p === '/v1')) return 'openai';
  const accept = req.headers.accept ?? '';
  if (accept.includes('json') || (req.headers['content-type'] ?? '').includes('json'))
    return 'json';
  return 'text';
}

/** The body and its content type. */
export function errorBody(
  error: GatewayError,
  flavor: ErrorFlavor,
): { readonly body: string; readonly contentType: string } {
  switch (flavor) {
    case 'openai':
      return {
        body: JSON.stringify({
          error: { message: error.message, type: error.type, code: error.code },
        }),
        contentType: 'application/json',
      };
    case 'json':
      return {
        body: JSON.stringify({ error: error.message, code: error.code }),
        contentType: 'application/json',
      };
    case 'text':
      return { body: `${error.message}\n`, contentType: 'text/plain; charset=utf-8' };
    case 'ollama':
      // Ollama's own shape: its clients read `error` (the code is in the X-Siesta-Error header).
      return {
        body: JSON.stringify({ error: error.message }),
        contentType: 'application/json; charset=utf-8',
      };
  }
}

/** Sends an error unless the response has started (then the connection is cut, the only honest signal left). */
export function sendError(
  res: ServerResponse,
  error: GatewayError,
  flavor: ErrorFlavor,
  extraHeaders: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { body, contentType } = errorBody(error, flavor);
  res.writeHead(error.status, {
    ...extraHeaders,
    ...(error.headers ?? {}),
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-siesta-error': error.code,
  });
  res.end(body);
}

/** Writes an error as a raw HTTP/1.1 response on a socket (a refused WebSocket upgrade) and closes it. */
export function sendRawError(socket: Duplex, error: GatewayError, flavor: ErrorFlavor): void {
  if (socket.destroyed) return;
  const { body, contentType } = errorBody(error, flavor);
  const lines = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    `Content-Type: ${contentType}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Siesta-Error: ${error.code}`,
    'Connection: close',
  ];
  for (const [name, value] of Object.entries(error.headers ?? {}))
    if (value !== undefined)
      lines.push(`${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
