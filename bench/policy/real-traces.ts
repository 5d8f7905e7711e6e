// The three real traces of shared/traces/, each cut down to what one local model might see (SOURCES.md asks to say how).
import { join } from 'node:path';
import { readAzureTrace } from './azure-trace-reader';
import { readMooncakeTrace } from './mooncake-trace-reader';
import { llmServiceMs, type Trace } from './trace';
import { keepKeysDivisibleBy, stretch, thinEvery } from './trace-transforms';

/** shared/traces/ beside the repository (the repository root's parent holds shared/). */
export function sharedTracesDir(): string {
  return join(__dirname, '..', '..', '..', 'shared', 'traces');
}

// A Monday 09:00 UTC: the real traces span under a day, so the start only labels the clock.
const REAL_TRACE_START_AT = Date.UTC(2026, 0, 5, 9, 0);

/** The real traces and how each was cut: thinning k, tenant-like subsampling k, and time-stretch factor. */
export const REAL_TRACE_CUTS = {
  azureCode: { thinK: 10, stretch: 10 },
  azureConv: { thinK: 50, stretch: 10 },
  mooncake: { conversationK: 100, stretch: 8 },
} as const;

/**
 * Azure code 2023: every 10th request, gaps x10. Keeps its bursts and its real idle minutes (12 gaps over
 * 60 s become gaps of 10 min and more); 882 requests over 9.5 h.
 */
export function azureCodeTrace(dir: string = sharedTracesDir()): Trace {
  const { thinK, stretch: factor } = REAL_TRACE_CUTS.azureCode;
  const rows = thinEvery(readAzureTrace(join(dir, 'AzureLLMInferenceTrace_code.csv')), thinK);
  return {
    name: 'azure-code',
    description: `Azure LLM code 2023: thinned to every ${thinK}th request, then time-stretched x${factor} (every gap)`,
    startAt: REAL_TRACE_START_AT,
    requests: stretch(
      rows.map((r) => ({
        offsetMs: r.offsetMs,
        serviceMs: llmServiceMs(r.contextTokens, r.generatedTokens),
      })),
      factor,
    ),
  };
}

/** Azure conversation 2023: every 50th request, gaps x10: a steady stream of ~1.5 min gaps; 388 requests over 9.7 h. */
export function azureConvTrace(dir: string = sharedTracesDir()): Trace {
  const { thinK, stretch: factor } = REAL_TRACE_CUTS.azureConv;
  const rows = thinEvery(readAzureTrace(join(dir, 'AzureLLMInferenceTrace_conv.csv')), thinK);
  return {
    name: 'azure-conv',
    description: `Azure LLM conversation 2023: thinned to every ${thinK}th request, then time-stretched x${factor} (every gap)`,
    startAt: REAL_TRACE_START_AT,
    requests: stretch(
      rows.map((r) => ({
        offsetMs: r.offsetMs,
        serviceMs: llmServiceMs(r.contextTokens, r.generatedTokens),
      })),
      factor,
    ),
  };
}

/**
 * Mooncake conversation: the whole conversations whose second prefix block id is divisible by 100 (a
 * tenant-like 1-in-100 subsample that keeps each conversation's turns together), gaps x8; 123 requests over 7.9 h.
 */
export function mooncakeTrace(dir: string = sharedTracesDir()): Trace {
  const { conversationK, stretch: factor } = REAL_TRACE_CUTS.mooncake;
  const rows = keepKeysDivisibleBy(
    readMooncakeTrace(join(dir, 'mooncake_conversation_trace.jsonl')),
    (r) => r.conversation,
    conversationK,
  );
  return {
    name: 'mooncake',
    description: `Mooncake conversation: conversations with hash_ids[1] % ${conversationK} == 0 (about 1 in ${conversationK}), then time-stretched x${factor} (every gap)`,
    startAt: REAL_TRACE_START_AT,
    requests: stretch(
      rows.map((r) => ({
        offsetMs: r.offsetMs,
        serviceMs: llmServiceMs(r.inputTokens, r.outputTokens),
      })),
      factor,
    ),
  };
}
