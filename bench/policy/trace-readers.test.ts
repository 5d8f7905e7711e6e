// The trace readers on slices of the real files in shared/traces/, and their errors on broken input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAzureTrace } from './azure-trace-reader';
import { parseMooncakeTrace } from './mooncake-trace-reader';
import { azureCodeTrace, mooncakeTrace, sharedTracesDir } from './real-traces';
import { keepKeysDivisibleBy, stretch, thinEvery } from './trace-transforms';

/** The first `lines` lines of a real trace file. */
function slice(file: string, lines: number): string {
  return readFileSync(join(sharedTracesDir(), file), 'utf8').split('\n').slice(0, lines).join('\n');
}

describe('trace readers on the real traces', () => {
  it('reads the Azure code trace: times relative to the first row, to the microsecond, and token counts', () => {
    const rows = parseAzureTrace(slice('AzureLLMInferenceTrace_code.csv', 4), 'code.csv');
    // 18:17:03.979960, 18:17:04.031960, ...
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ offsetMs: 0, contextTokens: 4808, generatedTokens: 10 });
    expect(rows[1]?.offsetMs).toBeCloseTo(52, 6);
    expect(rows[1]?.contextTokens).toBe(3180);
  });

  it('reads the Azure conversation trace', () => {
    const rows = parseAzureTrace(slice('AzureLLMInferenceTrace_conv.csv', 3), 'conv.csv');
    // 18:15:46.680590 then 18:15:50.995169.
    expect(rows[1]?.offsetMs).toBeCloseTo(4_314.579, 3);
    expect(rows[1]).toMatchObject({ contextTokens: 396, generatedTokens: 109 });
  });

  it('reads the Mooncake trace with each request conversation key', () => {
    const rows = parseMooncakeTrace(
      slice('mooncake_conversation_trace.jsonl', 5),
      'mooncake.jsonl',
    );
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({ offsetMs: 0, inputTokens: 6758, outputTokens: 500, conversation: 1 });
    expect(rows[1]?.conversation).toBe(14);
  });

  it('names the file, line and field of a broken row', () => {
    expect(() =>
      parseAzureTrace('TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17,1,2', 'x.csv'),
    ).toThrow(
      /^x\.csv:2: TIMESTAMP: expected "YYYY-MM-DD hh:mm:ss.ffffff", got "2023-11-16 18:17"$/,
    );
    expect(() => parseAzureTrace('when,what\n', 'x.csv')).toThrow(/^x\.csv:1: expected the header/);
    expect(() =>
      parseMooncakeTrace(
        '{"timestamp": 0, "input_length": -1, "output_length": 1, "hash_ids": []}',
        'm.jsonl',
      ),
    ).toThrow(/^m\.jsonl:1: input_length: expected a whole number >= 0, got -1$/);
    expect(() =>
      parseMooncakeTrace(
        '{"timestamp": 5, "input_length": 1, "output_length": 1, "hash_ids": []}\n{"timestamp": 2, "input_length": 1, "output_length": 1, "hash_ids": []}',
        'm.jsonl',
      ),
    ).toThrow(/^m\.jsonl:2: timestamp 2 is earlier/);
  });
});

describe('cutting a cloud trace down to one local model', () => {
  it('thins to every k-th request, keeps whole conversations, and stretches gaps but not service times', () => {
    expect(thinEvery([0, 1, 2, 3, 4, 5, 6], 3)).toEqual([0, 3, 6]);
    expect(
      keepKeysDivisibleBy([{ k: 100 }, { k: 7 }, { k: null }, { k: 200 }], (r) => r.k, 100),
    ).toEqual([{ k: 100 }, { k: 200 }]);
    expect(
      stretch(
        [
          { offsetMs: 1_000, serviceMs: 50 },
          { offsetMs: 1_500, serviceMs: 60 },
        ],
        10,
      ),
    ).toEqual([
      { offsetMs: 0, serviceMs: 50 },
      { offsetMs: 5_000, serviceMs: 60 },
    ]);
  });

  it('builds the replayed real traces as their descriptions say', () => {
    const code = azureCodeTrace();
    // 8,819 rows, every 10th: 882; 57.3 min x 10.
    expect(code.requests).toHaveLength(882);
    expect(code.description).toMatch(/every 10th request, then time-stretched x10/);
    expect((code.requests[code.requests.length - 1]?.offsetMs ?? 0) / 3_600_000).toBeCloseTo(
      9.5,
      1,
    );
    const mooncake = mooncakeTrace();
    expect(mooncake.requests.length).toBeGreaterThan(100);
    expect(
      mooncake.requests.every(
        (r, i) => i === 0 || r.offsetMs >= (mooncake.requests[i - 1]?.offsetMs ?? 0),
      ),
    ).toBe(true);
  });
});
