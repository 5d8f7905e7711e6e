// The dashboard's door to the control API: the shared client (main/core/client) with relative URLs and the cookie in
// a browser, the base URL and token in Electron, saying it is the dashboard, and errors a page can show.
import type { z } from 'zod';
import type { ControlCallError } from '../../main/core/client/control-client';
import { ControlClient } from '../../main/core/client/control-client';
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

/** What a page shows for a failed call: that Siesta is gone, what the API said, or that the answer is not understood. */
export function apiCallErrorOf(error: ControlCallError): ApiCallError {
  switch (error.kind) {
    case 'unreachable':
      return new ApiCallError(
        0,
        'unreachable',
        'Siesta does not answer. Is it still running?',
        null,
      );
    case 'refused':
      return new ApiCallError(error.status, error.code, error.detail, error.field);
    case 'bad-answer':
      return new ApiCallError(
        error.status,
        'bad-answer',
        `Siesta answered ${error.path} with something this page does not understand.`,
        null,
      );
  }
}

/** The client for this page: the bridge's base URL and token in Electron, else relative URLs and the cookie. */
export function apiClient(): ControlClient {
  const endpoint = { controlUrl: apiBaseUrl(), token: siestaBridge()?.token ?? null };
  return new ControlClient(endpoint, { via: 'dashboard', errorOf: apiCallErrorOf });
}

/** Calls the API and parses the answer with `schema`; throws `ApiCallError`. */
export function callApi<S extends z.ZodType>(
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  schema: S,
  body?: unknown,
): Promise<z.output<S>> {
  return apiClient().json(method, path, schema, body);
}

/** Downloads `path` as a file named `fileName` (with the token in Electron, where a plain link cannot carry it). */
export async function downloadFile(path: string, fileName: string): Promise<void> {
  const res = await apiClient().send('GET', path);
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
