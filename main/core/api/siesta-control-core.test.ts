// The control core's live `model` events over a real lifecycle, ledger and settings on a virtual clock: a busy model
// (a change with every request it opens and closes) sends a few events carrying its latest state, not one per change,
// and its ledger figures are read again only after its lifecycle events or when they are a few seconds old.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { specForTest } from '../config/testdata/spec-for-test';
import { MemoryReadiness, MemoryRuntime } from '../docker/testdata/memory-runtime';
import { Ledger } from '../ledger/ledger';
import { Lifecycle } from '../lifecycle/lifecycle';
import { SettingsStore } from '../settings/settings-store';
import type { ApiEvent } from './contract';
import {
  MODEL_EVENT_INTERVAL_MS,
  STATS_MAX_AGE_MS,
  SiestaControlCore,
} from './siesta-control-core';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function rig() {
  const dir = mkdtempSync(join(tmpdir(), 'siesta-control-core-'));
  const clock = new VirtualClock();
  const runtime = new MemoryRuntime({ clock, startDelayMs: 0 });
  runtime.add({ name: 'qwen', running: true });
  const lifecycle = new Lifecycle({
    clock,
    runtime,
    readiness: new MemoryReadiness(runtime),
    log: () => undefined,
  });
  lifecycle.setSpecs([specForTest('qwen', { port: null, health: null, idleMs: 600_000 })]);
  await lifecycle.start();
  const ledger = new Ledger({ path: join(dir, 'ledger.sqlite'), clock, synchronous: 'normal' });
  let statsReads = 0;
  const modelStats = ledger.modelStats.bind(ledger);
  ledger.modelStats = (model) => {
    statsReads++;
    return modelStats(model);
  };
  const core = new SiestaControlCore({
    clock,
    lifecycle,
    ledger,
    settings: SettingsStore.open(dir),
    probeStatus: () => ({ backend: 'none', gpuCount: 0, lastError: null, lastSampleAt: null }),
    gatewayUrl: () => 'http://127.0.0.1:11400',
    engine: () => ({ reachable: true, detail: null, since: null }),
  });
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => ledger.close(),
    () => lifecycle.stop(),
    () => core.close(),
  );
  return { clock, lifecycle, core, statsReads: () => statsReads };
}

async function serveRequests(lifecycle: Lifecycle, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const lease = await lifecycle.acquire('qwen', {
      cause: { kind: 'request', route: 'path', detail: '/qwen/' },
    });
    lease.release();
  }
}

describe('the live model events', () => {
  it('sends the first change of a busy model at once and its latest state after the interval, not one event per request', async () => {
    const { clock, lifecycle, core } = await rig();
    const events: ApiEvent[] = [];
    core.subscribe((event) => events.push(event));
    const models = () => events.flatMap((e) => (e.type === 'model' ? [e.model] : []));

    await serveRequests(lifecycle, 100);
    expect(models()).toHaveLength(1);
    expect(models()[0]?.inFlight).toBe(1);

    await clock.advance(MODEL_EVENT_INTERVAL_MS);
    expect(models()).toHaveLength(2);
    expect(models()[1]).toMatchObject({ name: 'qwen', state: 'ready', inFlight: 0 });

    // Quiet for longer than the interval: the next change goes out at once again.
    await clock.advance(MODEL_EVENT_INTERVAL_MS);
    await lifecycle.sleep('qwen', { kind: 'user', via: 'api' });
    expect(models().at(-1)?.state).not.toBe('ready');
    await clock.advance(MODEL_EVENT_INTERVAL_MS);
    expect(models().at(-1)?.state).toBe('asleep');
  });

  it('reads nothing from the ledger for changes nobody listens to', async () => {
    const { lifecycle, statsReads } = await rig();
    await serveRequests(lifecycle, 50);
    expect(statsReads()).toBe(0);
  });

  it("reads a busy model's ledger figures once, not per event, and again after its next lifecycle event", async () => {
    const { clock, lifecycle, core, statsReads } = await rig();
    core.subscribe(() => undefined);
    for (let burst = 0; burst < 5; burst++) {
      await serveRequests(lifecycle, 20);
      await clock.advance(MODEL_EVENT_INTERVAL_MS);
    }
    expect(statsReads()).toBe(1);

    await lifecycle.sleep('qwen', { kind: 'user', via: 'api' });
    await clock.advance(MODEL_EVENT_INTERVAL_MS);
    expect(statsReads()).toBe(2);
    expect(core.state().models[0]?.state).toBe('asleep');
    expect(statsReads()).toBe(2);
    await clock.advance(STATS_MAX_AGE_MS);
    core.state();
    expect(statsReads()).toBe(3);
  });
});
