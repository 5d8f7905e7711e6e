// The built-in templates turn a user's choice into the command each server documents.
import { describe, expect, it } from 'vitest';
import type { LaunchInput } from './model-template';
import { findTemplate, MODEL_TEMPLATES } from './model-templates';

const input = (over: Partial<LaunchInput> = {}): LaunchInput => ({
  modelId: 'Qwen/Qwen2.5-7B-Instruct',
  name: 'qwen',
  contextTokens: 8192,
  precision: 'bf16',
  gpuMemoryFraction: null,
  ...over,
});

describe('model templates', () => {
  it('offers the seven servers of the issue, each with a loopback-publishable port, a health path and a cache', () => {
    expect(MODEL_TEMPLATES.map((t) => t.id)).toEqual([
      'vllm',
      'llama-cpp',
      'sglang',
      'ollama',
      'tei',
      'speaches',
      'comfyui',
    ]);
    for (const t of MODEL_TEMPLATES) {
      expect(t.healthPath).toMatch(/^\//);
      expect(t.cacheMountPath).toMatch(/^\//);
      expect(t.precisions.length).toBeGreaterThan(0);
      expect(t.image).toMatch(/:[\w.-]+$/);
    }
    expect(findTemplate('nope')).toBeNull();
  });

  it('runs vLLM with the served name, the context length, FP8 on request and a bounded share of the card', () => {
    const vllm = findTemplate('vllm');
    expect(vllm?.launch(input({ precision: 'fp8', gpuMemoryFraction: 0.456 })).cmd).toEqual([
      '--model',
      'Qwen/Qwen2.5-7B-Instruct',
      '--served-model-name',
      'qwen',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
      '--max-model-len',
      '8192',
      '--quantization',
      'fp8',
      '--gpu-memory-utilization',
      '0.46',
    ]);
  });

  it('asks llama.cpp for the GGUF quant by tag unless the id names one', () => {
    const llama = findTemplate('llama-cpp');
    const args =
      llama?.launch(
        input({ modelId: 'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF', precision: 'q4_k_m' }),
      ).cmd ?? [];
    expect(args.slice(0, 2)).toEqual(['-hf', 'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M']);
    expect(args).toContain('--ctx-size');
    const named =
      llama?.launch(input({ modelId: 'org/x-GGUF:Q6_K', precision: 'q4_k_m' })).cmd ?? [];
    expect(named[1]).toBe('org/x-GGUF:Q6_K');
  });

  it('has Ollama pull its model once up, answer to the tag clients know, and report healthy only then', () => {
    const spec = findTemplate('ollama')?.launch(
      input({ modelId: 'llama3.1:8b', precision: 'q4_k_m' }),
    );
    expect(spec?.servedModels).toEqual(['llama3.1:8b']);
    expect(spec?.env).toMatchObject({
      SIESTA_MODEL_ID: 'llama3.1:8b',
      OLLAMA_CONTEXT_LENGTH: '8192',
      OLLAMA_KEEP_ALIVE: '-1',
    });
    expect(spec?.healthcheck).toEqual(['test', '-f', '/tmp/siesta-ready']);
  });

  it('sets faster-whisper INT8 through Speaches and preloads the model', () => {
    const spec = findTemplate('speaches')?.launch(
      input({ modelId: 'Systran/faster-whisper-large-v3', precision: 'int8' }),
    );
    expect(spec?.env).toEqual({
      PRELOAD_MODELS: '["Systran/faster-whisper-large-v3"]',
      WHISPER__COMPUTE_TYPE: 'int8_float16',
    });
  });
});
