// What the gateway learns of a request before forwarding it, for its receipt: who sent it (an API key's hash or the
// User-Agent), whether it streams and asked for usage, and the body with `stream_options.include_usage` added when not.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** How a streamed response's usage is had. */
export type UsageMode =
  /** Not a stream, or a stream whose body Siesta could not read: usage is read as it passes, else estimated. */
  | 'pass'
  /** The client asked for usage: its usage event carries the receipt. */
  | 'client-asked'
  /** Siesta asked for it: the usage event is taken out, so the client gets the stream it would have had. */
  | 'injected';

/** A request's facts for accounting, and the body to forward. */
export interface UsageRequest {
  readonly client: string;
  readonly mode: UsageMode;
  /** The prompt's tokens estimated from its text (about 4 characters a token), or null without a readable body. */
  readonly promptTokensEstimate: () => number | null;
  /** The body to forward: the client's, or with `stream_options.include_usage` added. */
  readonly body: Buffer | null;
}

/** Characters per token of English text, for estimates only (OpenAI's rule of thumb). */
export const CHARS_PER_TOKEN = 4;
/**
 * A body larger than this is estimated from its length, not parsed: parsing a 60 MB body for an estimate made a
 * copy of it as a string and as objects, and six at once took the daemon far past the routing-body budget.
 */
const PARSE_FOR_ESTIMATE_MAX_BYTES = 1024 * 1024;

/** The client as stored: `key:` and 12 hex digits of the API key's SHA-256, else the User-Agent, else `unknown`. */
export function clientOf(headers: IncomingHttpHeaders): string {
  const auth = headers.authorization;
  const key = typeof auth === 'string' ? /^Bearer\s+(\S+)/i.exec(auth)?.[1] : undefined;
  if (key !== undefined && key !== '')
    return `key:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
  const agent = headers['user-agent'];
  if (typeof agent === 'string' && agent.trim() !== '') return agent.trim().slice(0, 80);
  return 'unknown';
}

function textLengthOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textLengthOf(v), 0);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return textLengthOf(o.content) + textLengthOf(o.text);
  }
  return 0;
}

function parsedObject(body: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * The accounting facts of a request whose JSON body Siesta read (`body`), or of one it streams through unread
 * (null). A streaming chat or text completion that did not ask for usage gets `stream_options.include_usage`.
 */
export function usageRequest(
  headers: IncomingHttpHeaders,
  path: string,
  body: Buffer | null,
): UsageRequest {
  const client = clientOf(headers);
  if (body === null) return { client, mode: 'pass', promptTokensEstimate: () => null, body };
  // Only a stream needs reading now; a whole answer's usage comes with it, and the estimate is made only without one.
  const completions = /\/(chat\/)?completions\/?(\?|$)/.test(path);
  const json = completions && body.includes('"stream"') ? parsedObject(body) : null;
  const promptTokensEstimate = (): number | null => {
    if (json === null && body.length > PARSE_FOR_ESTIMATE_MAX_BYTES)
      return Math.max(1, Math.round(body.length / CHARS_PER_TOKEN));
    const parsed = json ?? parsedObject(body);
    if (parsed === null) return null;
    const promptChars = textLengthOf(parsed.messages) + textLengthOf(parsed.prompt);
    return Math.max(1, Math.round(promptChars / CHARS_PER_TOKEN));
  };
  if (json === null || json.stream !== true)
    return { client, mode: 'pass', promptTokensEstimate, body };
  const options = json.stream_options;
  if (options !== null && typeof options === 'object' && !Array.isArray(options)) {
    if ((options as Record<string, unknown>).include_usage === true)
      return { client, mode: 'client-asked', promptTokensEstimate, body };
    const rewritten = { ...json, stream_options: { ...options, include_usage: true } };
    return {
      client,
      mode: 'injected',
      promptTokensEstimate,
      body: Buffer.from(JSON.stringify(rewritten)),
    };
  }
  if (options !== undefined) return { client, mode: 'pass', promptTokensEstimate, body };
  // No stream_options: the field goes in first, the client's bytes follow unchanged.
  const open = body.indexOf('{');
  return {
    client,
    mode: 'injected',
    promptTokensEstimate,
    body: Buffer.concat([
      body.subarray(0, open + 1),
      // `stream` is there (it is true), so a comma always follows.
      Buffer.from('"stream_options":{"include_usage":true},'),
      body.subarray(open + 1),
    ]),
  };
}
