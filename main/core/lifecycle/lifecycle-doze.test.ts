// The sleep ladder in the state machine (issue 15), on a virtual clock: doze after T1, stop after T2, the fast wake
// through the server's own wake call, the full start when that fails, and never a doze with a request in flight.
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../clock/clock';
import { flushMicrotasks } from '../clock/virtual-clock';
import type { ModelSpec } from '../config/model-spec';
import { VLLM_DOZE as VLLM } from '../config/testdata/spec-for-test';
import type { Dozer, IdlePolicy } from './lifecycle-api';
import { kinds, lifecycleRig, request, rigSpec, stopRigs } from './testdata/lifecycle-rig';

afterEach(stopRigs);

/** A server's sleep API in memory: each call takes `callMs` on the clock; `failWake`/`failDoze` make calls fail. */
class MemoryDozer implements Dozer {
  readonly calls: string[] = [];
  failWake = false;
  failDoze = false;
  refuse: string | null = null;
  constructor(
    private readonly clock: Clock,
    private readonly callMs = 500,
  ) {}
  refusal(): string | null {
    return this.refuse;
  }
  doze(model: ModelSpec): Promise<void> {
    return this.call(`doze ${model.name}`, this.failDoze);
  }
  wake(model: ModelSpec): Promise<void> {
    return this.call(`wake ${model.name}`, this.failWake);
  }
  private call(what: string, fail: boolean): Promise<void> {
    this.calls.push(what);
    return new Promise((resolve, reject) =>
      this.clock.setTimeout(
        () => (fail ? reject(new Error(`${what}: HTTP 500`)) : resolve()),
        this.callMs,
      ),
    );
  }
}

/** Doze after 10 s idle, stop after 60 s. */
const ladder: IdlePolicy = {
  idleTimeFor: () => ({ idleMs: 60_000, dozeAfterMs: 10_000, reason: 'test ladder' }),
};

async function rigWithDozer(overrides: Partial<ModelSpec> = {}) {
  let dozer: MemoryDozer | null = null;
  const lazy: Dozer = {
    refusal: () => dozer?.refusal() ?? null,
    doze: (m) => (dozer ? dozer.doze(m) : Promise.reject(new Error('no dozer'))),
    wake: (m) => (dozer ? dozer.wake(m) : Promise.reject(new Error('no dozer'))),
  };
  const r = await lifecycleRig([rigSpec('chat', { doze: VLLM, ...overrides })], {
    idlePolicy: ladder,
    dozer: lazy,
  });
  dozer = new MemoryDozer(r.clock);
  return { ...r, dozer };
}

async function awakeAndIdle(r: Awaited<ReturnType<typeof rigWithDozer>>): Promise<void> {
  const lease = r.lifecycle.acquire('chat', request);
  await r.clock.advance(2100);
  (await lease).release();
  await flushMicrotasks();
}

describe('the sleep ladder', () => {
  it('dozes an idle model after T1 and stops it after T2, saying when each comes', async () => {
    const r = await rigWithDozer();
    await awakeAndIdle(r);
    const idle = r.lifecycle.get('chat');
    expect(idle?.state).toBe('ready');
    expect(idle?.dozeAt).toBe(r.clock.now() + 10_000);
    expect(idle?.sleepAt).toBe(r.clock.now() + 60_000);
    await r.clock.advance(10_000);
    expect(r.lifecycle.get('chat')?.state).toBe('dozing');
    await r.clock.advance(500);
    const dozed = r.lifecycle.get('chat');
    expect(dozed?.state).toBe('dozed');
    expect(dozed?.dozeAt).toBeNull();
    expect(dozed?.sleepAt).toBe(r.clock.now() + 49_500);
    expect(r.runtime.isServing('chat')).toBe(true);
    await r.clock.advance(49_500);
    await r.clock.advance(100);
    expect(r.lifecycle.get('chat')?.state).toBe('asleep');
    expect(kinds(r.events)).toEqual(['wake-requested', 'ready', 'doze', 'sleep']);
    expect(r.dozer.calls).toEqual(['doze chat']);
  });

  it('wakes a dozed model through its server’s own wake, without restarting the container', async () => {
    const r = await rigWithDozer();
    await awakeAndIdle(r);
    await r.clock.advance(10_500);
    expect(r.lifecycle.get('chat')?.state).toBe('dozed');
    const lease = r.lifecycle.acquire('chat', request);
    await flushMicrotasks();
    expect(r.lifecycle.get('chat')?.state).toBe('waking');
    expect(r.lifecycle.get('chat')?.readinessDetail).toBe('waking from its doze');
    await r.clock.advance(500);
    const got = await lease;
    expect(got.upstream).toBeTruthy();
    got.release();
    expect(r.runtime.startCount('chat')).toBe(1);
    expect(r.dozer.calls).toEqual(['doze chat', 'wake chat']);
    const woke = r.events.filter((e) => e.kind === 'wake-requested' || e.kind === 'ready');
    expect(woke.map((e) => `${e.kind} from ${e.from ?? '?'}`)).toEqual([
      'wake-requested from asleep',
      'ready from asleep',
      'wake-requested from dozed',
      'ready from dozed',
    ]);
    expect(r.events.at(-1)).toMatchObject({ kind: 'ready', wakeMs: 500, from: 'dozed' });
  });

  it('restarts the container when the doze wake fails, and serves the request', async () => {
    const r = await rigWithDozer();
    await awakeAndIdle(r);
    await r.clock.advance(10_500);
    r.dozer.failWake = true;
    const details: string[] = [];
    r.lifecycle.onChange((s) => {
      if (s.readinessDetail && details.at(-1) !== s.readinessDetail)
        details.push(s.readinessDetail);
    });
    const lease = r.lifecycle.acquire('chat', request);
    await r.clock.advance(5_500);
    expect(details.slice(0, 2)).toEqual([
      'waking from its doze',
      'its doze wake failed (wake chat: HTTP 500); restarting it',
    ]);
    (await lease).release();
    expect(r.runtime.startCount('chat')).toBe(2);
    expect(r.events.at(-1)).toMatchObject({ kind: 'ready', from: 'asleep' });
    expect(r.logs.join('\n')).toContain('the doze wake of "chat" failed (wake chat: HTTP 500)');
  });

  it('never dozes a model with a request in flight; the ladder starts again when it ends', async () => {
    const r = await rigWithDozer();
    const lease = r.lifecycle.acquire('chat', request);
    await r.clock.advance(2100);
    const held = await lease;
    await r.clock.advance(30_000);
    expect(r.lifecycle.get('chat')?.state).toBe('ready');
    expect(r.lifecycle.get('chat')?.dozeAt).toBeNull();
    await expect(r.lifecycle.doze('chat', { kind: 'user', via: 'api' })).rejects.toThrow(
      '"chat" cannot doze: it is busy (1 open)',
    );
    held.release();
    await r.clock.advance(9_000);
    expect(r.lifecycle.get('chat')?.state).toBe('ready');
    await r.clock.advance(1_500);
    expect(r.lifecycle.get('chat')?.state).toBe('dozed');
    expect(r.dozer.calls).toEqual(['doze chat']);
  });

  it('serves a request that came while the model was dozing: it wakes right after the doze', async () => {
    const r = await rigWithDozer();
    await awakeAndIdle(r);
    await r.clock.advance(10_000);
    expect(r.lifecycle.get('chat')?.state).toBe('dozing');
    const lease = r.lifecycle.acquire('chat', request);
    await r.clock.advance(500);
    expect(r.lifecycle.get('chat')?.state).toBe('waking');
    await r.clock.advance(500);
    (await lease).release();
    expect(r.dozer.calls).toEqual(['doze chat', 'wake chat']);
    expect(r.runtime.startCount('chat')).toBe(1);
  });

  it('stops the model when its doze fails, or when the dozer refuses it (host RAM short)', async () => {
    const failing = await rigWithDozer();
    failing.dozer.failDoze = true;
    await awakeAndIdle(failing);
    await failing.clock.advance(10_500);
    await failing.clock.advance(100);
    expect(failing.lifecycle.get('chat')?.state).toBe('asleep');
    expect(failing.logs.join('\n')).toContain(
      'doze of "chat" failed (doze chat: HTTP 500); stopping it instead',
    );

    const refused = await rigWithDozer();
    refused.dozer.refuse = 'host RAM is short';
    await awakeAndIdle(refused);
    await refused.clock.advance(10_100);
    expect(refused.lifecycle.get('chat')?.state).toBe('asleep');
    expect(refused.logs).toContain('"chat" did not doze: host RAM is short; stopping it instead');
    expect(refused.events.at(-1)).toMatchObject({
      kind: 'sleep',
      cause: { kind: 'idle', idleMs: 10_000 },
    });
    expect(refused.dozer.calls).toEqual([]);
  });

  it('a model without a doze simply stops at its idle time', async () => {
    const r = await rigWithDozer({ doze: null });
    await awakeAndIdle(r);
    expect(r.lifecycle.get('chat')?.dozeAt).toBeNull();
    await r.clock.advance(60_100);
    expect(r.lifecycle.get('chat')?.state).toBe('asleep');
    await expect(r.lifecycle.doze('chat', { kind: 'user', via: 'api' })).rejects.toThrow(
      '"chat" cannot doze: it is asleep, not ready',
    );
    expect(r.dozer.calls).toEqual([]);
  });
});
