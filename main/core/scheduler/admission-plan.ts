// The pure decision before a wake: admit now, put which models to sleep first, wait (and why), or never.
import type { ModelSpec } from '../config/model-spec';
import type { ModelStatus, SleepCause } from '../lifecycle/model-state';
import { assertNever } from '../shared/assert-never';
import type { VramNeed } from './vram-need';
import { perGpuBytes } from './vram-need';

/** The scheduler's settings, read at each decision so a change applies to the next wake. */
export interface SchedulerSettings {
  /** Head room kept free on a GPU above a model's need (allocator slack, CUDA context). */
  readonly vramMarginBytes: number;
  /** A model is not evicted (or put to sleep for its group) before it has been ready this long: no thrashing. */
  readonly minResidencyMs: number;
}

/** One GPU's memory as the plan sees it. */
export interface GpuMemory {
  readonly gpuIndex: number;
  /** Free VRAM in the latest sample, or null without a reading. */
  readonly freeBytes: number | null;
  readonly totalBytes: number | null;
  /** VRAM still to come back from models that were just put to sleep (the driver and the sampler lag); null: an unknown amount. */
  readonly releasingBytes: number | null;
}

/** Another model, as the plan sees it. */
export interface PlanModel {
  readonly status: ModelStatus;
  /** Its GPUs (see `gpusOf`). */
  readonly gpus: readonly number[];
  readonly need: VramNeed;
  /** Admitted by the scheduler, its container not started yet: it counts as arriving. */
  readonly admitted: boolean;
  /** Being put to sleep by the scheduler already: it counts as leaving. */
  readonly leaving: boolean;
  /** Its wake waits in the scheduler's queue: `waking` in the lifecycle, but holding nothing yet. */
  readonly queued: boolean;
}

/** Everything one decision needs. */
export interface AdmissionInput {
  readonly candidate: ModelSpec;
  /** The candidate's GPUs (see `gpusOf`); it needs room on each. */
  readonly candidateGpus: readonly number[];
  readonly need: VramNeed;
  /** Every other registered model. */
  readonly others: readonly PlanModel[];
  readonly gpu: (gpuIndex: number) => GpuMemory;
  readonly now: number;
  readonly settings: SchedulerSettings;
}

/** Why a wake cannot go ahead yet. */
export type BlockReason =
  'busy' | 'pinned' | 'young' | 'waking' | 'stopping' | 'releasing' | 'no-room' | 'queued';

/** What a waiting wake waits for; shown in the API and in the timeout message. */
export interface Blocker {
  readonly reason: BlockReason;
  /** The model in the way, or null (the GPU itself, or memory outside Siesta). */
  readonly model: string | null;
  readonly gpuIndex: number | null;
  /** The group the blocking model shares with the candidate, when that is why it is in the way. */
  readonly group: string | null;
  /** For `young`: ms until it may be put to sleep. For `busy`: requests open. */
  readonly detail: number | null;
}

/** A model to put to sleep before the wake, and why. */
export interface Victim {
  readonly model: string;
  readonly cause: Extract<SleepCause, { kind: 'evicted' } | { kind: 'group' }>;
}

/** The decision. */
export type AdmissionPlan =
  | { readonly kind: 'admit' }
  | {
      readonly kind: 'never-fits';
      readonly gpuIndex: number;
      /** The need on that GPU. */
      readonly needBytes: number;
      readonly marginBytes: number;
      readonly totalBytes: number;
    }
  /**
   * Put these to sleep (all of them), wait until they stop, then decide again. `shortBytesByGpu`: the room missing on
   * each GPU that needed evictions, so a many-model server may unload some of its models instead (inner-unload-plan.ts).
   */
  | {
      readonly kind: 'sleep';
      readonly victims: readonly Victim[];
      readonly shortBytesByGpu?: ReadonlyMap<number, number>;
    }
  /** Nothing can be done now without breaking a rule: wait, then decide again. */
  | { readonly kind: 'wait'; readonly blockers: readonly Blocker[] };

type Residency = 'absent' | 'arriving' | 'resident' | 'leaving';

/**
 * Decides one wake. Rules: a busy, pinned, waking or young model is never put to sleep; VRAM victims
 * are taken least recently used first and only as many as the room needs; nothing is put to sleep
 * unless that lets the wake go ahead (all or nothing), so a wake that must wait for a busy model
 * evicts nobody in the meantime.
 */
export function planAdmission(input: AdmissionInput): AdmissionPlan {
  const { candidate, need, settings, now } = input;
  const marginBytes = Math.max(0, settings.vramMarginBytes);
  const needPerGpu = perGpuBytes(need.totalBytes, input.candidateGpus.length);

  for (const gpuIndex of input.candidateGpus) {
    const totalBytes = input.gpu(gpuIndex).totalBytes;
    // Only a declared need can be refused outright: a learned one ran on this card before.
    if (
      need.source === 'declared' &&
      needPerGpu !== null &&
      totalBytes !== null &&
      needPerGpu + marginBytes > totalBytes
    ) {
      return { kind: 'never-fits', gpuIndex, needBytes: needPerGpu, marginBytes, totalBytes };
    }
  }

  const victims = new Map<string, Victim>();
  const blockers: Blocker[] = [];
  const group = candidate.group;

  if (group !== null) {
    for (const other of input.others) {
      if (other.status.spec.group !== group) continue;
      const name = other.status.spec.name;
      const residency = residencyOf(other);
      switch (residency) {
        case 'absent':
          break;
        case 'arriving':
          blockers.push({ reason: 'waking', model: name, gpuIndex: null, group, detail: null });
          break;
        case 'leaving':
          blockers.push({ reason: 'stopping', model: name, gpuIndex: null, group, detail: null });
          break;
        case 'resident': {
          const hold = holdOf(other, now, settings);
          if (hold) blockers.push({ ...hold, gpuIndex: null, group });
          else
            victims.set(name, {
              model: name,
              cause: { kind: 'group', forModel: candidate.name, group },
            });
          break;
        }
        default:
          assertNever(residency);
      }
    }
  }

  let releasingOn: number | null = null;
  const shortBytesByGpu = new Map<number, number>();
  for (const gpuIndex of input.candidateGpus) {
    const memory = input.gpu(gpuIndex);
    const requiredBytes = requiredBytesOf(needPerGpu, need, marginBytes, memory.totalBytes);
    const onGpu = modelsHolding(gpuIndex, input.others);
    const freeBytes = minKnown(
      memory.freeBytes,
      accountedFreeBytes(gpuIndex, memory.totalBytes, input.others),
    );
    // No reading and no total: nothing to schedule on; the wake goes ahead (groups still hold).
    if (freeBytes === null || freeBytes >= requiredBytes) continue;

    let comingBytes = 0;
    let comingUnknown = memory.releasingBytes === null;
    comingBytes += memory.releasingBytes ?? 0;
    for (const other of onGpu) {
      if (residencyOf(other) !== 'leaving' && !victims.has(other.status.spec.name)) continue;
      const bytes = bytesOnGpu(other);
      if (bytes === null) comingUnknown = true;
      else comingBytes += bytes;
    }
    if (comingUnknown || freeBytes + comingBytes >= requiredBytes) {
      releasingOn ??= gpuIndex;
      continue;
    }

    let deficitBytes = requiredBytes - freeBytes - comingBytes;
    const shortBytes = deficitBytes;
    const chosen: string[] = [];
    const held: Blocker[] = [];
    const candidates = onGpu
      .filter((o) => !victims.has(o.status.spec.name))
      .sort(leastRecentlyUsedFirst);
    for (const other of candidates) {
      const name = other.status.spec.name;
      const residency = residencyOf(other);
      if (residency === 'arriving') {
        held.push({ reason: 'waking', model: name, gpuIndex, group: null, detail: null });
        continue;
      }
      if (residency !== 'resident') continue;
      const hold = holdOf(other, now, settings);
      if (hold) {
        held.push({ ...hold, gpuIndex, group: null });
        continue;
      }
      chosen.push(name);
      const bytes = bytesOnGpu(other);
      // Unknown size: put this one to sleep, then decide again on the real reading.
      if (bytes === null) {
        deficitBytes = 0;
        break;
      }
      deficitBytes -= bytes;
      if (deficitBytes <= 0) break;
    }
    if (deficitBytes > 0) {
      blockers.push(...held);
      if (held.length === 0)
        blockers.push({ reason: 'no-room', model: null, gpuIndex, group: null, detail: null });
      continue;
    }
    for (const name of chosen)
      victims.set(name, { model: name, cause: { kind: 'evicted', forModel: candidate.name } });
    if (chosen.length > 0) shortBytesByGpu.set(gpuIndex, shortBytes);
  }

  if (blockers.length > 0) return { kind: 'wait', blockers: uniqueBlockers(blockers) };
  if (victims.size > 0)
    return {
      kind: 'sleep',
      victims: [...victims.values()],
      ...(shortBytesByGpu.size > 0 ? { shortBytesByGpu } : {}),
    };
  if (releasingOn !== null) {
    return {
      kind: 'wait',
      blockers: [
        { reason: 'releasing', model: null, gpuIndex: releasingOn, group: null, detail: null },
      ],
    };
  }
  return { kind: 'admit' };
}

/**
 * Free VRAM on a GPU by the books: its total less the known need of every model that holds or is about
 * to hold memory there (resident, arriving or leaving); null without a total. The sampled reading lags
 * (the probe ticks, the driver frees late), so the scheduler trusts the lower of this and the reading.
 */
export function accountedFreeBytes(
  gpuIndex: number,
  totalBytes: number | null,
  models: readonly PlanModel[],
): number | null {
  if (totalBytes === null) return null;
  return totalBytes - sumKnown(modelsHolding(gpuIndex, models).map((m) => bytesOnGpu(m)));
}

function modelsHolding(gpuIndex: number, models: readonly PlanModel[]): PlanModel[] {
  return models.filter((m) => m.gpus.includes(gpuIndex) && residencyOf(m) !== 'absent');
}

/**
 * Room a wake needs on one GPU. Declared: need + margin. Learned: the same, but never more than the
 * card (it ran there before). Unknown: anything free, at least the margin.
 */
function requiredBytesOf(
  needPerGpu: number | null,
  need: VramNeed,
  marginBytes: number,
  totalBytes: number | null,
): number {
  const cap = totalBytes ?? Number.POSITIVE_INFINITY;
  switch (need.source) {
    case 'declared':
      return (needPerGpu ?? 0) + marginBytes;
    case 'learned':
      return Math.min((needPerGpu ?? 0) + marginBytes, cap);
    case 'unknown':
      return Math.min(Math.max(marginBytes, 1), cap);
    default:
      return assertNever(need.source);
  }
}

function residencyOf(model: PlanModel): Residency {
  if (model.leaving) return 'leaving';
  const state = model.status.state;
  switch (state) {
    case 'asleep':
    case 'failed':
      return model.admitted ? 'arriving' : 'absent';
    case 'waking':
      return model.queued ? 'absent' : 'arriving';
    case 'ready':
    case 'dozed':
      return 'resident';
    case 'stopping':
    case 'dozing':
      return 'leaving';
    default:
      return assertNever(state);
  }
}

/** Why a ready model may not be put to sleep now, or null when it may. */
function holdOf(
  model: PlanModel,
  now: number,
  settings: SchedulerSettings,
): Pick<Blocker, 'reason' | 'model' | 'detail'> | null {
  const { status } = model;
  const name = status.spec.name;
  if (status.pinned || status.spec.pin) return { reason: 'pinned', model: name, detail: null };
  if (status.inFlight > 0) return { reason: 'busy', model: name, detail: status.inFlight };
  const residentSince = status.readyAt ?? status.wakeStartedAt;
  if (residentSince !== null) {
    const leftMs = residentSince + settings.minResidencyMs - now;
    if (leftMs > 0) return { reason: 'young', model: name, detail: leftMs };
  }
  return null;
}

function bytesOnGpu(model: PlanModel): number | null {
  return perGpuBytes(model.need.totalBytes, model.gpus.length);
}

function lastUseOf(status: ModelStatus): number {
  return status.lastUsedAt ?? status.readyAt ?? status.wakeStartedAt ?? 0;
}

function leastRecentlyUsedFirst(a: PlanModel, b: PlanModel): number {
  return (
    lastUseOf(a.status) - lastUseOf(b.status) ||
    a.status.spec.name.localeCompare(b.status.spec.name)
  );
}

function sumKnown(values: readonly (number | null)[]): number {
  let sum = 0;
  for (const v of values) sum += v ?? 0;
  return sum;
}

function minKnown(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function uniqueBlockers(blockers: readonly Blocker[]): Blocker[] {
  const seen = new Set<string>();
  const out: Blocker[] = [];
  for (const b of blockers) {
    const key = `${b.reason}|${b.model ?? ''}|${b.model === null ? (b.gpuIndex ?? '') : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(b);
  }
  return out;
}
