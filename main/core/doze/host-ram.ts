// The host-RAM check before a doze (issue 15): vLLM's level-1 sleep (and SGLang's, which may back the weights up,
// and cuda-checkpoint) moves the model's weights to host RAM, so a doze is refused when the RAM cannot take them.
import { freemem } from 'node:os';
import type { DozeKind } from '../config/doze-spec';

const GIB = 1024 ** 3;

/** The kinds whose doze puts the weights in host RAM; a custom http doze says nothing, so it is not checked. */
export const DOZE_KINDS_TO_HOST_RAM: readonly DozeKind[] = ['vllm', 'sglang', 'cuda-checkpoint'];

/** Host RAM left for everything else after a doze: 2 GiB. */
export const HOST_RAM_RESERVE_BYTES = 2 * GIB;

/**
 * Why a doze of `kind` holding `weightsBytes` (the model's VRAM need, an upper bound of its weights; null when
 * unknown) may not go ahead with `availableBytes` of host RAM free, or null when it may.
 */
export function hostRamRefusal(
  kind: DozeKind,
  weightsBytes: number | null,
  availableBytes: number,
  reserveBytes = HOST_RAM_RESERVE_BYTES,
): string | null {
  if (!DOZE_KINDS_TO_HOST_RAM.includes(kind) || weightsBytes === null) return null;
  if (availableBytes - weightsBytes >= reserveBytes) return null;
  return (
    `host RAM is short: a ${kind} doze moves up to ${(weightsBytes / GIB).toFixed(1)} GiB of weights to host RAM, ` +
    `and ${(availableBytes / GIB).toFixed(1)} GiB is available (${(reserveBytes / GIB).toFixed(0)} GiB kept for the system)`
  );
}

/** The host's available memory now (Linux: MemAvailable), as Node reads it. */
export function availableHostRamBytes(): number {
  return freemem();
}
