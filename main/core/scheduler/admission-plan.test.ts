// The pure admission decisions: LRU victims, never busy or pinned, minimum residency, never-fits, groups, several GPUs.
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../config/model-spec';
import type { ModelStatus } from '../lifecycle/model-state';
import type { AdmissionPlan, GpuMemory, SchedulerSettings } from './admission-plan';
import { planAdmission } from './admission-plan';
import { GIB, modelSpec, modelStatus } from './testdata/scheduler-fixtures';
import { gpusOf, vramNeedOf } from './vram-need';

const NOW = Date.UTC(2026, 0, 1, 12);
const MINUTE = 60_000;
const SETTINGS: SchedulerSettings = { vramMarginBytes: 1 * GIB, minResidencyMs: 2 * MINUTE };

/** A ready model, woken `readyMinAgo` minutes ago and last used `usedMinAgo` minutes ago. */
function ready(
  spec: ModelSpec,
  o: {
    usedMinAgo?: number;
    readyMinAgo?: number;
    inFlight?: number;
    gpus?: number[];
    pinned?: boolean;
  } = {},
): ModelStatus {
  return modelStatus(spec, {
    state: 'ready',
    readyAt: NOW - (o.readyMinAgo ?? 30) * MINUTE,
    wakeStartedAt: NOW - (o.readyMinAgo ?? 30) * MINUTE - 5_000,
    lastUsedAt: o.usedMinAgo === undefined ? null : NOW - o.usedMinAgo * MINUTE,
    inFlight: o.inFlight ?? 0,
    gpuIndexes: o.gpus ?? [],
    pinned: o.pinned ?? spec.pin,
  });
}

type Card = { totalGib: number | null; freeGib?: number | null; releasingGib?: number | null };

/**
 * Decides a wake of `candidate` among `others`. Each card's free VRAM defaults to what the others'
 * declared VRAM leaves (the reading agrees with the accounting); `learned` gives learned VRAM.
 */
function plan(
  candidate: ModelSpec,
  others: readonly ModelStatus[],
  o: {
    cards?: Card[];
    candidateGpus?: number[];
    learnedGib?: Record<string, number>;
    settings?: SchedulerSettings;
    admitted?: string[];
    leaving?: string[];
    queued?: string[];
  } = {},
): AdmissionPlan {
  const cards = o.cards ?? [{ totalGib: 24 }];
  const learned = (name: string): number | null =>
    o.learnedGib?.[name] === undefined ? null : (o.learnedGib[name] ?? 0) * GIB;
  const planModels = others.map((status) => ({
    status,
    gpus: gpusOf(status),
    need: vramNeedOf(status.spec, learned(status.spec.name)),
    admitted: o.admitted?.includes(status.spec.name) ?? false,
    leaving: o.leaving?.includes(status.spec.name) ?? false,
    queued: o.queued?.includes(status.spec.name) ?? false,
  }));
  const gpu = (gpuIndex: number): GpuMemory => {
    const card = cards[gpuIndex] ?? { totalGib: null, freeGib: null };
    const usedBytes = planModels
      .filter(
        (m) =>
          m.gpus.includes(gpuIndex) &&
          !m.queued &&
          ['waking', 'ready', 'stopping'].includes(m.status.state),
      )
      .reduce((sum, m) => sum + (m.need.totalBytes ?? 0) / m.gpus.length, 0);
    const freeBytes =
      card.freeGib !== undefined
        ? card.freeGib === null
          ? null
          : card.freeGib * GIB
        : card.totalGib === null
          ? null
          : card.totalGib * GIB - usedBytes;
    return {
      gpuIndex,
      freeBytes,
      totalBytes: card.totalGib === null ? null : card.totalGib * GIB,
      releasingBytes:
        card.releasingGib === undefined
          ? 0
          : card.releasingGib === null
            ? null
            : card.releasingGib * GIB,
    };
  };
  return planAdmission({
    candidate,
    candidateGpus: o.candidateGpus ?? [0],
    need: vramNeedOf(candidate, learned(candidate.name)),
    others: planModels,
    gpu,
    now: NOW,
    settings: o.settings ?? SETTINGS,
  });
}

function victimsOf(p: AdmissionPlan): string[] {
  return p.kind === 'sleep' ? p.victims.map((v) => v.model) : [];
}

function blockersOf(p: AdmissionPlan): string[] {
  return p.kind === 'wait'
    ? p.blockers.map((b) => `${b.model ?? `gpu${b.gpuIndex ?? '?'}`}:${b.reason}`)
    : [];
}

const llama = modelSpec('llama', { vramGib: 14 });
const whisper = modelSpec('whisper', { vramGib: 10 });
const sdxl = modelSpec('sdxl', { vramGib: 20 });

describe('a wake that fits', () => {
  it('starts at once when the model and the margin fit beside the models already awake', () => {
    expect(plan(modelSpec('small', { vramGib: 12 }), [ready(whisper)]).kind).toBe('admit');
  });

  it('starts at once on an empty card', () => {
    expect(plan(sdxl, [modelStatus(llama), modelStatus(whisper)])).toEqual({ kind: 'admit' });
  });

  it('counts a model that is waking, or admitted but not started, before the GPU reading shows it', () => {
    const waking = modelStatus(llama, { state: 'waking', wakeStartedAt: NOW - 1000 });
    // The reading still shows an empty card.
    expect(plan(sdxl, [waking], { cards: [{ totalGib: 24, freeGib: 24 }] }).kind).toBe('wait');
    expect(
      plan(sdxl, [modelStatus(llama)], {
        cards: [{ totalGib: 24, freeGib: 24 }],
        admitted: ['llama'],
      }).kind,
    ).toBe('wait');
    expect(plan(sdxl, [modelStatus(llama)], { cards: [{ totalGib: 24, freeGib: 24 }] }).kind).toBe(
      'admit',
    );
  });

  it('does not count a model whose own wake still waits in the queue (two waiting wakes never block each other)', () => {
    const waiting = modelStatus(llama, { state: 'waking', wakeStartedAt: NOW - 1000 });
    expect(plan(sdxl, [waiting], { queued: ['llama'] }).kind).toBe('admit');
  });

  it('goes ahead without a VRAM check when there is no GPU reading at all', () => {
    expect(
      plan(sdxl, [ready(llama, { inFlight: 2 })], { cards: [{ totalGib: null, freeGib: null }] }),
    ).toEqual({ kind: 'admit' });
  });
});

describe('eviction order', () => {
  const a = modelSpec('a', { vramGib: 6 });
  const b = modelSpec('b', { vramGib: 6 });
  const c = modelSpec('c', { vramGib: 6 });
  const residents = [
    ready(a, { usedMinAgo: 5 }),
    ready(b, { usedMinAgo: 1 }),
    ready(c, { usedMinAgo: 10 }),
  ];

  it('puts the least recently used idle model to sleep first, and no more than the room needs', () => {
    // 6 GiB free; 10 + 1 margin needs 5 more: one model.
    const p = plan(modelSpec('ten', { vramGib: 10 }), residents);
    expect(victimsOf(p)).toEqual(['c']);
    expect(p.kind === 'sleep' && p.victims[0]?.cause).toEqual({ kind: 'evicted', forModel: 'ten' });
  });

  it('takes the next least recently used while the room is still short', () => {
    expect(victimsOf(plan(modelSpec('fourteen', { vramGib: 14 }), residents))).toEqual(['c', 'a']);
    expect(victimsOf(plan(modelSpec('twenty', { vramGib: 20 }), residents))).toEqual([
      'c',
      'a',
      'b',
    ]);
  });

  it('treats a model never used since it woke as used when it became ready', () => {
    const neverUsed = ready(modelSpec('fresh', { vramGib: 6 }), { readyMinAgo: 20 });
    const p = plan(modelSpec('ten', { vramGib: 10 }), [
      ready(a, { usedMinAgo: 5 }),
      ready(b, { usedMinAgo: 1 }),
      neverUsed,
    ]);
    expect(victimsOf(p)).toEqual(['fresh']);
  });

  it('puts a model of unknown size to sleep on its own, then decides again on the real reading', () => {
    const unknown = ready(modelSpec('mystery'), { usedMinAgo: 30 });
    const p = plan(
      modelSpec('ten', { vramGib: 10 }),
      [unknown, ready(a, { usedMinAgo: 5 }), ready(b, { usedMinAgo: 1 })],
      {
        cards: [{ totalGib: 24, freeGib: 2 }],
      },
    );
    expect(victimsOf(p)).toEqual(['mystery']);
  });

  it('uses the learned VRAM of a model that declares none', () => {
    const learnedOne = ready(modelSpec('learned'), { usedMinAgo: 30 });
    // Learned 14: sleeping it alone makes room for 10 + 1.
    const p = plan(
      modelSpec('ten', { vramGib: 10 }),
      [learnedOne, ready(whisper, { usedMinAgo: 1 })],
      { learnedGib: { learned: 14 } },
    );
    expect(victimsOf(p)).toEqual(['learned']);
  });
});

describe('models that are never put to sleep for room', () => {
  it('never evicts a busy model, even the least recently used: takes the next idle one', () => {
    // 24 - 14 - 10 = 0 free; 8 + 1 needs 9: sleeping b (10) is enough.
    const p = plan(modelSpec('eight', { vramGib: 8 }), [
      ready(llama, { usedMinAgo: 30, inFlight: 1 }),
      ready(modelSpec('b', { vramGib: 10 }), { usedMinAgo: 1 }),
    ]);
    expect(victimsOf(p)).toEqual(['b']);
  });

  it('waits, evicting nobody, while only a busy model could make the room', () => {
    const p = plan(sdxl, [
      ready(llama, { inFlight: 2 }),
      ready(modelSpec('tiny', { vramGib: 2 }), { usedMinAgo: 50 }),
    ]);
    expect(p.kind).toBe('wait');
    expect(blockersOf(p)).toEqual(['llama:busy']);
    expect(p.kind === 'wait' && p.blockers[0]?.detail).toBe(2);
  });

  it('never evicts a pinned model, pinned in its spec or by the user', () => {
    expect(blockersOf(plan(sdxl, [ready(modelSpec('llama', { vramGib: 14, pin: true }))]))).toEqual(
      ['llama:pinned'],
    );
    expect(blockersOf(plan(sdxl, [ready(llama, { pinned: true })]))).toEqual(['llama:pinned']);
    expect(victimsOf(plan(sdxl, [ready(llama, { pinned: true }), ready(whisper)]))).toEqual([]);
  });

  it('does not evict a model before it has been awake the minimum residency, and says how long is left', () => {
    const young = ready(llama, { readyMinAgo: 0.5, usedMinAgo: 0.2 });
    const p = plan(sdxl, [young]);
    expect(blockersOf(p)).toEqual(['llama:young']);
    expect(p.kind === 'wait' && p.blockers[0]?.detail).toBe(1.5 * MINUTE);
    expect(victimsOf(plan(sdxl, [ready(llama, { readyMinAgo: 2, usedMinAgo: 0.2 })]))).toEqual([
      'llama',
    ]);
    expect(
      victimsOf(plan(sdxl, [young], { settings: { ...SETTINGS, minResidencyMs: 0 } })),
    ).toEqual(['llama']);
  });

  it('never touches a model that is still waking: the wake waits for it', () => {
    expect(
      blockersOf(plan(sdxl, [modelStatus(llama, { state: 'waking', wakeStartedAt: NOW - 500 })])),
    ).toEqual(['llama:waking']);
  });

  it('waits for memory outside Siesta when no model may be put to sleep', () => {
    expect(blockersOf(plan(whisper, [], { cards: [{ totalGib: 24, freeGib: 4 }] }))).toEqual([
      'gpu0:no-room',
    ]);
  });
});

describe('memory on its way back', () => {
  it('waits for a model that is stopping instead of evicting another one', () => {
    const stopping = modelStatus(llama, { state: 'stopping', readyAt: NOW - 10 * MINUTE });
    // 8 free + 14 coming back covers 20 + 1.
    const p = plan(sdxl, [stopping, ready(modelSpec('two', { vramGib: 2 }), { usedMinAgo: 60 })]);
    expect(p.kind).toBe('wait');
    expect(blockersOf(p)).toEqual(['gpu0:releasing']);
  });

  it('waits while the GPU is still giving back memory of models just put to sleep', () => {
    const p = plan(sdxl, [ready(modelSpec('four', { vramGib: 4 }), { usedMinAgo: 60 })], {
      cards: [{ totalGib: 24, freeGib: 10, releasingGib: 14 }],
    });
    expect(blockersOf(p)).toEqual(['gpu0:releasing']);
    const unknownAmount = plan(
      sdxl,
      [ready(modelSpec('four', { vramGib: 4 }), { usedMinAgo: 60 })],
      { cards: [{ totalGib: 24, freeGib: 10, releasingGib: null }] },
    );
    expect(blockersOf(unknownAmount)).toEqual(['gpu0:releasing']);
  });

  it('evicts the rest when what comes back is not enough', () => {
    const p = plan(sdxl, [ready(modelSpec('four', { vramGib: 4 }), { usedMinAgo: 60 })], {
      cards: [{ totalGib: 24, freeGib: 10, releasingGib: 8 }],
    });
    expect(victimsOf(p)).toEqual(['four']);
  });
});

describe('a model that can never fit', () => {
  it('is refused with the numbers when its declared need plus the margin is more than the card', () => {
    expect(plan(modelSpec('llama-70b', { vramGib: 40 }), [])).toEqual({
      kind: 'never-fits',
      gpuIndex: 0,
      needBytes: 40 * GIB,
      marginBytes: 1 * GIB,
      totalBytes: 24 * GIB,
    });
    expect(plan(modelSpec('tight', { vramGib: 23.5 }), []).kind).toBe('never-fits');
    expect(plan(modelSpec('exact', { vramGib: 23 }), []).kind).toBe('admit');
  });

  it('is refused even when models are busy or pinned (no wait for a timeout)', () => {
    expect(
      plan(modelSpec('llama-70b', { vramGib: 40 }), [ready(llama, { inFlight: 1 })]).kind,
    ).toBe('never-fits');
  });

  it('is not refused on a learned figure, which ran on this card before: the margin is capped by the card', () => {
    expect(plan(modelSpec('learned'), [], { learnedGib: { learned: 23.5 } })).toEqual({
      kind: 'admit',
    });
  });
});

describe('a model of unknown need', () => {
  const unknown = modelSpec('unknown');

  it('starts if at least the margin is free', () => {
    expect(plan(unknown, [ready(sdxl)]).kind).toBe('admit');
  });

  it('makes room for the margin when the card is full', () => {
    expect(
      victimsOf(
        plan(unknown, [
          ready(sdxl, { usedMinAgo: 3 }),
          ready(modelSpec('four', { vramGib: 4 }), { usedMinAgo: 1 }),
        ]),
      ),
    ).toEqual(['sdxl']);
  });
});

describe('groups', () => {
  const flux = modelSpec('flux', { vramGib: 6, group: 'image' });
  const comfy = modelSpec('comfy', { vramGib: 6, group: 'image' });

  it('puts the other awake models of the group to sleep first, with the group as the cause, even when VRAM is plenty', () => {
    const p = plan(comfy, [ready(flux), ready(whisper)]);
    expect(p).toEqual({
      kind: 'sleep',
      victims: [{ model: 'flux', cause: { kind: 'group', forModel: 'comfy', group: 'image' } }],
    });
  });

  it('starts at once when no other model of the group is awake', () => {
    expect(plan(comfy, [modelStatus(flux), ready(whisper)]).kind).toBe('admit');
  });

  it('waits for a busy, pinned, young, waking or stopping model of the group', () => {
    expect(blockersOf(plan(comfy, [ready(flux, { inFlight: 1 })]))).toEqual(['flux:busy']);
    expect(blockersOf(plan(comfy, [ready(flux, { pinned: true })]))).toEqual(['flux:pinned']);
    expect(blockersOf(plan(comfy, [ready(flux, { readyMinAgo: 1 })]))).toEqual(['flux:young']);
    expect(blockersOf(plan(comfy, [modelStatus(flux, { state: 'waking' })]))).toEqual([
      'flux:waking',
    ]);
    expect(blockersOf(plan(comfy, [modelStatus(flux, { state: 'stopping' })]))).toEqual([
      'flux:stopping',
    ]);
    const p = plan(comfy, [ready(flux, { inFlight: 1 })]);
    expect(p.kind === 'wait' && p.blockers[0]?.group).toBe('image');
  });

  it('counts the group mates going to sleep as room, and evicts for VRAM only what is still missing', () => {
    const big = modelSpec('big', { vramGib: 16, group: 'image' });
    // 2 GiB free; big (16) leaving for the group covers comfy8's 8 + 1: `six`, the LRU, stays.
    const comfy8 = modelSpec('comfy8', { vramGib: 8, group: 'image' });
    const p = plan(comfy8, [
      ready(big, { usedMinAgo: 1 }),
      ready(modelSpec('six', { vramGib: 6 }), { usedMinAgo: 60 }),
    ]);
    expect(p).toEqual({
      kind: 'sleep',
      victims: [{ model: 'big', cause: { kind: 'group', forModel: 'comfy8', group: 'image' } }],
    });
  });

  it('puts nobody to sleep while one group mate must still be waited for', () => {
    const third = modelSpec('third', { vramGib: 2, group: 'image' });
    const p = plan(comfy, [ready(flux), ready(third, { inFlight: 1 })]);
    expect(p.kind).toBe('wait');
    expect(blockersOf(p)).toEqual(['third:busy']);
  });
});

describe('several GPUs', () => {
  const cards: Card[] = [{ totalGib: 24 }, { totalGib: 24 }];

  it('needs room on each GPU of the model: evicts on the GPU that is short, not the least recently used elsewhere', () => {
    const onGpu0 = ready(modelSpec('zero', { vramGib: 20 }), { usedMinAgo: 90, gpus: [0] });
    const onGpu1 = ready(modelSpec('one', { vramGib: 20 }), { usedMinAgo: 5, gpus: [1] });
    // 20 GiB over two GPUs = 10 each (+1): GPU 0 and GPU 1 both have 4 free.
    const wide = modelSpec('wide', { vramGib: 20 });
    expect(victimsOf(plan(wide, [onGpu0, onGpu1], { cards, candidateGpus: [0, 1] }))).toEqual([
      'zero',
      'one',
    ]);
    // A model on GPU 1 alone only needs GPU 1.
    expect(victimsOf(plan(whisper, [onGpu0, onGpu1], { cards, candidateGpus: [1] }))).toEqual([
      'one',
    ]);
  });

  it('counts a model that spans both GPUs as room on both', () => {
    const span = ready(modelSpec('span', { vramGib: 40 }), { usedMinAgo: 90, gpus: [0, 1] });
    const wide = modelSpec('wide', { vramGib: 30 });
    expect(
      victimsOf(
        plan(
          wide,
          [span, ready(modelSpec('other', { vramGib: 2 }), { usedMinAgo: 100, gpus: [1] })],
          { cards, candidateGpus: [0, 1] },
        ),
      ),
    ).toEqual(['span']);
  });

  it('refuses at once when one of its GPUs is too small, naming that GPU', () => {
    const p = plan(modelSpec('wide', { vramGib: 30 }), [], {
      cards: [{ totalGib: 24 }, { totalGib: 12 }],
      candidateGpus: [0, 1],
    });
    expect(p).toMatchObject({
      kind: 'never-fits',
      gpuIndex: 1,
      needBytes: 15 * GIB,
      totalBytes: 12 * GIB,
    });
  });

  it('waits when the short GPU holds only busy models, even if the other GPU could be cleared', () => {
    const onGpu0 = ready(modelSpec('zero', { vramGib: 20 }), { usedMinAgo: 90, gpus: [0] });
    const onGpu1 = ready(modelSpec('one', { vramGib: 20 }), { inFlight: 1, gpus: [1] });
    const p = plan(modelSpec('wide', { vramGib: 20 }), [onGpu0, onGpu1], {
      cards,
      candidateGpus: [0, 1],
    });
    expect(p.kind).toBe('wait');
    expect(blockersOf(p)).toEqual(['one:busy']);
  });

  it('reads an empty GPU list as GPU 0', () => {
    expect(gpusOf({ gpuIndexes: [] })).toEqual([0]);
    expect(gpusOf({ gpuIndexes: [1, 0, 1] })).toEqual([0, 1]);
    const onDefault = ready(modelSpec('default', { vramGib: 20 }), { usedMinAgo: 5 });
    expect(victimsOf(plan(whisper, [onDefault], { cards, candidateGpus: [0] }))).toEqual([
      'default',
    ]);
    expect(plan(whisper, [onDefault], { cards, candidateGpus: [1] }).kind).toBe('admit');
  });
});
