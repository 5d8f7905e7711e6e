// The lifecycle on a virtual clock over the in-memory engine, for the state machine's unit tests.
import { flushMicrotasks, VirtualClock } from '../../clock/virtual-clock';
import { type ModelSpec } from '../../config/model-spec';
import { specForTest } from '../../config/testdata/spec-for-test';
import { MemoryReadiness, MemoryRuntime } from '../../docker/testdata/memory-runtime';
import { Lifecycle, type LifecycleOptions } from '../lifecycle';
import type { LifecycleEvent } from '../model-state';

/** A spec of the rig: no port or health (the in-memory readiness), idle 1 min, wake timeout 30 s. */
export function rigSpec(name: string, overrides: Partial<ModelSpec> = {}): ModelSpec {
  return specForTest(name, {
    port: null,
    health: null,
    idleMs: 60_000,
    wakeTimeoutMs: 30_000,
    ...overrides,
  });
}

/** One rig: the clock, the engine, the lifecycle, its events and log lines. */
export interface Rig {
  clock: VirtualClock;
  runtime: MemoryRuntime;
  lifecycle: Lifecycle;
  events: LifecycleEvent[];
  logs: string[];
}

const rigs: Lifecycle[] = [];

/** Stops this lifecycle with the rigs (one a test built by hand). */
export function trackRig(lifecycle: Lifecycle): void {
  rigs.push(lifecycle);
}

/** Stops every rig's lifecycle (afterEach). */
export async function stopRigs(): Promise<void> {
  for (const lifecycle of rigs.splice(0)) await lifecycle.stop();
}

/** A started lifecycle with these models' containers in the in-memory engine (asleep). */
export async function lifecycleRig(
  specs: ModelSpec[],
  options: Partial<LifecycleOptions> & {
    startDelayMs?: number;
    healthchecked?: readonly string[];
  } = {},
): Promise<Rig> {
  const clock = new VirtualClock();
  const runtime = new MemoryRuntime({ clock, startDelayMs: options.startDelayMs ?? 2000 });
  for (const s of specs)
    runtime.add({
      name: s.container,
      hasHealthcheck: options.healthchecked?.includes(s.container),
    });
  const logs: string[] = [];
  const lifecycle = new Lifecycle({
    clock,
    runtime,
    readiness: new MemoryReadiness(runtime),
    log: (m) => logs.push(m),
    ...options,
  });
  rigs.push(lifecycle);
  const events: LifecycleEvent[] = [];
  lifecycle.onEvent((e) => events.push(e));
  lifecycle.setSpecs(specs);
  await lifecycle.start();
  await flushMicrotasks();
  return { clock, runtime, lifecycle, events, logs };
}

/** A request's acquire options. */
export const request = { cause: { kind: 'request', route: 'path', detail: '/chat/' } } as const;

/** The kinds of the events, in order. */
export function kinds(events: LifecycleEvent[]): string[] {
  return events.map((e) => e.kind);
}
