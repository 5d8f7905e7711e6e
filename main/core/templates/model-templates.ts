// The built-in templates: vLLM's OpenAI server, llama.cpp's server, SGLang, Ollama, text-embeddings-inference,
// Speaches (faster-whisper) and ComfyUI. Flags follow each project's documented command line.
import type { Precision } from './precision';
import type { LaunchInput, ModelTemplate } from './model-template';

const GiB = 2 ** 30;

/** GGUF repos name a quant by tag (`repo:Q4_K_M`); llama.cpp's `-hf` and Ollama's `hf.co/` both take it. */
const GGUF_TAG: Partial<Record<Precision, string>> = {
  fp16: 'F16',
  q8_0: 'Q8_0',
  q5_k_m: 'Q5_K_M',
  q4_k_m: 'Q4_K_M',
};

function ggufRef(modelId: string, precision: Precision): string {
  const tag = GGUF_TAG[precision];
  // A repo that already names its quant (`repo:Q6_K`) is taken as written.
  return tag === undefined || modelId.includes(':') ? modelId : `${modelId}:${tag}`;
}

/** The flag names of a Python GPU server (vLLM, SGLang): both take a model, a served name, a context length and FP8. */
interface GpuServerFlags {
  readonly model: string;
  readonly port: number;
  readonly contextLength: string;
  readonly memoryFraction: string;
}

/** vLLM's and SGLang's arguments: FP8 is quantized on load; an INT4 repo (AWQ/GPTQ) carries its own config. */
function gpuServerArgs(flags: GpuServerFlags, input: LaunchInput): string[] {
  return [
    flags.model,
    input.modelId,
    '--served-model-name',
    input.name,
    '--host',
    '0.0.0.0',
    '--port',
    String(flags.port),
    flags.contextLength,
    String(input.contextTokens),
    ...(input.precision === 'fp8' ? ['--quantization', 'fp8'] : []),
    ...(input.gpuMemoryFraction === null
      ? []
      : [flags.memoryFraction, input.gpuMemoryFraction.toFixed(2)]),
  ];
}

const vllm: ModelTemplate = {
  id: 'vllm',
  title: 'vLLM (OpenAI-compatible server)',
  kind: 'chat',
  image: 'vllm/vllm-openai:v0.11.0',
  containerPort: 8000,
  healthPath: '/health',
  cacheMountPath: '/root/.cache/huggingface',
  precisions: ['bf16', 'fp8', 'int4'],
  needsModelId: true,
  modelIdExample: 'Qwen/Qwen2.5-7B-Instruct',
  takesContext: true,
  overheadBytes: 2 * GiB,
  shmBytes: 8 * GiB,
  launch: (input) => ({
    cmd: gpuServerArgs(
      {
        model: '--model',
        port: 8000,
        contextLength: '--max-model-len',
        memoryFraction: '--gpu-memory-utilization',
      },
      input,
    ),
    env: {},
  }),
};

const llamaCpp: ModelTemplate = {
  id: 'llama-cpp',
  title: 'llama.cpp server (GGUF)',
  kind: 'chat',
  image: 'ghcr.io/ggml-org/llama.cpp:server-cuda',
  containerPort: 8080,
  healthPath: '/health',
  cacheMountPath: '/root/.cache/llama.cpp',
  precisions: ['fp16', 'q8_0', 'q5_k_m', 'q4_k_m'],
  needsModelId: true,
  modelIdExample: 'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF',
  takesContext: true,
  overheadBytes: 0.6 * GiB,
  shmBytes: null,
  launch: (input) => ({
    cmd: [
      '-hf',
      ggufRef(input.modelId, input.precision),
      '--alias',
      input.name,
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
      '--ctx-size',
      String(input.contextTokens),
      '--n-gpu-layers',
      '999',
    ],
    env: {},
  }),
};

const sglang: ModelTemplate = {
  id: 'sglang',
  title: 'SGLang',
  kind: 'chat',
  image: 'lmsysorg/sglang:v0.5.3-cu126',
  containerPort: 30000,
  healthPath: '/health',
  cacheMountPath: '/root/.cache/huggingface',
  precisions: ['bf16', 'fp8', 'int4'],
  needsModelId: true,
  modelIdExample: 'Qwen/Qwen2.5-7B-Instruct',
  takesContext: true,
  overheadBytes: 2 * GiB,
  shmBytes: 8 * GiB,
  launch: (input) => ({
    cmd: [
      'python3',
      '-m',
      'sglang.launch_server',
      ...gpuServerArgs(
        {
          model: '--model-path',
          port: 30000,
          contextLength: '--context-length',
          memoryFraction: '--mem-fraction-static',
        },
        input,
      ),
    ],
    env: {},
  }),
};

const ollama: ModelTemplate = {
  id: 'ollama',
  title: 'Ollama',
  kind: 'chat',
  image: 'ollama/ollama:0.12.6',
  containerPort: 11434,
  healthPath: '/api/version',
  cacheMountPath: '/root/.ollama',
  // Ollama's library tags are Q4_K_M unless they say otherwise (`llama3.1:8b-instruct-q8_0`).
  precisions: ['q8_0', 'q4_k_m'],
  needsModelId: true,
  modelIdExample: 'llama3.1:8b',
  takesContext: true,
  overheadBytes: 0.6 * GiB,
  shmBytes: null,
  launch: (input) => ({
    // Ollama answers a model it has not pulled with 404, so the container pulls it once the server is up, and
    // reports healthy only after that (the pull is skipped when the model-cache volume already holds it).
    entrypoint: [
      '/bin/sh',
      '-c',
      'rm -f /tmp/siesta-ready; /bin/ollama serve & until /bin/ollama list >/dev/null 2>&1; do sleep 0.5; done; ' +
        '/bin/ollama pull "$SIESTA_MODEL_ID" && touch /tmp/siesta-ready; wait',
    ],
    cmd: [],
    healthcheck: ['test', '-f', '/tmp/siesta-ready'],
    // Clients ask Ollama for the tag they know (`llama3.1:8b`); the gateway routes that name here.
    servedModels: [input.modelId],
    env: {
      SIESTA_MODEL_ID: input.modelId,
      OLLAMA_HOST: '0.0.0.0:11434',
      OLLAMA_CONTEXT_LENGTH: String(input.contextTokens),
      // Siesta decides when the model sleeps; Ollama must not unload it behind Siesta's back.
      OLLAMA_KEEP_ALIVE: '-1',
    },
  }),
};

const tei: ModelTemplate = {
  id: 'tei',
  title: 'text-embeddings-inference',
  kind: 'embeddings',
  image: 'ghcr.io/huggingface/text-embeddings-inference:1.8',
  containerPort: 80,
  healthPath: '/health',
  cacheMountPath: '/data',
  precisions: ['fp16'],
  needsModelId: true,
  modelIdExample: 'BAAI/bge-m3',
  takesContext: false,
  overheadBytes: 1 * GiB,
  shmBytes: null,
  launch: (input) => ({
    cmd: [
      '--model-id',
      input.modelId,
      '--served-model-name',
      input.name,
      '--port',
      '80',
      '--dtype',
      'float16',
    ],
    env: {},
  }),
};

const speaches: ModelTemplate = {
  id: 'speaches',
  title: 'Speaches (faster-whisper speech-to-text)',
  kind: 'speech-to-text',
  image: 'ghcr.io/speaches-ai/speaches:0.8.3-cuda',
  containerPort: 8000,
  healthPath: '/health',
  cacheMountPath: '/home/ubuntu/.cache/huggingface/hub',
  precisions: ['fp16', 'int8'],
  needsModelId: true,
  modelIdExample: 'Systran/faster-whisper-large-v3',
  takesContext: false,
  // CUDA context, cuDNN and the beam-search buffers of faster-whisper (its README's large-v2 benchmark).
  overheadBytes: 1.5 * GiB,
  shmBytes: null,
  launch: (input) => ({
    cmd: [],
    env: {
      PRELOAD_MODELS: JSON.stringify([input.modelId]),
      WHISPER__COMPUTE_TYPE: input.precision === 'int8' ? 'int8_float16' : 'float16',
    },
  }),
};

const comfyui: ModelTemplate = {
  id: 'comfyui',
  title: 'ComfyUI (image generation)',
  kind: 'image',
  image: 'yanwk/comfyui-boot:cu128-slim',
  containerPort: 8188,
  healthPath: '/system_stats',
  cacheMountPath: '/root',
  precisions: ['fp16', 'fp8'],
  needsModelId: false,
  modelIdExample: 'stabilityai/stable-diffusion-xl-base-1.0',
  takesContext: false,
  overheadBytes: 1 * GiB,
  shmBytes: null,
  launch: (input) => ({
    cmd: [],
    env: {
      CLI_ARGS:
        input.precision === 'fp8' ? '--listen 0.0.0.0 --fp8_e4m3fn-unet' : '--listen 0.0.0.0',
    },
  }),
};

/** Every built-in template, in the order the dashboard offers them. */
export const MODEL_TEMPLATES: readonly ModelTemplate[] = [
  vllm,
  llamaCpp,
  sglang,
  ollama,
  tei,
  speaches,
  comfyui,
];

/** The template with this id, or null. */
export function findTemplate(id: string): ModelTemplate | null {
  return MODEL_TEMPLATES.find((template) => template.id === id) ?? null;
}
