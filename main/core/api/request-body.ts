// Reads a JSON request body with a size limit, answering malformed or oversized bodies with the error envelope.
import type { IncomingMessage } from 'node:http';
import { ApiHttpError } from './api-error';

/** The largest body the control API accepts (settings are small). */
export const MAX_BODY_BYTES = 64 * 1024;

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
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (error: unknown) {
    throw new ApiHttpError(
      400,
      'invalid-request',
      `the request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      'body',
    );
  }
}
