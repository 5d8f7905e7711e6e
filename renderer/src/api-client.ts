// The renderer's calls to the control API: relative URLs and the cookie in a browser, base URL and token in Electron.
import type { z } from 'zod';
import { ApiErrorSchema, VIA_HEADER } from '../../main/core/api/contract';
import { apiBaseUrl, siestaBridge } from './siesta-bridge';

/** An API call that failed: the envelope's code, message and field, and the HTTP status (0 when the server did not answer). */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** The error of a refused call: the envelope's code, message and field, else the HTTP status. */
export function apiErrorOf(res: Response, json: unknown): ApiCallError {
  const envelope = ApiErrorSchema.safeParse(json);
  if (envelope.success)
    return new ApiCallError(
      res.status,
      envelope.data.error.code,
      envelope.data.error.message,
      envelope.data.error.field ?? null,
    );
  return new ApiCallError(res.status, 'http', `${res.status} ${res.statusText}`, null);
}

/** Headers every call sends. */
export function apiHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const bridge = siestaBridge();
  return {
    [VIA_HEADER]: 'dashboard',
    ...(bridge ? { Authorization: `Bearer ${bridge.token}` } : {}),
    ...extra,
  };
}

/** Calls the API and parses the answer with `schema`; throws `ApiCallError`. */
export async function callApi<S extends z.ZodType>(
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  schema: S,
  body?: unknown,
): Promise<z.output<S>> {
  let res: Response;
  try {
    res = await fetch(`${apiBaseUrl()}${path}`, {
      method,
      credentials: 'same-origin',
      headers: apiHeaders(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiCallError(0, 'unreachable', 'Siesta does not answer. Is it still running?', null);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: handled below
  }
  if (!res.ok) throw apiErrorOf(res, json);
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new ApiCallError(
      res.status,
      'bad-answer',
      `Siesta answered ${path} with something this page does not understand.`,
      null,
    );
  return parsed.data;
}

/** Downloads `path` as a file named `fileName` (with the token in Electron, where a plain link cannot carry it). */
export async function downloadFile(path: string, fileName: string): Promise<void> {
  const res = await fetch(`${apiBaseUrl()}${path}`, {
    credentials: 'same-origin',
    headers: apiHeaders(),
  });
  if (!res.ok)
    throw new ApiCallError(
      res.status,
      'http',
      `The download failed: ${res.status} ${res.statusText}`,
      null,
    );
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
