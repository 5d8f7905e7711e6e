// Published memory figures that right-sizing is checked against, each with its source. `part` says which part of the
// estimate a figure measures: weights alone (a checkpoint's or file's size), the KV cache alone, or the whole process.

/** One published figure. */
export interface PublishedFigure {
  readonly source: string;
  readonly modelId: string;
  readonly template: string;
  readonly precision: string;
  readonly contextTokens: number;
  readonly part: 'weights' | 'kv cache' | 'total';
  readonly bytes: number;
}

const GB = 1e9;
const GiB = 2 ** 30;
const MiB = 2 ** 20;

const HF_LLAMA31 =
  'https://huggingface.co/blog/llama31#inference-memory-requirements (tables "Inference Memory Requirements" and "KV cache size, FP16")';
const BARTOWSKI =
  'https://huggingface.co/bartowski/Meta-Llama-3.1-8B-Instruct-GGUF (README, "Download a file": file sizes)';
const OLLAMA =
  'https://ollama.com/library (model page, default tag size; the default tags are Q4_K_M)';
const FASTER_WHISPER =
  'https://github.com/SYSTRAN/faster-whisper#benchmark ("Large-v2 model on GPU", beam size 5, VRAM usage as nvidia-smi reports, MiB)';

/** The figures. The HF blog's KV table counts 16k as 16,000 tokens and 128k as 128,000, in GiB. */
export const PUBLISHED_FIGURES: readonly PublishedFigure[] = [
  {
    source: HF_LLAMA31,
    modelId: 'meta-llama/Llama-3.1-8B-Instruct',
    template: 'vllm',
    precision: 'bf16',
    contextTokens: 0,
    part: 'weights',
    bytes: 16 * GB,
  },
  {
    source: HF_LLAMA31,
    modelId: 'meta-llama/Llama-3.1-8B-Instruct',
    template: 'vllm',
    precision: 'fp8',
    contextTokens: 0,
    part: 'weights',
    bytes: 8 * GB,
  },
  {
    source: HF_LLAMA31,
    modelId: 'meta-llama/Llama-3.1-8B-Instruct',
    template: 'vllm',
    precision: 'int4',
    contextTokens: 0,
    part: 'weights',
    bytes: 4 * GB,
  },
  {
    source: HF_LLAMA31,
    modelId: 'meta-llama/Llama-3.1-70B-Instruct',
    template: 'vllm',
    precision: 'bf16',
    contextTokens: 0,
    part: 'weights',
    bytes: 140 * GB,
  },
  {
    source: HF_LLAMA31,
    modelId: 'meta-llama/Llama-3.1-70B-Instruct',
    template: 'vllm',
    precision: 'fp8',
    contextTokens: 0,
    part: 'weights',
    bytes: 70 * GB,
  },
  {
    source: HF_LLAMA31,
    modelId: 'meta-llama/Llama-3.1-70B-Instruct',
    template: 'sglang',
    precision: 'int4',
    contextTokens: 0,
    part: 'weights',
    bytes: 35 * GB,
  },
  {
    source: HF_LLAMA31,
    modelId: 'meta-llama/Llama-3.1-8B-Instruct',
    template: 'vllm',
    precision: 'bf16',
    contextTokens: 16_000,
    part: 'kv cache',
    bytes: 1.95 * GiB,
  },
  {
    source: HF_LLAMA31,
    modelId: 'meta-llama/Llama-3.1-8B-Instruct',
    template: 'vllm',
    precision: 'bf16',
    contextTokens: 128_000,
    part: 'kv cache',
    bytes: 15.62 * GiB,
  },
  {
    source: HF_LLAMA31,
    modelId: 'meta-llama/Llama-3.1-70B-Instruct',
    template: 'vllm',
    precision: 'bf16',
    contextTokens: 16_000,
    part: 'kv cache',
    bytes: 4.88 * GiB,
  },
  {
    source: HF_LLAMA31,
    modelId: 'meta-llama/Llama-3.1-70B-Instruct',
    template: 'vllm',
    precision: 'bf16',
    contextTokens: 128_000,
    part: 'kv cache',
    bytes: 39.06 * GiB,
  },
  {
    source: BARTOWSKI,
    modelId: 'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF',
    template: 'llama-cpp',
    precision: 'fp16',
    contextTokens: 0,
    part: 'weights',
    bytes: 16.07 * GB,
  },
  {
    source: BARTOWSKI,
    modelId: 'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF',
    template: 'llama-cpp',
    precision: 'q8_0',
    contextTokens: 0,
    part: 'weights',
    bytes: 8.54 * GB,
  },
  {
    source: BARTOWSKI,
    modelId: 'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF',
    template: 'llama-cpp',
    precision: 'q5_k_m',
    contextTokens: 0,
    part: 'weights',
    bytes: 5.73 * GB,
  },
  {
    source: BARTOWSKI,
    modelId: 'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF',
    template: 'llama-cpp',
    precision: 'q4_k_m',
    contextTokens: 0,
    part: 'weights',
    bytes: 4.92 * GB,
  },
  {
    source: OLLAMA,
    modelId: 'llama3.1:70b',
    template: 'ollama',
    precision: 'q4_k_m',
    contextTokens: 0,
    part: 'weights',
    bytes: 43 * GB,
  },
  {
    source: OLLAMA,
    modelId: 'qwen2.5:7b',
    template: 'ollama',
    precision: 'q4_k_m',
    contextTokens: 0,
    part: 'weights',
    bytes: 4.7 * GB,
  },
  {
    source: OLLAMA,
    modelId: 'qwen2.5:72b',
    template: 'ollama',
    precision: 'q4_k_m',
    contextTokens: 0,
    part: 'weights',
    bytes: 47 * GB,
  },
  {
    source: FASTER_WHISPER,
    modelId: 'Systran/faster-whisper-large-v2',
    template: 'speaches',
    precision: 'fp16',
    contextTokens: 0,
    part: 'total',
    bytes: 4525 * MiB,
  },
  {
    source: FASTER_WHISPER,
    modelId: 'Systran/faster-whisper-large-v2',
    template: 'speaches',
    precision: 'int8',
    contextTokens: 0,
    part: 'total',
    bytes: 2926 * MiB,
  },
];
