// Right-sizing against published memory figures (within 15%), and its choice of the largest precision that fits.
import { describe, expect, it } from 'vitest';
import { findTemplate } from '../templates/model-templates';
import type { ModelTemplate } from '../templates/model-template';
import { findKnownModel, parseParamCount, paramCountInId } from './model-catalog';
import { PRECISION_IDS, type Precision } from '../templates/precision';
import { PUBLISHED_FIGURES } from './testdata/published-vram';
import { estimateVram, modelFacts, rightSize, type GpuCapacity } from './vram-estimate';

const GiB = 2 ** 30;

function template(id: string): ModelTemplate {
  const found = findTemplate(id);
  if (!found) throw new Error(`no template ${id}`);
  return found;
}

describe('VRAM estimates against published figures', () => {
  it('covers at least five real models and five precisions', () => {
    expect(
      new Set(PUBLISHED_FIGURES.map((f) => findKnownModel(f.modelId)?.title)).size,
    ).toBeGreaterThanOrEqual(5);
    expect(new Set(PUBLISHED_FIGURES.map((f) => f.precision)).size).toBeGreaterThanOrEqual(5);
  });

  it.each(
    PUBLISHED_FIGURES.map(
      (f) =>
        [
          `${f.modelId} ${f.precision} ${f.part}${f.contextTokens ? ` @${f.contextTokens}` : ''}`,
          f,
        ] as const,
    ),
  )('%s is within 15%% of the published figure', (_label, figure) => {
    const facts = modelFacts(figure.modelId);
    expect(facts?.source).toBe('catalog');
    if (!facts) return;
    expect(PRECISION_IDS).toContain(figure.precision);
    const t = template(figure.template);
    expect(t.precisions).toContain(figure.precision);
    const estimate = estimateVram(facts, t, figure.precision as Precision, figure.contextTokens);
    const bytes =
      figure.part === 'weights'
        ? estimate.weightsBytes
        : figure.part === 'kv cache'
          ? estimate.kvCacheBytes
          : estimate.totalBytes;
    expect(Math.abs(bytes - figure.bytes) / figure.bytes).toBeLessThanOrEqual(0.15);
  });
});

describe('right-sizing', () => {
  const gpu = (index: number, totalGiB: number, freeGiB: number | null): GpuCapacity => ({
    index,
    name: `GPU ${index}`,
    totalBytes: totalGiB * GiB,
    freeBytes: freeGiB === null ? null : freeGiB * GiB,
  });
  const llama8b = modelFacts('meta-llama/Llama-3.1-8B-Instruct');
  if (!llama8b) throw new Error('catalog lacks Llama 3.1 8B');

  it('recommends BF16 for Llama 3.1 8B at 8k context on an idle 24 GiB card', () => {
    const report = rightSize(llama8b, template('vllm'), 8192, [gpu(0, 24, 23)]);
    expect(report.recommended).toBe('bf16');
    expect(report.recommendedFitsNow).toBe(true);
    // 16.06 GB weights + 1 GiB KV cache (128 KiB per token) + 2 GiB vLLM overhead.
    const bf16 = report.options[0]?.estimate;
    expect(bf16?.kvCacheBytes).toBe(8192 * 128 * 1024);
    expect((bf16?.totalBytes ?? 0) / GiB).toBeCloseTo(16.06e9 / GiB + 1 + 2, 2);
  });

  it('recommends the largest precision that fits in free memory now, and says what it costs in quality', () => {
    // 12 GiB free of 24: BF16 (~18 GiB) fits only once other models sleep; FP8 (~10.5 GiB) fits now.
    const report = rightSize(llama8b, template('vllm'), 8192, [gpu(0, 24, 12)]);
    expect(report.options.map((o) => [o.estimate.precision, o.fitsNowOn, o.fitsOn])).toEqual([
      ['bf16', [], [0]],
      ['fp8', [0], [0]],
      ['int4', [0], [0]],
    ]);
    expect(report.recommended).toBe('fp8');
    expect(report.qualityNote).toMatch(/half the memory/i);
  });

  it('falls back to what fits at all when nothing fits now, and to null when nothing fits', () => {
    const busy = rightSize(llama8b, template('llama-cpp'), 8192, [gpu(0, 8, 1), gpu(1, 24, 2)]);
    expect(busy.recommended).toBe('fp16');
    expect(busy.recommendedFitsNow).toBe(false);
    const small = rightSize(llama8b, template('llama-cpp'), 8192, [gpu(0, 4, 4)]);
    expect(small.recommended).toBeNull();
    expect(small.qualityNote).toBeNull();
  });

  it('takes the GPU that fits on a two-card box', () => {
    const report = rightSize(llama8b, template('llama-cpp'), 4096, [gpu(0, 8, 7), gpu(1, 24, 20)]);
    const q4 = report.options.find((o) => o.estimate.precision === 'q4_k_m');
    expect(q4?.fitsNowOn).toEqual([0, 1]);
    expect(report.recommended).toBe('fp16');
    expect(report.options[0]?.fitsNowOn).toEqual([1]);
  });

  it('guesses the KV cache from the size in the id when the model is not in the catalog, and says so', () => {
    const facts = modelFacts('someone/Fancy-13B-Chat');
    expect(facts).toMatchObject({ paramCount: 13e9, source: 'model id', kv: null });
    if (!facts) return;
    const estimate = estimateVram(facts, template('vllm'), 'bf16', 4096);
    expect(estimate.kvApproximate).toBe(true);
    expect(estimate.kvCacheBytes).toBeGreaterThan(0);
    expect(modelFacts('someone/mystery-model')).toBeNull();
    expect(modelFacts('someone/mystery-model', 3e9)?.source).toBe('given');
  });

  it('counts no KV cache for speech, embedding and image servers', () => {
    const whisper = modelFacts('Systran/faster-whisper-large-v3');
    if (!whisper) throw new Error('catalog lacks whisper');
    expect(estimateVram(whisper, template('speaches'), 'fp16', 32_768).kvCacheBytes).toBe(0);
  });
});

describe('model ids and parameter counts', () => {
  it('finds the catalog entry from the ids people type', () => {
    expect(findKnownModel('meta-llama/Meta-Llama-3.1-8B-Instruct')?.title).toBe('Llama 3.1 8B');
    expect(findKnownModel('llama3.1:8b')?.title).toBe('Llama 3.1 8B');
    expect(findKnownModel('Qwen/Qwen2.5-Coder-7B-Instruct')?.title).toBe('Qwen2.5 7B');
    expect(findKnownModel('Systran/faster-whisper-large-v3')?.title).toBe('Whisper large');
    expect(findKnownModel('deepdml/faster-whisper-large-v3-turbo-ct2')?.title).toBe(
      'Whisper large-v3 turbo',
    );
  });

  it('reads parameter counts as people write them', () => {
    expect(parseParamCount('8B')).toBe(8e9);
    expect(parseParamCount('1.5b')).toBe(1.5e9);
    expect(parseParamCount('335M')).toBe(335e6);
    expect(parseParamCount('8 GB')).toBeNull();
    expect(parseParamCount('-3B')).toBeNull();
    expect(paramCountInId('mistralai/Mixtral-8x7B')).toBeNull();
    expect(paramCountInId('org/Model-32B-AWQ')).toBe(32e9);
  });
});
