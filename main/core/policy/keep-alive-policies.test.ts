// The composite policy: one IdlePolicy for every model, by spec.policy; it learns gaps from lifecycle changes and pre-warms.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import type { ModelSpec } from '../config/model-spec';
import type { LifecycleEvent, ModelStatus } from '../lifecycle/model-state';
import { fixedEnergyStats } from './energy-stats';
import {
  KeepAlivePolicies,
  type LifecycleObservable,
  type PrewarmDecision,
} from './keep-alive-policies';
import { policySpec } from './testdata/policy-fixtures';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const MONDAY = Date.UTC(2026, 0, 5);
const stats = { dPWatts: 20, wakeJoules: 2_000, wakeMs: 20_000, count: 10 };

/** The part of a lifecycle the policies listen to, driven by hand. */
class ScriptedLifecycle implements LifecycleObservable {
  readonly statuses = new Map<string, ModelStatus>();
  private changeListeners: ((s: ModelStatus) => void)[] = [];
  private eventListeners: ((e: LifecycleEvent) => void)[] = [];

  get(name: string): ModelStatus | undefined {
    return this.statuses.get(name);
  }
  onChange(listener: (s: ModelStatus) => void): () => void {
    this.changeListeners.push(listener);
    return () => (this.changeListeners = this.changeListeners.filter((l) => l !== listener));
  }
  onEvent(listener: (e: LifecycleEvent) => void): () => void {
    this.eventListeners.push(listener);
    return () => (this.eventListeners = this.eventListeners.filter((l) => l !== listener));
  }
  status(
    spec: ModelSpec,
    state: ModelStatus['state'],
    inFlight: number,
    lastUsedAt: number | null = null,
  ): void {
    const status: ModelStatus = {
      spec,
      state,
      inFlight,
      pinned: false,
      containerId: 'c1',
      upstream: null,
      lastUsedAt,
      sleepAt: null,
      wakeStartedAt: null,
      readyAt: null,
      failure: null,
      gpuIndexes: [],
    };
    this.statuses.set(spec.name, status);
    for (const l of this.changeListeners) l(status);
  }
  event(event: LifecycleEvent): void {
    for (const l of this.eventListeners) l(event);
  }
}

function setup(settings = {}) {
  const clock = new VirtualClock(MONDAY);
  const policies = new KeepAlivePolicies({
    clock,
    energyStats: fixedEnergyStats({ chat: stats, image: stats, voice: stats }),
    settings: { coldStartCostJoules: 6_000, ...settings },
  });
  const lifecycle = new ScriptedLifecycle();
  policies.attach(lifecycle);
  return { clock, policies, lifecycle };
}

describe('keep-alive policies (composite)', () => {
  it("answers each model by its spec's policy and keeps every model's latest decision and reason", () => {
    const { policies } = setup();
    const fixed = policies.idleTimeFor(policySpec('voice', 'fixed', { idleMs: 120_000 }), MONDAY);
    const breakEven = policies.idleTimeFor(policySpec('image', 'break-even'), MONDAY);
    const adaptive = policies.idleTimeFor(policySpec('chat', 'adaptive'), MONDAY);
    expect(fixed).toEqual({ idleMs: 120_000, reason: 'fixed: 2 min from the spec' });
    expect(breakEven).toEqual({
      idleMs: 100_000,
      reason: 'break-even: wake costs 2 kJ, idle costs 20 W -> 1 min 40 s',
    });
    // Until it knows 20 gaps: break-even counting the cold start, (2 kJ + 6 kJ) / 20 W.
    expect(adaptive).toEqual({
      idleMs: 400_000,
      reason:
        'adaptive: 0 of 20 idle gaps seen, so break-even: wake costs 2 kJ + 6 kJ for the cold start, idle costs 20 W -> 6 min 40 s',
    });
    expect(policies.currentDecisions().map((d) => [d.model, d.policy, d.idleMs])).toEqual([
      ['chat', 'adaptive', 400_000],
      ['image', 'break-even', 100_000],
      ['voice', 'fixed', 120_000],
    ]);
    expect(policies.currentDecision('image')?.decidedAt).toBe(MONDAY);
    expect(policies.currentDecision('nobody')).toBeNull();
  });

  it('uses a changed cold-start cost from the next decision, and rejects a nonsense one naming the setting', () => {
    const { policies } = setup();
    const chat = policySpec('chat', 'adaptive');
    expect(policies.idleTimeFor(chat, MONDAY).idleMs).toBe(400_000);
    policies.updateSettings({ coldStartCostJoules: 10_000 });
    // (2 kJ + 10 kJ) / 20 W
    expect(policies.idleTimeFor(chat, MONDAY + 1_000).idleMs).toBe(600_000);
    expect(() => policies.updateSettings({ coldStartCostJoules: -1 })).toThrow(
      /coldStartCostJoules/,
    );
    expect(policies.settings.coldStartCostJoules).toBe(10_000);
  });

  it('learns idle gaps from in-flight changes and request wakes, and turns adaptive after 20 of them', async () => {
    const { clock, policies, lifecycle } = setup();
    const spec = policySpec('chat', 'adaptive');
    let at = MONDAY;
    for (let i = 0; i < 19; i++) {
      await clock.advanceTo(at);
      lifecycle.status(spec, 'ready', 1);
      lifecycle.status(spec, 'ready', 0, at);
      at += 45_000;
      if (i % 2 === 1) {
        // Asleep: the arrival shows as a wake for a request.
        lifecycle.status(spec, 'asleep', 0, at - 45_000);
        lifecycle.event({
          kind: 'wake-requested',
          at,
          model: 'chat',
          cause: { kind: 'request', route: 'port', detail: '' },
        });
      }
    }
    expect(policies.gapsOf('chat')).toHaveLength(18);
    expect(policies.gapsOf('chat').every((g) => g.endAt - g.startAt === 45_000)).toBe(true);
    expect(policies.idleTimeFor(spec, at).reason).toMatch(/^adaptive: 18 of 20/);
    policies.observeGap('chat', 45_000, at + 45_000);
    expect(policies.idleTimeFor(spec, at + 45_000).reason).toMatch(/^adaptive: 19 of 20/);
    policies.observeGap('chat', 45_000, at + 45_000 * 2);
    const decision = policies.idleTimeFor(spec, at + 45_000 * 2);
    // All gaps are 45 s: stay awake through them (plus a 5% margin).
    expect(decision.idleMs).toBe(47_250);
    expect(decision.reason).toMatch(/^adaptive: over /);
  });

  it('pre-warms a sleeping adaptive model before the usual morning request, and holds it awake for it', async () => {
    const { clock, policies, lifecycle } = setup();
    const spec = policySpec('chat', 'adaptive');
    // Seven working days: requests from 08:30 to 18:00, every 10 min.
    for (let day = 0; day < 7; day++) {
      const base = MONDAY + day * DAY;
      const previousEvening = day === 0 ? MONDAY - 6 * HOUR : base - 6 * HOUR;
      policies.observeGap('chat', base + 8.5 * HOUR - previousEvening, base + 8.5 * HOUR);
      for (let t = 8.5 * HOUR + 600_000; t <= 18 * HOUR; t += 600_000)
        policies.observeGap('chat', 540_000, base + t);
    }
    const eveningAt = MONDAY + 6 * DAY + 18 * HOUR;
    await clock.advanceTo(eveningAt);
    lifecycle.status(spec, 'asleep', 0, eveningAt);
    const prewarms: PrewarmDecision[] = [];
    policies.onPrewarm((d) => prewarms.push(d));
    lifecycle.event({
      kind: 'sleep',
      at: eveningAt,
      model: 'chat',
      cause: { kind: 'idle', idleMs: 60_000 },
    });
    expect(policies.currentDecision('chat')).toBeNull();
    await clock.advanceTo(eveningAt + 14.5 * HOUR - 90_000);
    expect(prewarms).toHaveLength(0);
    await clock.advanceTo(eveningAt + 14.5 * HOUR);
    expect(prewarms).toHaveLength(1);
    expect(prewarms[0]?.at).toBe(eveningAt + 14.5 * HOUR - 80_000);
    expect(prewarms[0]?.detail).toMatch(/^on 7 of the last 7 days a request came 14 h 30 min/);
    // Woken and ready before the request: the idle timer must not put it back to sleep before 08:30.
    const held = policies.idleTimeFor(spec, clock.now());
    expect(held.idleMs).toBeGreaterThanOrEqual(60_000);
    expect(held.reason).toMatch(/^pre-warmed: on 7 of the last 7 days/);
    lifecycle.status(spec, 'ready', 1);
    expect(policies.idleTimeFor(spec, clock.now()).reason).toMatch(/^adaptive: over/);
  });

  it('cancels a planned pre-warm when a request wakes the model first', async () => {
    const { clock, policies, lifecycle } = setup();
    const spec = policySpec('chat', 'adaptive');
    for (let day = 0; day < 7; day++) {
      const base = MONDAY + day * DAY;
      policies.observeGap('chat', 14.5 * HOUR, base + 8.5 * HOUR);
      for (let t = 9 * HOUR; t <= 18 * HOUR; t += 1_800_000)
        policies.observeGap('chat', 60_000, base + t);
    }
    const eveningAt = MONDAY + 6 * DAY + 18 * HOUR;
    await clock.advanceTo(eveningAt);
    lifecycle.status(spec, 'asleep', 0, eveningAt);
    const prewarms: PrewarmDecision[] = [];
    policies.onPrewarm((d) => prewarms.push(d));
    lifecycle.event({
      kind: 'sleep',
      at: eveningAt,
      model: 'chat',
      cause: { kind: 'idle', idleMs: 60_000 },
    });
    lifecycle.event({
      kind: 'wake-requested',
      at: eveningAt + HOUR,
      model: 'chat',
      cause: { kind: 'request', route: 'host', detail: '' },
    });
    await clock.advanceTo(eveningAt + DAY);
    expect(prewarms).toHaveLength(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('never pre-warms fixed or break-even models', async () => {
    const { clock, policies, lifecycle } = setup();
    const spec = policySpec('chat', 'break-even');
    for (let day = 0; day < 7; day++)
      policies.observeGap('chat', 14.5 * HOUR, MONDAY + day * DAY + 8.5 * HOUR);
    lifecycle.status(spec, 'asleep', 0);
    const prewarms: PrewarmDecision[] = [];
    policies.onPrewarm((d) => prewarms.push(d));
    lifecycle.event({
      kind: 'sleep',
      at: clock.now(),
      model: 'chat',
      cause: { kind: 'idle', idleMs: 60_000 },
    });
    await clock.advance(2 * DAY);
    expect(prewarms).toHaveLength(0);
  });
});
