// Facts about well-known models that right-sizing needs: parameter count and attention geometry (from each model's
// published config.json), found from the id a user types: a Hugging Face repo, a GGUF repo or an Ollama tag.

/** The attention shape that sets the KV cache's size: 2 (K and V) × layers × KV heads × head size per token. */
export interface KvGeometry {
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
}

/** A model Siesta can size without being told more. */
export interface KnownModel {
  readonly title: string;
  readonly paramCount: number;
  /** Null for models without a per-token cache (speech, embeddings, image). */
  readonly kv: KvGeometry | null;
  /** Matches the ids people type for it, lower-cased. */
  readonly match: RegExp;
}

const B = 1e9;
const M = 1e6;

/** Parameter counts and geometry from each model's config.json on Hugging Face. */
export const KNOWN_MODELS: readonly KnownModel[] = [
  {
    title: 'Llama 3.1 8B',
    paramCount: 8.03 * B,
    kv: { layers: 32, kvHeads: 8, headDim: 128 },
    match: /llama-?3\.1[-:_]?8b/,
  },
  {
    title: 'Llama 3.1 70B',
    paramCount: 70.6 * B,
    kv: { layers: 80, kvHeads: 8, headDim: 128 },
    match: /llama-?3\.[13][-:_]?70b/,
  },
  {
    title: 'Llama 3.2 3B',
    paramCount: 3.21 * B,
    kv: { layers: 28, kvHeads: 8, headDim: 128 },
    match: /llama-?3\.2[-:_]?3b/,
  },
  {
    title: 'Qwen2.5 7B',
    paramCount: 7.62 * B,
    kv: { layers: 28, kvHeads: 4, headDim: 128 },
    match: /qwen2\.5(-coder)?[-:_]?7b/,
  },
  {
    title: 'Qwen2.5 14B',
    paramCount: 14.7 * B,
    kv: { layers: 48, kvHeads: 8, headDim: 128 },
    match: /qwen2\.5(-coder)?[-:_]?14b/,
  },
  {
    title: 'Qwen2.5 32B',
    paramCount: 32.8 * B,
    kv: { layers: 64, kvHeads: 8, headDim: 128 },
    match: /qwen2\.5(-coder)?[-:_]?32b/,
  },
  {
    title: 'Qwen2.5 72B',
    paramCount: 72.7 * B,
    kv: { layers: 80, kvHeads: 8, headDim: 128 },
    match: /qwen2\.5[-:_]?72b/,
  },
  {
    title: 'Mistral 7B',
    paramCount: 7.25 * B,
    kv: { layers: 32, kvHeads: 8, headDim: 128 },
    match: /mistral[-:_]?7b|^mistral(:latest)?$/,
  },
  {
    title: 'Gemma 2 9B',
    paramCount: 9.24 * B,
    kv: { layers: 42, kvHeads: 8, headDim: 256 },
    match: /gemma-?2[-:_]?9b/,
  },
  {
    title: 'Whisper large-v3 turbo',
    paramCount: 809 * M,
    kv: null,
    match: /whisper.*(large-v3-turbo|turbo)/,
  },
  { title: 'Whisper large', paramCount: 1550 * M, kv: null, match: /whisper.*large/ },
  { title: 'Whisper medium', paramCount: 769 * M, kv: null, match: /whisper.*medium/ },
  { title: 'Whisper small', paramCount: 244 * M, kv: null, match: /whisper.*small/ },
  { title: 'BGE-M3', paramCount: 568 * M, kv: null, match: /bge-m3/ },
  { title: 'BGE large v1.5', paramCount: 335 * M, kv: null, match: /bge-large/ },
  { title: 'nomic-embed-text v1.5', paramCount: 137 * M, kv: null, match: /nomic-embed-text/ },
  {
    title: 'Stable Diffusion XL',
    paramCount: 3.47 * B,
    kv: null,
    match: /stable-diffusion-xl|sdxl/,
  },
];

/** The known model an id names, or null. */
export function findKnownModel(modelId: string): KnownModel | null {
  const id = modelId.trim().toLowerCase();
  if (id === '') return null;
  return KNOWN_MODELS.find((model) => model.match.test(id)) ?? null;
}

/** What a parameter count looks like, for error messages. */
export const PARAM_COUNT_EXPECTED = 'a parameter count like 8B, 1.5B or 335M';

/** A parameter count as people write it (`8B`, `1.5b`, `335M`), or null when the text is not one. */
export function parseParamCount(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([bm])$/i.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]) * (match[2]?.toLowerCase() === 'b' ? B : M);
  return value > 0 && Number.isFinite(value) ? value : null;
}

/** The parameter count an id states (`Qwen2.5-7B-Instruct`, `llama3.1:70b`), or null. */
export function paramCountInId(modelId: string): number | null {
  const match = /(?:^|[-:_/])(\d+(?:\.\d+)?)([bm])(?:$|[-_.:/])/i.exec(modelId);
  return match ? parseParamCount(`${match[1]}${match[2]}`) : null;
}
