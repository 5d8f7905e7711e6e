// The scheduler's part of the sleep ladder (issue 15): what a dozed model holds (what its doze kept, once measured),
// what a wake from a doze needs, and making room by a doze instead of a stop where the model may doze.
import type { ModelStatus } from '../lifecycle/model-state';
import type { Victim } from './admission-plan';
import type { VramNeed } from './vram-need';

/** The doze meter's answer: bytes kept once measured, null when not measurable, undefined while measuring. */
export type KeptBytesOf = ((model: string) => number | null | undefined) | undefined;

/** What a model holds for the plan: a dozed one what its doze kept; `measuring` while that is not known yet. */
export function dozedHolding(
  status: ModelStatus,
  need: VramNeed,
  keptBytes: KeptBytesOf,
): { readonly need: VramNeed; readonly measuring: boolean } {
  if (status.state !== 'dozed' || !keptBytes) return { need, measuring: false };
  const kept = keptBytes(status.spec.name);
  if (kept === undefined) return { need, measuring: true };
  return { need: kept === null ? need : { ...need, totalBytes: kept }, measuring: false };
}

/** A wake from a doze needs its whole need less what the doze kept (that is still on the card). */
export function wakeNeedAfterDoze(
  status: ModelStatus | undefined,
  need: VramNeed,
  keptBytes: KeptBytesOf,
): VramNeed {
  if (status?.wakeFrom !== 'dozed' || need.totalBytes === null || !keptBytes) return need;
  const kept = keptBytes(status.spec.name);
  return typeof kept === 'number'
    ? { ...need, totalBytes: Math.max(0, need.totalBytes - kept) }
    : need;
}

/** What `dozeForRoom` needs of the lifecycle. */
export interface DozingLifecycle {
  get(name: string): ModelStatus | undefined;
  doze?(name: string, cause: Victim['cause']): Promise<void>;
}

/**
 * Dozes a victim instead of stopping it where it may (ready, with a doze, `mayDoze` says yes: its last doze freed
 * enough). True once it is dozed; false to stop it instead (refused: busy again, host RAM short).
 */
export async function dozeForRoom(
  lifecycle: DozingLifecycle,
  victim: Victim,
  mayDoze: ((model: string) => boolean) | undefined,
): Promise<boolean> {
  const status = lifecycle.get(victim.model);
  if (!lifecycle.doze || status?.state !== 'ready' || !status.spec.doze) return false;
  if (!mayDoze?.(victim.model)) return false;
  try {
    await lifecycle.doze(victim.model, victim.cause);
    return lifecycle.get(victim.model)?.state === 'dozed';
  } catch {
    return false;
  }
}
