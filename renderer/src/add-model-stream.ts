// Adds a model through `POST /api/models` and reads its answer as it comes: newline-delimited JSON progress lines.
import {
  AddProgressLineSchema,
  type AddModelBody,
  type AddProgressLine,
} from '../../main/core/api/contract';
import { ApiCallError, apiErrorOf, apiHeaders } from './api-client';
import { apiBaseUrl } from './siesta-bridge';

/** Sends the request and calls `onLine` for each progress line; rejects with `ApiCallError` for input the server refused. */
export async function addModelStreaming(
  body: AddModelBody,
  onLine: (line: AddProgressLine) => void,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${apiBaseUrl()}/api/models`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: apiHeaders({ 'Content-Type': 'application/json' }),
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiCallError(0, 'unreachable', 'Siesta does not answer. Is it still running?', null);
  }
  if (!res.ok || !res.body) throw apiErrorOf(res, await res.json().catch(() => null));
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const parsed = AddProgressLineSchema.safeParse(JSON.parse(text));
      if (parsed.success) onLine(parsed.data);
    }
  }
}
