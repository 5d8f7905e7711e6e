// Finds the top-level `model` field of a large JSON body in one pass over its bytes, without building the body as a
// string or an object: a 60 MB body then costs its buffer and nothing more (JSON.parse would add two copies).

/** The scan's answer: the field's value, no such field, or a body whose structure is broken. */
export type ScannedModel =
  | { readonly kind: 'named'; readonly model: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly why: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MODEL_KEY = Buffer.from('"model"');

/** The index just past the string that opens at `start` (a quote), or -1 when it never closes. */
function stringEnd(body: Buffer, start: number): number {
  for (let i = start + 1; i < body.length; i++) {
    const c = body[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Scans `body`, a JSON document, for its top-level `"model": "..."`. Values other than that string are skipped, not checked. */
export function scanModelField(body: Buffer): ScannedModel {
  let i = 0;
  while (isSpace(body[i])) i++;
  if (body[i] !== 0x7b /* { */) return { kind: 'missing' };
  let depth = 0;
  let expectKey = false;
  for (; i < body.length; i++) {
    const c = body[i];
    if (c === QUOTE) {
      const end = stringEnd(body, i);
      if (end < 0) return { kind: 'unreadable', why: `a string opened at byte ${i} never closes` };
      if (
        depth === 1 &&
        expectKey &&
        end - i === MODEL_KEY.length &&
        body.compare(MODEL_KEY, 0, MODEL_KEY.length, i, end) === 0
      ) {
        let j = end;
        while (isSpace(body[j])) j++;
        if (body[j] !== 0x3a /* : */)
          return { kind: 'unreadable', why: `expected ":" after "model" at byte ${j}` };
        j++;
        while (isSpace(body[j])) j++;
        if (body[j] !== QUOTE) return { kind: 'missing' };
        const valueEnd = stringEnd(body, j);
        if (valueEnd < 0)
          return { kind: 'unreadable', why: `the "model" value at byte ${j} never closes` };
        try {
          const model = JSON.parse(body.toString('utf8', j, valueEnd)) as string;
          return model === '' ? { kind: 'missing' } : { kind: 'named', model };
        } catch (error: unknown) {
          return {
            kind: 'unreadable',
            why: error instanceof Error ? error.message : String(error),
          };
        }
      }
      expectKey = false;
      i = end - 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      if (depth === 0) return { kind: 'missing' };
      if (depth < 0)
        return { kind: 'unreadable', why: `an unmatched "${String.fromCharCode(c)}" at byte ${i}` };
    } else if (c === 0x2c /* , */) expectKey = true;
  }
  return { kind: 'unreadable', why: 'the JSON body ends before its last object closes' };
}
