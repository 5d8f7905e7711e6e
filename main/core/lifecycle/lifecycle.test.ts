// The lifecycle's state machine on a virtual clock, over the in-memory engine.
import { afterEach, describe, expect, it } from 'vitest';
import { flushMicrotasks, VirtualClock } from '../clock/virtual-clock';
import { MemoryReadiness, MemoryRuntime } from '../docker/testdata/memory-runtime';
import { Lifecycle } from './lifecycle';
import { WakeError, type WakeAdmission } from './lifecycle-api';
import type { LifecycleEvent, ModelStatus } from './model-state';
import type { ModelSpec } from '../config/model-spec';
import {
  kinds,
  lifecycleRig,
  request,
  rigSpec,
  stopRigs,
  trackRig,
} from './testdata/lifecycle-rig';

afterEach(stopRigs);

const rig = lifecycleRig;
const spec = rigSpec;

describe('Lifecycle on a virtual clock', () => {
  it('wakes a sleeping model once for 200 concurrent requests', async () => {
    const { clock, runtime, lifecycle, events } = await rig([spec('chat')]);
    const states: string[] = [];
    lifecycle.onChange((s) => states.push(s.state));
    const acquires = Array.from({ length: 200 }, () => lifecycle.acquire('chat', request));
    await flushMicrotasks();
    expect(lifecycle.get('chat')?.state).toBe('waking');
    await clock.advance(2100);
    const leases = await Promise.all(acquires);
    expect(runtime.startCount('chat')).toBe(1);
    expect(leases.every((l) => l.upstream.port === leases[0]?.upstream.port)).toBe(true);
    expect(lifecycle.get('chat')?.inFlight).toBe(200);
    expect(kinds(events)).toEqual(['wake-requested', 'ready']);
    const ready = events[1];
    expect(ready?.kind === 'ready' && ready.wakeMs).toBeGreaterThanOrEqual(2000);
    expect(ready?.kind === 'ready' && ready.wakeMs).toBeLessThanOrEqual(2050);
    expect(states.slice(0, 2)).toEqual(['waking', 'waking']);
    for (const lease of leases) lease.release();
    expect(lifecycle.get('chat')?.inFlight).toBe(0);
  });

  it('sees a quick model ready within 50 ms of it starting to serve', async () => {
    const { clock, lifecycle, events } = await rig([spec('chat')], { startDelayMs: 130 });
    const lease = lifecycle.acquire('chat', request);
    await clock.advance(180);
    await lease;
    const ready = events.find((e) => e.kind === 'ready');
    expect(ready?.kind === 'ready' && ready.wakeMs).toBeLessThanOrEqual(180);
  });

  it('puts an unused model to sleep after its idle time', async () => {
    const { clock, runtime, lifecycle, events } = await rig([spec('chat', { idleMs: 60_000 })]);
    const lease = lifecycle.acquire('chat', request);
    await clock.advance(2100);
    (await lease).release();
    const releasedAt = clock.now();
    expect(lifecycle.get('chat')?.sleepAt).toBe(releasedAt + 60_000);
    await clock.advance(59_000);
    expect(lifecycle.get('chat')?.state).toBe('ready');
    await clock.advance(1000);
    await flushMicrotasks();
    expect(lifecycle.get('chat')?.state).toBe('asleep');
    expect(runtime.calls.map((c) => c.op)).toEqual(['start', 'stop']);
    expect(runtime.calls[1]?.at).toBe(releasedAt + 60_000);
    expect(events.at(-1)).toMatchObject({ kind: 'sleep', cause: { kind: 'idle', idleMs: 60_000 } });
  });

  it('never puts a model to sleep while a use is open, however long', async () => {
    const { clock, runtime, lifecycle } = await rig([spec('chat', { idleMs: 1000 })]);
    const lease = await (async () => {
      const pending = lifecycle.acquire('chat', request);
      await clock.advance(2100);
      return pending;
    })();
    await clock.advance(24 * 3_600_000);
    expect(lifecycle.get('chat')).toMatchObject({ state: 'ready', inFlight: 1, sleepAt: null });
    expect(runtime.calls.filter((c) => c.op === 'stop')).toEqual([]);
    lease.release();
    lease.release();
    expect(lifecycle.get('chat')?.inFlight).toBe(0);
    await clock.advance(1000);
    expect(lifecycle.get('chat')?.state).toBe('asleep');
  });

  it('restarts the idle time when a new use begins and ends', async () => {
    const { clock, lifecycle } = await rig([spec('chat', { idleMs: 10_000 })]);
    const first = lifecycle.acquire('chat', request);
    await clock.advance(2100);
    (await first).release();
    await clock.advance(9000);
    const second = await lifecycle.acquire('chat', request);
    expect(lifecycle.get('chat')?.sleepAt).toBeNull();
    await clock.advance(5000);
    second.release();
    const releasedAt = clock.now();
    expect(lifecycle.get('chat')?.sleepAt).toBe(releasedAt + 10_000);
    await clock.advance(9999);
    expect(lifecycle.get('chat')?.state).toBe('ready');
    await clock.advance(1);
    expect(lifecycle.get('chat')?.state).toBe('asleep');
  });

  it('gives every waiter a timeout error when the model is not ready in time, and stops the container', async () => {
    const { clock, runtime, lifecycle, events } = await rig(
      [spec('slow', { wakeTimeoutMs: 5000 })],
      { startDelayMs: 60_000 },
    );
    const waits = Array.from({ length: 5 }, () =>
      lifecycle.acquire('slow', request).catch((e: unknown) => e),
    );
    await clock.advance(5000);
    const errors = await Promise.all(waits);
    for (const error of errors) {
      expect(error).toBeInstanceOf(WakeError);
      expect(error).toMatchObject({ code: 'timeout', model: 'slow' });
    }
    expect(lifecycle.get('slow')?.state).toBe('failed');
    expect(lifecycle.get('slow')?.failure?.reason).toMatch(/not ready after 5s/);
    expect(kinds(events)).toEqual(['wake-requested', 'failed']);
    await flushMicrotasks();
    expect(runtime.calls.map((c) => c.op)).toEqual(['start', 'stop']);
  });

  it('times out one caller on its own timeout while the wake goes on for the others', async () => {
    const { clock, lifecycle } = await rig([spec('chat')]);
    const impatient = lifecycle
      .acquire('chat', { ...request, timeoutMs: 500 })
      .catch((e: unknown) => e);
    const patient = lifecycle.acquire('chat', request);
    await clock.advance(500);
    expect(await impatient).toMatchObject({ code: 'timeout' });
    await clock.advance(1600);
    expect((await patient).model).toBe('chat');
  });

  it('lets a caller abort its wait without stopping the wake', async () => {
    const { clock, lifecycle } = await rig([spec('chat')]);
    const controller = new AbortController();
    const gone = lifecycle
      .acquire('chat', { ...request, signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort();
    expect(await gone).toMatchObject({ code: 'aborted' });
    await clock.advance(2100);
    expect(lifecycle.get('chat')?.state).toBe('ready');
    expect(lifecycle.get('chat')?.inFlight).toBe(0);
  });

  it('fails every waiter with the exit code and log lines when the container crashes while waking', async () => {
    const { clock, runtime, lifecycle, events } = await rig([spec('chat')]);
    const waits = Array.from({ length: 10 }, () =>
      lifecycle.acquire('chat', request).catch((e: unknown) => e),
    );
    await clock.advance(500);
    runtime.crash('chat', 3, ['loading weights failed: CUDA error: out of memory']);
    await flushMicrotasks(100);
    const errors = await Promise.all(waits);
    for (const error of errors) {
      expect(error).toMatchObject({ code: 'failed', model: 'chat' });
      expect((error as WakeError).message).toMatch(/exited with code 3/);
      expect((error as WakeError).logLines).toContain(
        'loading weights failed: CUDA error: out of memory',
      );
    }
    expect(clock.now() - (lifecycle.get('chat')?.wakeStartedAt ?? 0)).toBe(500);
    const status = lifecycle.get('chat');
    expect(status?.state).toBe('failed');
    expect(status?.failure?.logLines).toContain(
      'loading weights failed: CUDA error: out of memory',
    );
    expect(kinds(events)).toEqual(['wake-requested', 'failed']);

    const again = lifecycle.acquire('chat', request);
    await clock.advance(2100);
    expect((await again).model).toBe('chat');
    expect(runtime.startCount('chat')).toBe(2);
  });

  it('reports a start the engine refuses as a failed wake', async () => {
    const { clock, runtime, lifecycle } = await rig([spec('chat')]);
    runtime.failNextStart = 'port is already allocated';
    const error = await lifecycle.acquire('chat', request).catch((e: unknown) => e);
    await clock.advance(0);
    expect(error).toMatchObject({ code: 'failed' });
    expect((error as Error).message).toMatch(/port is already allocated/);
  });

  it('marks a ready model failed when its container crashes, and asleep when stopped by hand', async () => {
    const { clock, runtime, lifecycle, events } = await rig([spec('a'), spec('b')]);
    const a = lifecycle.acquire('a', request);
    const b = lifecycle.acquire('b', request);
    await clock.advance(2100);
    (await a).release();
    (await b).release();
    runtime.crash('a', 139, ['segfault']);
    runtime.handStop('b');
    await flushMicrotasks(100);
    expect(lifecycle.get('a')).toMatchObject({
      state: 'failed',
      failure: { reason: 'the container exited with code 139' },
    });
    expect(lifecycle.get('a')?.failure?.logLines).toContain('segfault');
    expect(lifecycle.get('b')?.state).toBe('asleep');
    expect(events.filter((e) => e.kind === 'sleep')).toMatchObject([
      { model: 'b', cause: { kind: 'external' } },
    ]);
  });

  it('follows a container started by hand through waking to ready, and starts its idle timer', async () => {
    const { clock, runtime, lifecycle, events } = await rig([spec('chat', { idleMs: 30_000 })]);
    runtime.handStart('chat');
    await flushMicrotasks(100);
    expect(lifecycle.get('chat')?.state).toBe('waking');
    await clock.advance(2100);
    expect(lifecycle.get('chat')?.state).toBe('ready');
    expect(runtime.startCount('chat')).toBe(0);
    expect(events.map((e) => e.kind)).toEqual(['wake-requested', 'ready']);
    expect(events[0]).toMatchObject({ cause: { kind: 'external' } });
    const status = lifecycle.get('chat');
    expect(status?.sleepAt).toBe((status?.readyAt ?? 0) + 30_000);
  });

  it('adopts a container already running at start quietly, with an idle timer', async () => {
    const clock = new VirtualClock();
    const runtime = new MemoryRuntime({ clock });
    runtime.add({ name: 'chat', running: true });
    const lifecycle = new Lifecycle({ clock, runtime, readiness: new MemoryReadiness(runtime) });
    trackRig(lifecycle);
    const events: LifecycleEvent[] = [];
    lifecycle.onEvent((e) => events.push(e));
    lifecycle.setSpecs([spec('chat', { idleMs: 5000 })]);
    await lifecycle.start();
    await clock.advance(100);
    expect(lifecycle.get('chat')).toMatchObject({
      state: 'ready',
      sleepAt: expect.any(Number) as number,
    });
    expect(events).toEqual([]);
    await clock.advance(5000);
    expect(lifecycle.get('chat')?.state).toBe('asleep');
    expect(runtime.calls.map((c) => c.op)).toEqual(['stop']);
  });

  it('never lets a pinned model or one with idle 0 sleep, and honours the auto-sleep pause', async () => {
    const { clock, lifecycle } = await rig([
      spec('pinned', { pin: true, idleMs: 1000 }),
      spec('zero', { idleMs: 0 }),
      spec('plain', { idleMs: 1000 }),
    ]);
    for (const name of ['pinned', 'zero', 'plain'])
      void lifecycle.wake(name, { kind: 'user', via: 'tray' });
    lifecycle.setAutoSleepPaused(true);
    await clock.advance(2100);
    await clock.advance(10_000);
    expect(lifecycle.list().map((s) => [s.spec.name, s.state, s.sleepAt])).toEqual([
      ['pinned', 'ready', null],
      ['plain', 'ready', null],
      ['zero', 'ready', null],
    ]);
    expect(lifecycle.idleDecision('plain')?.reason).toBe('auto-sleep is paused');
    expect(lifecycle.idleDecision('pinned')?.reason).toBe('pinned: never sleeps');
    lifecycle.setAutoSleepPaused(false);
    await clock.advance(1000);
    expect(lifecycle.list().map((s) => s.state)).toEqual(['ready', 'asleep', 'ready']);
    lifecycle.setPinned('pinned', false);
    expect(lifecycle.get('pinned')?.pinned).toBe(false);
    await clock.advance(1000);
    expect(lifecycle.get('pinned')?.state).toBe('asleep');
    await expect(
      lifecycle.sleep('zero', { kind: 'evicted', forModel: 'x' }),
    ).resolves.toBeUndefined();
  });

  it('refuses to evict a pinned model', async () => {
    const { clock, lifecycle } = await rig([spec('pinned', { pin: true })]);
    void lifecycle.wake('pinned', { kind: 'user', via: 'api' });
    await clock.advance(2100);
    await expect(lifecycle.sleep('pinned', { kind: 'evicted', forModel: 'big' })).rejects.toThrow(
      /pinned/,
    );
    await expect(lifecycle.sleep('pinned', { kind: 'user', via: 'api' })).resolves.toBeUndefined();
    expect(lifecycle.get('pinned')?.state).toBe('asleep');
  });

  it('waits for open uses when the user puts a model to sleep, and says so in the status', async () => {
    const { clock, runtime, lifecycle, events } = await rig([spec('chat')]);
    const pending = lifecycle.acquire('chat', request);
    await clock.advance(2100);
    const lease = await pending;
    let slept = false;
    const sleeping = lifecycle
      .sleep('chat', { kind: 'user', via: 'tray' })
      .then(() => (slept = true));
    await clock.advance(60_000);
    expect(slept).toBe(false);
    expect(lifecycle.get('chat')).toMatchObject({
      state: 'ready',
      inFlight: 1,
      sleepRequested: { kind: 'user', via: 'tray' },
    });
    const second = await lifecycle.acquire('chat', request);
    lease.release();
    await flushMicrotasks();
    expect(lifecycle.get('chat')?.state).toBe('ready');
    second.release();
    await sleeping;
    expect(slept).toBe(true);
    expect(lifecycle.get('chat')).toMatchObject({ state: 'asleep', sleepRequested: null });
    expect(runtime.calls.map((c) => c.op)).toEqual(['start', 'stop']);
    expect(events.at(-1)).toMatchObject({ kind: 'sleep', cause: { kind: 'user', via: 'tray' } });
  });

  it('cancels a wake when the user puts the model to sleep while it wakes', async () => {
    const { clock, runtime, lifecycle } = await rig([spec('chat')]);
    const waiting = lifecycle.acquire('chat', request).catch((e: unknown) => e);
    await clock.advance(500);
    await lifecycle.sleep('chat', { kind: 'user', via: 'api' });
    expect(await waiting).toMatchObject({ code: 'stopping' });
    expect(lifecycle.get('chat')?.state).toBe('asleep');
    await clock.advance(5000);
    expect(lifecycle.get('chat')?.state).toBe('asleep');
    expect(runtime.isServing('chat')).toBe(false);
  });

  it('wakes a model again for a request that arrives while it is stopping', async () => {
    const clock = new VirtualClock();
    const runtime = new MemoryRuntime({ clock, startDelayMs: 1000, stopDelayMs: 3000 });
    runtime.add({ name: 'chat' });
    const lifecycle = new Lifecycle({ clock, runtime, readiness: new MemoryReadiness(runtime) });
    trackRig(lifecycle);
    lifecycle.setSpecs([spec('chat', { idleMs: 1000 })]);
    await lifecycle.start();
    const first = lifecycle.acquire('chat', request);
    await clock.advance(1100);
    (await first).release();
    await clock.advance(1000);
    expect(lifecycle.get('chat')?.state).toBe('stopping');
    const second = lifecycle.acquire('chat', request);
    await clock.advance(3000);
    expect(lifecycle.get('chat')?.state).toBe('waking');
    await clock.advance(1100);
    expect((await second).model).toBe('chat');
    expect(runtime.startCount('chat')).toBe(2);
  });

  it('rejects an unknown model with unknown-model', async () => {
    const { lifecycle } = await rig([spec('chat')]);
    await expect(lifecycle.acquire('nope', request)).rejects.toMatchObject({
      code: 'unknown-model',
      model: 'nope',
    });
    await expect(lifecycle.sleep('nope', { kind: 'user', via: 'cli' })).rejects.toMatchObject({
      code: 'unknown-model',
    });
  });

  it('asks the admission hook before starting the container and tells it every change', async () => {
    const order: string[] = [];
    const notified: ModelStatus[] = [];
    let clockRef: VirtualClock | null = null;
    const admission: WakeAdmission = {
      async admit(model, context) {
        order.push(`admit ${model.name}`);
        expect(context.deadlineAt).toBe((clockRef?.now() ?? 0) + 30_000);
        await clockRef?.sleep(700);
        order.push('admitted');
      },
      notify: (status) => notified.push(status),
    };
    const clock = new VirtualClock();
    clockRef = clock;
    const runtime = new MemoryRuntime({ clock, startDelayMs: 1000 });
    runtime.add({ name: 'chat' });
    const lifecycle = new Lifecycle({
      clock,
      runtime,
      readiness: new MemoryReadiness(runtime),
      admission,
    });
    trackRig(lifecycle);
    lifecycle.onEvent((e) => order.push(e.kind));
    lifecycle.setSpecs([spec('chat')]);
    await lifecycle.start();
    const lease = lifecycle.acquire('chat', request);
    await clock.advance(700);
    expect(runtime.calls.map((c) => c.at - (lifecycle.get('chat')?.wakeStartedAt ?? 0))).toEqual([
      700,
    ]);
    await clock.advance(1100);
    await lease;
    expect(order).toEqual(['wake-requested', 'admit chat', 'admitted', 'ready']);
    expect(notified.map((s) => s.state)).toContain('waking');
    expect(notified.at(-1)).toMatchObject({ state: 'ready', inFlight: 1 });
  });

  it('fails the wake with the admission error when the model never fits', async () => {
    const admission: WakeAdmission = {
      admit: (model) =>
        Promise.reject(
          new WakeError('never-fits', `${model.name} needs 40 GiB; the GPU has 24 GiB`, model.name),
        ),
    };
    const { runtime, lifecycle } = await rig([spec('big')], { admission });
    const error = await lifecycle.acquire('big', request).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'never-fits' });
    expect((error as Error).message).toMatch(/needs 40 GiB/);
    expect(runtime.startCount('big')).toBe(0);
    expect(lifecycle.get('big')?.state).toBe('failed');
  });

  it('takes the idle time from the idle policy when the timer starts', async () => {
    const asked: number[] = [];
    const idlePolicy = {
      idleTimeFor: (_model: ModelSpec, now: number) => {
        asked.push(now);
        return { idleMs: 3000, reason: 'break-even: 3s' };
      },
    };
    const { clock, lifecycle } = await rig([spec('chat', { idleMs: 600_000 })], { idlePolicy });
    const lease = lifecycle.acquire('chat', request);
    await clock.advance(2100);
    expect(asked).toEqual([]);
    (await lease).release();
    expect(asked).toEqual([clock.now()]);
    expect(lifecycle.idleDecision('chat')).toEqual({
      idleMs: 3000,
      reason: 'break-even: 3s',
      decidedAt: clock.now(),
    });
    await clock.advance(3000);
    expect(lifecycle.get('chat')?.state).toBe('asleep');
  });

  it('re-reads container states when the event stream comes back after an engine restart', async () => {
    const { clock, runtime, lifecycle, events } = await rig([spec('a'), spec('b')]);
    void lifecycle.wake('a', { kind: 'user', via: 'api' });
    await clock.advance(2100);
    runtime.dropEvents((engine) => {
      engine.handStop('a');
      engine.silentStart('b');
    });
    await flushMicrotasks(100);
    expect(lifecycle.get('a')?.state).toBe('asleep');
    expect(lifecycle.get('b')?.state).toBe('waking');
    await clock.advance(2100);
    expect(lifecycle.get('b')?.state).toBe('ready');
    expect(events.filter((e) => e.model === 'b').map((e) => e.kind)).toEqual([
      'wake-requested',
      'ready',
    ]);
  });

  it('after an engine restart, adopts a failed model whose container runs again, but not the run that failed', async () => {
    const { clock, runtime, lifecycle } = await rig([spec('a'), spec('b')], {
      healthchecked: ['b'],
    });
    const a = lifecycle.acquire('a', request);
    const b = lifecycle.acquire('b', request);
    await clock.advance(2100);
    (await a).release();
    (await b).release();
    runtime.crash('a', 137, ['killed']);
    runtime.setHealth('b', 'unhealthy');
    await flushMicrotasks(100);
    expect(lifecycle.get('a')?.state).toBe('failed');
    expect(lifecycle.get('b')?.state).toBe('failed');
    await clock.advance(1000);
    // The engine comes back and its restart policy started a's container again; b's unhealthy run goes on.
    runtime.dropEvents((engine) => engine.handStart('a'));
    await flushMicrotasks(100);
    await clock.advance(2100);
    expect(lifecycle.get('a')?.state).toBe('ready');
    expect(lifecycle.get('b')).toMatchObject({
      state: 'failed',
      failure: { reason: 'the container turned unhealthy' },
    });
  });

  it('holds a wake while the engine is away, says so, and wakes the model once the engine is back', async () => {
    const { clock, runtime, lifecycle } = await rig([spec('a')]);
    runtime.setEngineDown(true);
    const lease = lifecycle.acquire('a', request);
    await clock.advance(5_000);
    expect(lifecycle.get('a')?.state).toBe('waking');
    expect(lifecycle.get('a')?.readinessDetail).toMatch(
      /^the Docker engine is not answering; waiting for it \(.*ECONNREFUSED/,
    );
    runtime.setEngineDown(false);
    await flushMicrotasks(100);
    await clock.advance(2100);
    expect(lifecycle.get('a')?.state).toBe('ready');
    (await lease).release();
    expect(runtime.startCount('a')).toBe(1);
  });

  it('fails the wake at its deadline when the engine never comes back, naming the engine', async () => {
    const { clock, runtime, lifecycle } = await rig([spec('a', { wakeTimeoutMs: 10_000 })]);
    runtime.setEngineDown(true);
    const outcome = lifecycle.acquire('a', request).then(
      () => null,
      (error: unknown) => error,
    );
    await clock.advance(10_100);
    const error = await outcome;
    expect(error).toBeInstanceOf(WakeError);
    expect((error as WakeError).code).toBe('timeout');
    expect((error as WakeError).message).toMatch(/the Docker engine is not answering/);
    expect(lifecycle.get('a')?.state).toBe('failed');
  });

  it('adds, updates and removes models with setSpecs', async () => {
    const { clock, runtime, lifecycle } = await rig([spec('a')]);
    runtime.add({ name: 'b' });
    const waiting = lifecycle.acquire('a', request).catch((e: unknown) => e);
    lifecycle.setSpecs([spec('b', { idleMs: 2000 })]);
    expect(await waiting).toMatchObject({ code: 'unknown-model' });
    expect(lifecycle.list().map((s) => s.spec.name)).toEqual(['b']);
    void lifecycle.wake('b', { kind: 'user', via: 'api' });
    await clock.advance(2100);
    expect(lifecycle.get('b')?.sleepAt).toBe((lifecycle.get('b')?.readyAt ?? 0) + 2000);
    lifecycle.setSpecs([spec('b', { idleMs: 500_000 })]);
    expect(lifecycle.get('b')?.sleepAt).toBe(clock.now() + 500_000);
  });
});
