// Finds the OpenAI model a `POST /v1/...` body names (JSON, or a multipart form as the audio endpoints send) and the
// registered model that answers it.
import type { ModelSpec } from '../config/model-spec';
import { scanModelField } from './json-model-scan';

/** Bodies larger than this are scanned for their `model` field instead of parsed whole (memory, not speed). */
const PARSE_WHOLE_BYTES = 1024 ** 2;

/** What a body says about its model: the name, nothing, or a JSON body that cannot be parsed (and why). */
export type ModelField =
  | { readonly kind: 'named'; readonly model: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly why: string };

/** The `model` field of a JSON or multipart body. */
export function modelFieldOf(body: Buffer, contentType: string | undefined): ModelField {
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data'))
    return named(multipartModel(body, type, contentType ?? ''));
  // JSON is the default: SDKs always send it, curl users often forget the header.
  if (body.length > PARSE_WHOLE_BYTES) return scanModelField(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error: unknown) {
    return { kind: 'unreadable', why: error instanceof Error ? error.message : String(error) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { kind: 'missing' };
  const model = (parsed as Record<string, unknown>).model;
  return named(typeof model === 'string' ? model : null);
}

function named(model: string | null): ModelField {
  return model === null || model === '' ? { kind: 'missing' } : { kind: 'named', model };
}

function multipartModel(body: Buffer, lowerType: string, contentType: string): string | null {
  const at = lowerType.indexOf('boundary=');
  if (at < 0) return null;
  let boundary =
    contentType
      .slice(at + 'boundary='.length)
      .split(';')[0]
      ?.trim() ?? '';
  if (boundary.startsWith('"') && boundary.endsWith('"')) boundary = boundary.slice(1, -1);
  if (boundary === '') return null;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const headersStart = start + delimiter.length + 2;
    const headersEnd = body.indexOf('\r\n\r\n', headersStart);
    if (headersEnd < 0) return null;
    const next = body.indexOf(delimiter, headersEnd);
    if (next < 0) return null;
    const headers = body.subarray(headersStart, headersEnd).toString('latin1');
    if (/content-disposition:[^\r\n]*;\s*name="?model"?(\s*;|\s*$|\r)/im.test(headers)) {
      const value = body
        .subarray(headersEnd + 4, next - 2)
        .toString('utf8')
        .trim();
      return value === '' ? null : value;
    }
    start = next;
  }
  return null;
}

/** The registered model answering an OpenAI model name: its aliases first, then Siesta names; exact matches only. */
export function modelForAlias(alias: string, specs: readonly ModelSpec[]): ModelSpec | undefined {
  return specs.find((s) => s.models.includes(alias)) ?? specs.find((s) => s.name === alias);
}
