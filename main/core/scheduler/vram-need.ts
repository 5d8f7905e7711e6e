// How much VRAM a model needs and on which GPUs: declared in its spec, else learned from its last run, else unknown.
import type { ModelSpec } from '../config/model-spec';
import type { ModelStatus } from '../lifecycle/model-state';

/** Where a VRAM figure came from; `unknown` admits the model on a try and lets the ledger learn it. */
export type VramNeedSource = 'declared' | 'learned' | 'unknown';

/** A model's VRAM need in total over all its GPUs (split evenly across them). */
export interface VramNeed {
  readonly totalBytes: number | null;
  readonly source: VramNeedSource;
}

/** The declared need (`spec.vramBytes`) wins over the learned one; neither gives `unknown`. */
export function vramNeedOf(spec: ModelSpec, learnedVramBytes: number | null): VramNeed {
  if (spec.vramBytes !== null && spec.vramBytes > 0)
    return { totalBytes: spec.vramBytes, source: 'declared' };
  if (learnedVramBytes !== null && learnedVramBytes > 0)
    return { totalBytes: learnedVramBytes, source: 'learned' };
  return { totalBytes: null, source: 'unknown' };
}

/**
 * The GPUs a model's container may use. An empty list (no device requests read) means GPU 0, the
 * only GPU on a one-GPU box and the default one on a box with several.
 */
export function gpusOf(status: Pick<ModelStatus, 'gpuIndexes'> | undefined): readonly number[] {
  const indexes = status?.gpuIndexes ?? [];
  if (indexes.length === 0) return [0];
  return [...new Set(indexes)].sort((a, b) => a - b);
}

/**
 * The part of a total need that lands on each of the model's GPUs. Tensor-parallel servers split a
 * model evenly, so a 40 GiB model on two GPUs needs 20 GiB on each.
 */
export function perGpuBytes(totalBytes: number | null, gpuCount: number): number | null {
  if (totalBytes === null) return null;
  return totalBytes / Math.max(1, gpuCount);
}
