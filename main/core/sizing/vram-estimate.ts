// Right-sizing: the VRAM a model needs at each precision a template offers (weights + KV cache for the context length
// + the server's own overhead), which GPUs it fits now (free memory) and at all (total), and the best one that fits.
import type { ModelTemplate } from '../templates/model-template';
import { findKnownModel, paramCountInId, type KvGeometry } from './model-catalog';
import { precisionInfo, type Precision } from '../templates/precision';

/** What right-sizing knows of a model. */
export interface ModelFacts {
  readonly title: string;
  readonly paramCount: number;
  /** Null when the model keeps no per-token cache, or when its geometry is unknown (see `kvApproximate`). */
  readonly kv: KvGeometry | null;
  /** Where the parameter count came from: Siesta's catalog, the id itself (`-7B-`), or the user. */
  readonly source: 'catalog' | 'model id' | 'given';
}

/** The memory of one precision, in parts. */
export interface VramEstimate {
  readonly precision: Precision;
  readonly weightsBytes: number;
  readonly kvCacheBytes: number;
  readonly overheadBytes: number;
  readonly totalBytes: number;
  /** The KV cache was guessed from the parameter count (the model's attention shape is not known). */
  readonly kvApproximate: boolean;
}

/** One GPU as right-sizing sees it. */
export interface GpuCapacity {
  readonly index: number;
  readonly name: string;
  readonly totalBytes: number;
  /** Free now, or null when unknown. */
  readonly freeBytes: number | null;
}

/** One precision's estimate and where it fits. */
export interface SizingOption {
  readonly estimate: VramEstimate;
  /** GPUs with this much memory free now. */
  readonly fitsNowOn: readonly number[];
  /** GPUs with this much memory in all (it fits once Siesta puts other models to sleep). */
  readonly fitsOn: readonly number[];
}

/** The whole answer: every offered precision, the recommendation, and what that choice costs in quality. */
export interface SizingReport {
  readonly facts: ModelFacts;
  readonly contextTokens: number;
  readonly options: readonly SizingOption[];
  /** The best-quality precision that fits now, else the best that fits at all, else null. */
  readonly recommended: Precision | null;
  /** Whether the recommendation fits in free memory now (false: other models must sleep first). */
  readonly recommendedFitsNow: boolean;
  /** One plain sentence on the recommended precision's quality. */
  readonly qualityNote: string | null;
}

/** The KV cache holds K and V in 16-bit by default in vLLM, SGLang, llama.cpp and Ollama. */
const KV_ELEMENT_BYTES = 2;
/** Llama-3.1-8B's 128 KiB per token, scaled by √(params / 8B) when a model's attention shape is unknown. */
const KV_GUESS_BYTES_PER_TOKEN_AT_8B = 128 * 1024;

/** What Siesta knows of a model id: its catalog entry, else a size the id states, else the count the user gave. */
export function modelFacts(
  modelId: string,
  givenParamCount: number | null = null,
): ModelFacts | null {
  const known = findKnownModel(modelId);
  if (givenParamCount !== null) {
    return {
      title: known?.title ?? modelId,
      paramCount: givenParamCount,
      kv: known?.kv ?? null,
      source: 'given',
    };
  }
  if (known)
    return { title: known.title, paramCount: known.paramCount, kv: known.kv, source: 'catalog' };
  const fromId = paramCountInId(modelId);
  return fromId === null
    ? null
    : { title: modelId, paramCount: fromId, kv: null, source: 'model id' };
}

/** KV cache bytes per token of context. */
export function kvBytesPerToken(kv: KvGeometry): number {
  return 2 * kv.layers * kv.kvHeads * kv.headDim * KV_ELEMENT_BYTES;
}

/** The VRAM one precision needs for a context length on a template's server. */
export function estimateVram(
  facts: ModelFacts,
  template: ModelTemplate,
  precision: Precision,
  contextTokens: number,
): VramEstimate {
  const weightsBytes = (facts.paramCount * precisionInfo(precision).bitsPerWeight) / 8;
  let kvCacheBytes = 0;
  let kvApproximate = false;
  if (template.takesContext) {
    if (facts.kv !== null) {
      kvCacheBytes = kvBytesPerToken(facts.kv) * contextTokens;
    } else {
      kvCacheBytes =
        KV_GUESS_BYTES_PER_TOKEN_AT_8B * Math.sqrt(facts.paramCount / 8e9) * contextTokens;
      kvApproximate = true;
    }
  }
  const overheadBytes = template.overheadBytes;
  return {
    precision,
    weightsBytes: Math.round(weightsBytes),
    kvCacheBytes: Math.round(kvCacheBytes),
    overheadBytes: Math.round(overheadBytes),
    totalBytes: Math.round(weightsBytes + kvCacheBytes + overheadBytes),
    kvApproximate,
  };
}

/** Sizes a model for every precision its template offers and recommends the best that fits. */
export function rightSize(
  facts: ModelFacts,
  template: ModelTemplate,
  contextTokens: number,
  gpus: readonly GpuCapacity[],
): SizingReport {
  const options = template.precisions.map((precision): SizingOption => {
    const estimate = estimateVram(facts, template, precision, contextTokens);
    return {
      estimate,
      fitsNowOn: gpus
        .filter((g) => g.freeBytes !== null && estimate.totalBytes <= g.freeBytes)
        .map((g) => g.index),
      fitsOn: gpus.filter((g) => estimate.totalBytes <= g.totalBytes).map((g) => g.index),
    };
  });
  // Templates list precisions best first, so the first that fits is the largest that fits.
  const now = options.find((o) => o.fitsNowOn.length > 0);
  const atAll = options.find((o) => o.fitsOn.length > 0);
  const chosen = now ?? atAll ?? null;
  return {
    facts,
    contextTokens,
    options,
    recommended: chosen?.estimate.precision ?? null,
    recommendedFitsNow: now !== undefined,
    qualityNote: chosen === null ? null : precisionInfo(chosen.estimate.precision).qualityNote,
  };
}
