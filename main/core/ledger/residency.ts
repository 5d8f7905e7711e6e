// Which models hold a CUDA context on which GPU right now, as the lifecycle events tell it.
import type { LifecycleEvent, ModelState } from '../lifecycle/model-state';
import { assertNever } from '../shared/assert-never';

/** A model's GPUs; null means unknown, which overlaps every GPU. */
export type GpuSet = readonly number[] | null;

/**
 * Whether a model holds GPU memory: waking or ready (resident), dozed (its server's own sleep: process kept, most of its
 * memory freed), stopped (down), or not seen yet.
 */
export type Residency = 'waking' | 'ready' | 'dozed' | 'down' | 'unknown';

/** The name a dozed model goes by in a GPU's power fit: its dozed state draws its own watts (docs/energy.md). */
export function dozedName(model: string): string {
  return `${model} (dozed)`;
}

interface Entry {
  residency: Residency;
  gpus: GpuSet;
}

/** Whether two GPU sets share a GPU (an unknown set shares with everything). */
export function gpusOverlap(a: GpuSet, b: GpuSet): boolean {
  if (a === null || b === null) return true;
  return a.some((g) => b.includes(g));
}

/** `0,1` for storage; null stays null. */
export function formatGpuSet(gpus: GpuSet): string | null {
  return gpus === null ? null : gpus.join(',');
}

/** The inverse of `formatGpuSet`. */
export function parseGpuSet(text: string | null): GpuSet {
  if (text === null) return null;
  return text === '' ? [] : text.split(',').map(Number);
}

/** The residency a lifecycle event leaves its model in, or null when the event does not change it. */
export function residencyAfter(event: LifecycleEvent): Residency | null {
  switch (event.kind) {
    case 'wake-requested':
      return 'waking';
    case 'ready':
      return 'ready';
    case 'sleep':
    case 'failed':
      return 'down';
    // A dozed server keeps its process: its own state, with its own watts, until it is woken or stopped.
    case 'doze':
      return 'dozed';
    case 'evicted':
    case 'prewarm':
      return null;
    default:
      return assertNever(event);
  }
}

/** The residency of a model in a lifecycle state (`stopping` still holds its memory). */
export function residencyOfState(state: ModelState): Residency {
  switch (state) {
    case 'waking':
      return 'waking';
    case 'ready':
    case 'stopping':
    case 'dozing':
      return 'ready';
    case 'dozed':
      return 'dozed';
    case 'asleep':
    case 'failed':
      return 'down';
    default:
      return assertNever(state);
  }
}

/** Every model's residency and GPUs at one moment. */
export type ResidencySnapshot = readonly {
  readonly name: string;
  readonly residency: Residency;
  readonly gpus: GpuSet;
}[];

/** The models resident per GPU. */
export class ResidencyMap {
  private readonly entries = new Map<string, Entry>();

  /** The model's residency ('unknown' before any event). */
  of(model: string): Residency {
    return this.entries.get(model)?.residency ?? 'unknown';
  }

  /** Sets a model's residency and GPUs. */
  set(model: string, residency: Residency, gpus: GpuSet): void {
    this.entries.set(model, { residency, gpus });
  }

  /** Every model's residency and GPUs now. */
  snapshot(): ResidencySnapshot {
    return [...this.entries].map(([name, entry]) => ({ name, ...entry }));
  }

  /** Other models waking, ready or dozed on any of `gpus`. */
  othersOn(
    model: string,
    gpus: GpuSet,
  ): { name: string; residency: 'waking' | 'ready' | 'dozed' }[] {
    const out: { name: string; residency: 'waking' | 'ready' | 'dozed' }[] = [];
    for (const [name, entry] of this.entries) {
      if (name === model) continue;
      if (
        entry.residency !== 'waking' &&
        entry.residency !== 'ready' &&
        entry.residency !== 'dozed'
      )
        continue;
      if (gpusOverlap(entry.gpus, gpus)) out.push({ name, residency: entry.residency });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}
