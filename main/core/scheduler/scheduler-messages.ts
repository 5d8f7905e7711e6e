// What the scheduler tells a user: evictions, a model that can never fit, and what a timed-out wake waited for.
import { assertNever } from '../shared/assert-never';
import type { Blocker } from './admission-plan';

const BYTES_PER_GIB = 1024 ** 3;

/** `Put sdxl to sleep to make room for llama-70b` (the same words as the desktop notification). */
export function evictionMessage(victim: string, forModel: string): string {
  return `Put ${victim} to sleep to make room for ${forModel}`;
}

/** `Put flux to sleep because sdxl shares its group "image"`. */
export function groupSleepMessage(victim: string, forModel: string, group: string): string {
  return `Put ${victim} to sleep because ${forModel} shares its group "${group}"`;
}

/** `24 GiB`, `13.5 GiB`, `0.5 GiB`: one decimal, none when whole. */
export function formatGib(bytes: number): string {
  const gib = Math.round((bytes / BYTES_PER_GIB) * 10) / 10;
  return `${gib} GiB`;
}

/** The numbers of a wake that can never fit. */
export interface NeverFits {
  readonly model: string;
  readonly gpuIndex: number;
  readonly needBytes: number;
  readonly marginBytes: number;
  readonly totalBytes: number;
}

/** Why a model can never wake on its GPU, with the numbers and what to change. */
export function neverFitsMessage(fit: NeverFits): string {
  const margin =
    fit.marginBytes > 0
      ? ` plus the ${formatGib(fit.marginBytes)} safety margin (${formatGib(fit.needBytes + fit.marginBytes)})`
      : '';
  return (
    `${fit.model} can never fit on GPU ${fit.gpuIndex}: it declares ${formatGib(fit.needBytes)} of VRAM${margin},` +
    ` and the GPU has ${formatGib(fit.totalBytes)} in all.` +
    ` Check its vram setting (label siesta.vram), lower the VRAM margin in the settings, or give it more GPUs.`
  );
}

/** One blocker in words: `llama is busy (2 requests open)`. */
export function blockerText(blocker: Blocker): string {
  const who = blocker.model ?? 'another model';
  const ofGroup = blocker.group === null ? '' : ` (same group "${blocker.group}")`;
  const gpu = blocker.gpuIndex === null ? 'the GPU' : `GPU ${blocker.gpuIndex}`;
  switch (blocker.reason) {
    case 'busy': {
      const open = blocker.detail ?? 1;
      return `${who}${ofGroup} is busy (${open} ${open === 1 ? 'request' : 'requests'} open)`;
    }
    case 'pinned':
      return `${who}${ofGroup} is pinned`;
    case 'young':
      return `${who}${ofGroup} has not been awake for the minimum residency yet (${Math.ceil((blocker.detail ?? 0) / 1000)} s left)`;
    case 'waking':
      return `${who}${ofGroup} is waking`;
    case 'stopping':
      return `${who}${ofGroup} is going to sleep`;
    case 'releasing':
      return `${gpu} is still giving back the memory of the models put to sleep`;
    case 'no-room':
      return `${gpu} has too little free VRAM and no model Siesta may put to sleep holds it`;
    case 'queued':
      return `${who} waits ahead of it in the queue`;
    default:
      return assertNever(blocker.reason);
  }
}

/** What a waiting wake shows (and what a timeout names): `waiting for room on its GPU: llama is busy (1 request open)`. */
export function waitingMessage(blockers: readonly Blocker[]): string {
  const why = blockers.length === 0 ? '' : `: ${blockers.map(blockerText).join('; ')}`;
  return `waiting for room on its GPU${why}`;
}

/** The message of a wake that timed out waiting for room: what it waited for. */
export function admissionTimeoutMessage(
  model: string,
  waitedMs: number,
  blockers: readonly Blocker[],
): string {
  const seconds = Math.round(waitedMs / 100) / 10;
  const why = blockers.length === 0 ? '' : `: ${blockers.map(blockerText).join('; ')}`;
  return `${model} waited ${seconds} s for room on its GPU and gave up${why}.`;
}
