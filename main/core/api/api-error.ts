// The one error envelope of the control API, and the error a handler throws to send it.
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { WakeError } from '../lifecycle/lifecycle-api';
import { SettingsError } from '../settings/settings-store';
import { REPORT_INPUT, firstValidationProblem } from '../settings/validation-problem';
import type { ApiError, ApiErrorCode } from './contract';

/** An error a handler throws; the server answers it as `{ error: { code, message, field } }` with `status`. */
export class ApiHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiHttpError';
  }

  /** The envelope. */
  body(): ApiError {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field !== undefined ? { field: this.field } : {}),
      },
    };
  }
}

/** Parses `input` with `schema` or throws a 400 naming the first bad field (`where` says which part: query, body). */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: string,
): z.output<S> {
  const parsed = schema.safeParse(input, REPORT_INPUT);
  if (parsed.success) return parsed.data;
  const problem = firstValidationProblem(
    parsed.error,
    (key) => `unknown ${where} parameter "${key}"`,
  );
  throw new ApiHttpError(
    400,
    'invalid-request',
    `${where}: ${problem.message}`,
    problem.field || undefined,
  );
}

/** Maps any error to an `ApiHttpError`: wake errors by code, settings errors to 400, the rest to 500 with its message. */
export function toApiHttpError(error: unknown): ApiHttpError {
  if (error instanceof ApiHttpError) return error;
  if (error instanceof SettingsError)
    return new ApiHttpError(400, 'invalid-setting', error.message, error.field || undefined);
  if (error instanceof WakeError) {
    const logs =
      error.logLines.length > 0 ? ` Last log lines: ${error.logLines.slice(-5).join(' | ')}` : '';
    switch (error.code) {
      case 'unknown-model':
        return new ApiHttpError(404, 'unknown-model', error.message, 'name');
      case 'failed':
        return new ApiHttpError(502, 'wake-failed', `${error.sentence()}${logs}`);
      case 'timeout':
        return new ApiHttpError(504, 'wake-timeout', error.message);
      case 'never-fits':
        return new ApiHttpError(507, 'never-fits', error.message);
      case 'stopping':
        return new ApiHttpError(409, 'conflict', error.message);
      case 'aborted':
        return new ApiHttpError(503, 'unavailable', error.message);
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ApiHttpError(500, 'internal', `Siesta failed to answer: ${message}`);
}

/** Sends a JSON body with the status. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** Sends the error envelope (unless headers went out already, e.g. an event stream: then it ends the response). */
export function sendError(res: ServerResponse, error: ApiHttpError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, error.status, error.body(), error.headers);
}
