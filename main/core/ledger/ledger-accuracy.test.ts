// Accuracy of the ledger against a GPU with known ground truth over a scripted day of requests, run through the
// real Lifecycle on the in-memory engine and a ReplayProbe, all on one virtual clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { type ModelSpec } from '../config/model-spec';
import { MemoryReadiness, MemoryRuntime } from '../docker/testdata/memory-runtime';
import { ReplayProbe } from '../gpu/replay-probe';
import { Lifecycle } from '../lifecycle/lifecycle';
import type { LifecycleEvent } from '../lifecycle/model-state';
import { percentile } from './power-math';
import { Ledger } from './ledger';
import type { SimulatedGpuSpec, SimulatedModel } from './testdata/simulated-gpu';
import { SimulatedGpu } from './testdata/simulated-gpu';
import { specForTest } from '../config/testdata/spec-for-test';

const DAY_START = Date.UTC(2026, 0, 5); // a Monday
const H = 3_600_000;
const M = 60_000;
const at = (hours: number, minutes = 0, seconds = 0): number =>
  DAY_START + hours * H + minutes * M + seconds * 1000;

/** An H100: ~70 W with no context, +50 W for the first CUDA context, +4 W for each further one. */
const H100: SimulatedGpuSpec = {
  baselineWatts: 70,
  contextStepWatts: 50,
  perContextWatts: 4,
  busyWatts: 260,
  noiseWatts: 1.5,
};

const MODELS: readonly (SimulatedModel & { idleMs: number })[] = [
  { name: 'chat', wakeMs: 25_000, wakeExtraWatts: 150, idleMs: 10 * M },
  { name: 'image', wakeMs: 12_000, wakeExtraWatts: 90, idleMs: 5 * M },
  { name: 'speech', wakeMs: 4_000, wakeExtraWatts: 40, idleMs: 3 * M },
];

/** One request: arrives at `at` and keeps the model busy `durationMs` once it has a lease. */
interface ScriptedRequest {
  readonly model: string;
  readonly at: number;
  readonly durationMs: number;
}

function every(
  model: string,
  from: number,
  to: number,
  stepMs: number,
  durationMs: number,
): ScriptedRequest[] {
  const out: ScriptedRequest[] = [];
  for (let t = from; t < to; t += stepMs) out.push({ model, at: t, durationMs });
  return out;
}

function specOf(model: SimulatedModel & { idleMs: number }): ModelSpec {
  // health null: the container's own healthcheck; the lifecycle sees "healthy" as the engine reports it.
  return specForTest(model.name, {
    port: null,
    health: null,
    idleMs: model.idleMs,
    wakeTimeoutMs: 120_000,
  });
}

/** A working day: bursts of chat, a few images, some speech; overlaps on purpose. */
const REQUESTS: readonly ScriptedRequest[] = [
  ...every('chat', at(8, 30), at(9, 30), 3 * M, 30_000),
  { model: 'image', at: at(9, 0), durationMs: 40_000 },
  { model: 'image', at: at(9, 4), durationMs: 40_000 },
  { model: 'speech', at: at(10, 0), durationMs: 10_000 },
  { model: 'speech', at: at(10, 1), durationMs: 10_000 },
  ...[at(11, 0), at(11, 5), at(11, 20)].map((t) => ({ model: 'chat', at: t, durationMs: 45_000 })),
  ...[at(12, 0), at(12, 2), at(12, 30)].map((t) => ({ model: 'image', at: t, durationMs: 30_000 })),
  ...every('chat', at(13, 0), at(14, 0), 6 * M, 50_000),
  { model: 'speech', at: at(13, 30), durationMs: 8_000 },
  { model: 'image', at: at(15, 0), durationMs: 60_000 },
  { model: 'image', at: at(15, 3), durationMs: 20_000 },
  { model: 'chat', at: at(16, 30), durationMs: 40_000 },
  { model: 'speech', at: at(16, 33), durationMs: 5_000 },
  { model: 'chat', at: at(19, 45), durationMs: 90_000 },
  { model: 'image', at: at(20, 0), durationMs: 30_000 },
  { model: 'speech', at: at(22, 15), durationMs: 12_000 },
];

async function runDay(dir: string) {
  const clock = new VirtualClock(DAY_START);
  const gpu = new SimulatedGpu(H100, MODELS, clock);
  const runtime = new MemoryRuntime({ clock });
  for (const m of MODELS)
    runtime.add({ name: m.name, startDelayMs: m.wakeMs, hasHealthcheck: true, gpuIndexes: [0] });
  runtime.watch(gpu.onRuntimeEvent);
  const lifecycle = new Lifecycle({
    clock,
    runtime,
    readiness: new MemoryReadiness(runtime),
    stopGraceMs: 1000,
  });
  lifecycle.setSpecs(MODELS.map(specOf));

  // Wired as the composition root wires it: events with the model's GPUs, samples from the probe.
  const ledger = new Ledger({
    path: join(dir, 'ledger.sqlite'),
    clock,
    timeZone: 'utc',
    // FULL sync costs an fsync per second of simulated time; a day of them is slow and proves nothing here.
    synchronous: 'normal',
    inFlightOf: (model) => lifecycle.get(model)?.inFlight ?? 0,
    pricing: { pricePerKwh: 0.3, currency: 'EUR', gridCo2GramsPerKwh: 400 },
  });
  const events: LifecycleEvent[] = [];
  lifecycle.onEvent((event) => {
    events.push(event);
    ledger.recordEvent(event, { gpuIndexes: lifecycle.get(event.model)?.gpuIndexes ?? [] });
  });
  await lifecycle.start();
  ledger.observeModels(
    lifecycle.list().map((s) => ({ name: s.spec.name, state: s.state, gpuIndexes: s.gpuIndexes })),
  );

  // Samples half a second off the whole seconds the requests arrive on, as a real 1 Hz probe would be.
  await clock.advance(500);
  const probe = new ReplayProbe({ clock, script: () => [gpu.reading()] });
  await probe.start((samples) => ledger.recordSamples(samples));

  const failures: unknown[] = [];
  const send = (r: ScriptedRequest): void => {
    const cause = { kind: 'request', route: 'model-field', detail: r.model } as const;
    lifecycle.acquire(r.model, { cause }).then(
      (lease) => {
        gpu.setBusy(r.model, 1);
        clock.setTimeout(() => {
          gpu.setBusy(r.model, -1);
          lease.release();
        }, r.durationMs);
      },
      (error: unknown) => failures.push(error),
    );
  };

  // Warm-up: every model resident, then the ground truth starts (never sleeping = all resident from here).
  const warm = (model: string): void =>
    void lifecycle
      .wake(model, { kind: 'user', via: 'tray' })
      .catch((e: unknown) => failures.push(e));
  warm('chat');
  await clock.advanceTo(at(0, 2));
  warm('image');
  await clock.advanceTo(at(0, 5));
  warm('speech');
  await clock.advanceTo(at(0, 6));
  expect(lifecycle.list().map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
  const accountingFrom = clock.now();
  gpu.startAccounting();

  for (const r of REQUESTS) clock.setTimeout(() => send(r), r.at - clock.now());
  await clock.advanceTo(at(24));
  await probe.stop();
  await lifecycle.stop();
  ledger.flush();
  expect(failures).toEqual([]);
  return { clock, gpu, ledger, events, accountingFrom };
}

describe('energy ledger accuracy on a replayed GPU', () => {
  const dir = mkdtempSync(join(tmpdir(), 'siesta-ledger-accuracy-'));
  let day: Awaited<ReturnType<typeof runDay>>;
  beforeAll(async () => {
    day = await runDay(dir);
  });
  afterAll(() => {
    day?.ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports saved energy within 3% of the ground truth over a scripted day', () => {
    const { gpu, ledger, accountingFrom } = day;
    const truth = gpu.truth();
    const saved = ledger.savedSince(accountingFrom);
    expect(truth.savedJoules).toBeGreaterThan(1e6); // the day really saved something worth measuring
    expect(Math.abs(saved.savedJoules - truth.savedJoules) / truth.savedJoules).toBeLessThan(0.03);
    expect(saved.estimated).toBe(false);
    expect(saved.money).toBeCloseTo(saved.savedKwh * 0.3, 10);
    expect(saved.co2Grams).toBeCloseTo(saved.savedKwh * 400, 8);
    const byModel = new Map(saved.byModel.map((m) => [m.model, m]));
    expect([...byModel.keys()]).toEqual(['chat', 'image', 'speech']);
  });

  it('credits a sleep that left another model resident with the small drop, and the last one with the full step', () => {
    const { ledger, gpu } = day;
    const trueDrops = gpu.trueDrops();
    const sleeps = ledger.sleepRecords(DAY_START, at(24));
    const clean = sleeps.filter((s) => s.creditSource === 'measured');
    const shared = clean.filter((s) => !s.lastResident);
    const last = clean.filter((s) => s.lastResident);
    expect(shared.length).toBeGreaterThanOrEqual(2);
    expect(last.length).toBeGreaterThanOrEqual(5);
    for (const s of clean) {
      const truth = trueDrops.find((d) => d.model === s.model && d.at === s.at);
      expect(
        truth,
        `ground truth of ${s.model}'s sleep at ${new Date(s.at).toISOString()}`,
      ).toBeDefined();
      expect(Math.abs((s.creditedWatts ?? NaN) - (truth?.droppedWatts ?? NaN))).toBeLessThan(1.5);
    }
    for (const s of shared) expect(s.creditedWatts).toBeLessThan(8); // +4 W: the step stays paid by the other model
    for (const s of last) expect(s.creditedWatts).toBeGreaterThan(50); // +54 W: the step itself
    // A last-resident sleep whose GPU got a resident again is credited only its own share from then on.
    const takenOver = sleeps.filter((s) => s.takeoverAt !== null);
    expect(takenOver.length).toBeGreaterThanOrEqual(1);
    for (const s of takenOver) expect(s.takeoverWatts).toBeLessThan(8);
  });

  it('learns each model’s idle cost and wake energy close to the truth', () => {
    const { ledger, events } = day;
    for (const model of MODELS) {
      const wakeMs = events.flatMap((e) =>
        e.kind === 'ready' && e.model === model.name ? [e.wakeMs] : [],
      );
      const stats = ledger.modelStats(model.name);
      expect(stats.dpSource).toBe('measured');
      expect(stats.dpCount).toBeGreaterThan(0);
      expect(stats.dpLastResidentWatts ?? NaN).toBeGreaterThan(52);
      expect(stats.dpLastResidentWatts ?? NaN).toBeLessThan(56);
      expect(stats.wakeJoulesCount).toBeGreaterThan(0);
      const trueWake = model.wakeExtraWatts * (model.wakeMs / 1000);
      // At 1 Hz the reading that straddles "ready" mixes wake power with what follows (up to +314 W when a
      // request starts on an empty GPU): half a second of that is ~20% of a 4 s wake, ~1% of a 25 s one.
      const tolerance = model.wakeMs >= 10_000 ? 0.03 : 0.25;
      expect(Math.abs((stats.wakeJoules ?? NaN) - trueWake) / trueWake).toBeLessThan(tolerance);
      // The lifecycle sees "healthy" as the engine reports it: wake times are the load time, to a poll.
      expect(stats.wakeCount).toBe(wakeMs.length);
      expect(stats.wakeP50Ms).toBe(percentile(wakeMs, 50));
      expect(stats.wakeP95Ms).toBe(percentile(wakeMs, 95));
      expect(stats.wakeP50Ms ?? NaN).toBeGreaterThanOrEqual(model.wakeMs);
      expect(stats.wakeP95Ms ?? NaN).toBeLessThan(model.wakeMs + 100);
    }
    expect(ledger.modelStats('chat').savedIsEstimate).toBe(false);
  });
});
