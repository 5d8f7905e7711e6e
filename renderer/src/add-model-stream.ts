// Adds a model through `POST /api/models` and reads its answer as it comes: newline-delimited JSON progress lines.
import {
  AddProgressLineSchema,
  type AddModelBody,
  type AddProgressLine,
} from '../../main/core/api/contract';
import { ApiCallError, apiClient } from './api-client';

/** Sends the request and calls `onLine` for each progress line; rejects with `ApiCallError` for input the server refused. */
export async function addModelStreaming(
  body: AddModelBody,
  onLine: (line: AddProgressLine) => void,
): Promise<void> {
  const res = await apiClient().send('POST', '/api/models', { body });
  if (!res.body) throw new ApiCallError(res.status, 'bad-answer', 'Siesta sent no progress.', null);
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
