import { describe, expect, it } from 'vitest';
import { scanModelField } from './json-model-scan';

const scan = (text: string) => scanModelField(Buffer.from(text));

describe('scanning a large JSON body for its model field', () => {
  it('finds the top-level model, wherever it stands, escapes decoded', () => {
    expect(scan('{"model":"qwen"}')).toEqual({ kind: 'named', model: 'qwen' });
    expect(
      scan(
        ' {\n "messages": [{"model": "inner", "content": "a \\" } ]"}],\n "model" : "q\\u0077en"}',
      ),
    ).toEqual({ kind: 'named', model: 'qwen' });
    expect(scan(`{"pad":"${'x'.repeat(100_000)}","model":"big"}`)).toEqual({
      kind: 'named',
      model: 'big',
    });
  });

  it('skips a "model" that is nested or is a value, and says when there is none', () => {
    expect(scan('{"a":{"model":"inner"},"b":"model"}')).toEqual({ kind: 'missing' });
    expect(scan('{"model":42}')).toEqual({ kind: 'missing' });
    expect(scan('[{"model":"x"}]')).toEqual({ kind: 'missing' });
  });

  it('names what is broken in a body that is not JSON', () => {
    expect(scan('{"pad":"never closes')).toEqual({
      kind: 'unreadable',
      why: 'a string opened at byte 7 never closes',
    });
    expect(scan('{"a":[1,2')).toEqual({
      kind: 'unreadable',
      why: 'the JSON body ends before its last object closes',
    });
  });
});
