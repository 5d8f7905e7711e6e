// Reads a JSON request body with a size limit, answering malformed or oversized bodies with the error envelope.
import type { IncomingMessage } from 'node:http';
import { ApiHttpError } from './api-error';

/** The largest body the control API accepts (settings are small). */
export const MAX_BODY_BYTES = 64 * 1024;

/** The deepest nesting of objects and arrays a body may have (settings nest three levels); deeper is a 400, not a stack overflow. */
export const MAX_JSON_DEPTH = 32;

/** Whether JSON `text` nests objects and arrays deeper than `maxDepth`, in one pass that skips strings. */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

/** Reads and parses a JSON body; an empty body is `{}`. Throws `ApiHttpError` 415, 413 or 400. */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes = MAX_BODY_BYTES,
): Promise<unknown> {
  const type = req.headers['content-type'];
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes)
      throw new ApiHttpError(
        413,
        'body-too-large',
        `the request body is larger than ${maxBytes} bytes`,
      );
    chunks.push(chunk);
  }
  if (size === 0) return {};
  if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiHttpError(
      415,
      'invalid-request',
      `expected Content-Type: application/json, got ${type ?? 'none'}`,
      'content-type',
    );
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (nestsDeeperThan(text, MAX_JSON_DEPTH))
    throw new ApiHttpError(
      400,
      'invalid-request',
      `the request body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`,
      'body',
    );
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    throw new ApiHttpError(
      400,
      'invalid-request',
      `the request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      'body',
    );
  }
}
