// Checking a request to add a model: defaults from right-sizing, labels of the spec, and errors that name the field.
import { describe, expect, it } from 'vitest';
import type { GpuCapacity } from '../sizing/vram-estimate';
import { AddModelError } from './add-model-error';
import { planAddModel, type AddModelRequest } from './add-plan';

const GiB = 2 ** 30;
const card = (index: number, totalGiB: number, freeGiB: number): GpuCapacity => ({
  index,
  name: index === 0 ? 'RTX 4090' : 'A100',
  totalBytes: totalGiB * GiB,
  freeBytes: freeGiB * GiB,
});

function refusal(request: AddModelRequest, gpus: readonly GpuCapacity[] = []): AddModelError {
  try {
    planAddModel(request, gpus);
  } catch (error) {
    if (error instanceof AddModelError) return error;
    throw error;
  }
  throw new Error('the plan was accepted');
}

describe('planning an added model', () => {
  it('picks the largest precision that fits now and the GPU it fits on, and labels the container for Siesta', () => {
    const plan = planAddModel(
      { template: 'vllm', name: 'llama', modelId: 'meta-llama/Llama-3.1-8B-Instruct', idle: '5m' },
      [card(0, 24, 12), card(1, 80, 70)],
    );
    expect(plan.precision).toBe('bf16');
    expect(plan.gpu).toEqual({ kind: 'index', index: 1 });
    expect(plan.labels).toMatchObject({
      'siesta.enable': 'true',
      'siesta.name': 'llama',
      'siesta.port': '8000',
      'siesta.health': '/health',
      'siesta.models': 'llama',
      'siesta.idle': '5m',
      'siesta-template.id': 'vllm',
      'siesta-template.precision': 'bf16',
    });
    // vLLM is told to take its estimate's share of the 80 GiB card, not the default 90%.
    const fraction = Number(
      plan.launch.cmd[plan.launch.cmd.indexOf('--gpu-memory-utilization') + 1],
    );
    expect(fraction).toBeCloseTo(
      Math.ceil(((plan.estimate?.totalBytes ?? 0) / (80 * GiB)) * 100) / 100,
      5,
    );
    expect(fraction).toBeLessThan(0.3);
  });

  it('runs without a GPU when the machine shows none, and keeps the given image', () => {
    const plan = planAddModel(
      {
        template: 'llama-cpp',
        name: 'q',
        modelId: 'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF',
        image: 'mirror/llama:1',
      },
      [],
    );
    expect(plan.gpu).toEqual({ kind: 'none' });
    expect(plan.image).toBe('mirror/llama:1');
    expect(plan.precision).toBe('fp16');
  });

  it('refuses a model that cannot fit, and names the precision that would', () => {
    const error = refusal(
      {
        template: 'vllm',
        name: 'big',
        modelId: 'meta-llama/Llama-3.1-70B-Instruct',
        precision: 'bf16',
        gpu: 1,
      },
      [card(0, 24, 24), card(1, 80, 80)],
    );
    expect(error.code).toBe('cannot-fit');
    expect(error.message).toMatch(
      /^precision: Llama 3.1 70B at BF16 .* needs about .*GiB, more than GPU 1 \(A100, 80GiB\) holds; FP8 \(70.25GiB\) fits$/,
    );
  });

  it('names the field of every bad input', () => {
    expect(refusal({ template: 'nope', name: 'x' }).message).toMatch(
      /^template: no template "nope"; the templates are vllm, llama-cpp/,
    );
    expect(refusal({ template: 'vllm', name: 'bad name', modelId: 'a/b' }).field).toBe('name');
    expect(refusal({ template: 'vllm', name: 'x' }).message).toBe(
      'modelId: the vLLM (OpenAI-compatible server) template needs a model id, e.g. Qwen/Qwen2.5-7B-Instruct',
    );
    expect(refusal({ template: 'vllm', name: 'x', modelId: 'a/b', idle: 'soon' }).field).toBe(
      'idle',
    );
    expect(
      refusal({ template: 'vllm', name: 'x', modelId: 'a/b', precision: 'q4_k_m' }).message,
    ).toBe(
      'precision: the vLLM (OpenAI-compatible server) template cannot load "q4_k_m"; it offers bf16, fp8, int4',
    );
    expect(
      refusal({ template: 'vllm', name: 'x', modelId: 'a/b', precision: 'fp3' }).message,
    ).toMatch(/no precision "fp3"/);
    expect(refusal({ template: 'vllm', name: 'x', modelId: 'a/b', contextTokens: 10 }).field).toBe(
      'contextTokens',
    );
    expect(refusal({ template: 'vllm', name: 'x', modelId: 'a/b', hostPort: 70000 }).field).toBe(
      'hostPort',
    );
    expect(refusal({ template: 'vllm', name: 'x', modelId: 'a/b', params: 'big' }).field).toBe(
      'params',
    );
    expect(
      refusal({ template: 'vllm', name: 'x', modelId: 'a/b', gpu: 3 }, [card(0, 24, 24)]).message,
    ).toBe('gpu: no GPU 3; this machine has 0 (RTX 4090)');
    expect(
      refusal({ template: 'vllm', name: 'x', modelId: 'a/b', labels: { 'siesta.pin': 'true' } })
        .field,
    ).toBe('labels');
  });

  it("adds the caller's own labels", () => {
    const plan = planAddModel({ template: 'comfyui', name: 'img', labels: { team: 'vision' } }, []);
    expect(plan.labels.team).toBe('vision');
    expect(plan.sizing).toBeNull();
  });
});
