// The sleep ladder on the real engine (issue 15): fake servers with vLLM's, SGLang's and a custom sleep API in
// containers, the real Lifecycle with the HTTP dozer, the real gateway, and a GPU stand-in whose memory follows what
// each fake says it holds. A doze frees the memory; a request wakes it through the server's own wake (no restart), or
// restarts it when that wake fails; a busy model is never dozed; a dozed model is stopped at its stop time.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  createFakeModel,
  ensureFakeDozeImage,
  removeTestContainers,
} from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { until } from '../../../test/until';
import { systemClock } from '../clock/clock';
import { specFromLabels } from '../config/spec-from-labels';
import { dockerFromEnv } from '../docker/docker-client';
import { DockerRuntime } from '../docker/docker-runtime';
import { Lifecycle } from '../lifecycle/lifecycle';
import type { IdlePolicy } from '../lifecycle/lifecycle-api';
import type { LifecycleEvent } from '../lifecycle/model-state';
import { Gateway } from '../proxy/gateway';
import { gatewaySettings } from '../proxy/gateway-settings';
import { httpDozer } from './http-dozer';
import { DozeVram } from './testdata/doze-vram';

const docker = dockerFromEnv();
const clock = systemClock();
const GIB = 1024 ** 3;
const WAKE_DELAY_MS = 400;

interface LadderModel {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly dozeAfterMs: number;
  readonly stopAfterMs: number;
}

interface Rig {
  readonly lifecycle: Lifecycle;
  readonly gateway: Gateway;
  readonly port: number;
  readonly vram: DozeVram;
  readonly events: LifecycleEvent[];
  readonly logs: string[];
}

let current: Rig | null = null;

async function ladderRig(models: readonly LadderModel[]): Promise<Rig> {
  const runtime = new DockerRuntime({ docker, managedNames: () => [] });
  const specs = [];
  for (const m of models) {
    const labels = { 'siesta.enable': 'true', 'siesta.health': '/health', ...m.labels };
    await createFakeModel(docker, {
      name: m.name,
      image: ensureFakeDozeImage(),
      labels,
      env: { WAKE_DELAY_MS: String(WAKE_DELAY_MS), ...(m.env ?? {}) },
    });
    // The doze comes from the container's labels, as Siesta reads them.
    const read = specFromLabels(m.name, labels);
    if (!read.spec) throw new Error(read.problems.map((p) => p.message).join('; '));
    specs.push({ ...read.spec, wakeTimeoutMs: 60_000 });
  }
  const ladder: IdlePolicy = {
    idleTimeFor: (spec) => {
      const m = models.find((x) => x.name === spec.name);
      return {
        idleMs: m?.stopAfterMs ?? 600_000,
        dozeAfterMs: m?.dozeAfterMs,
        reason: 'the test ladder',
      };
    },
  };
  const logs: string[] = [];
  const events: LifecycleEvent[] = [];
  const lifecycle = new Lifecycle({
    clock,
    runtime,
    dozer: httpDozer({ timeoutMs: 10_000 }),
    idlePolicy: ladder,
    stopGraceMs: 2_000,
    log: (line) => logs.push(line),
  });
  lifecycle.onEvent((event) => events.push(event));
  lifecycle.setSpecs(specs);
  await lifecycle.start();
  const gateway = new Gateway({
    lifecycle,
    clock,
    settings: gatewaySettings({ port: 0 }),
    log: (line) => logs.push(line),
  });
  await gateway.start();
  const port = gateway.addresses()[0]?.port;
  if (port === undefined) throw new Error('the gateway has no address');
  const vram = new DozeVram({
    runtime,
    containers: models.map((m) => m.name),
    totalBytes: 24 * GIB,
  });
  current = { lifecycle, gateway, port, vram, events, logs };
  return current;
}

/** A request through the gateway (`/NAME/whoami`, the prefix stripped), as a client sends it. */
async function ask(
  rig: Rig,
  name: string,
  query = '',
): Promise<{ status: number; wakes: number | null }> {
  const res = await fetch(`http://127.0.0.1:${rig.port}/${name}/whoami${query}`, {
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { wakes?: number };
  return { status: res.status, wakes: body.wakes ?? null };
}

async function startedAt(name: string): Promise<string> {
  return (await docker.getContainer(name).inspect()).State.StartedAt;
}

async function usedNow(rig: Rig): Promise<number> {
  await rig.vram.readNow();
  return rig.vram.usedBytes();
}

function state(rig: Rig, name: string): string | undefined {
  return rig.lifecycle.get(name)?.state;
}

describeDocker('the sleep ladder with the real engine and gateway', () => {
  beforeAll(() => void ensureFakeDozeImage(), 180_000);

  afterEach(async () => {
    const rig = current;
    current = null;
    if (!rig) return;
    await rig.gateway.stop();
    await rig.lifecycle.stop();
  });

  afterAll(async () => {
    await removeTestContainers(docker);
  });

  it('vllm: an idle model dozes (its VRAM freed) and a request wakes it through its own wake, no restart', async () => {
    const rig = await ladderRig([
      {
        name: 'hd-ladder-vllm',
        labels: { 'siesta.doze': 'vllm' },
        // Time enough to read the stand-in while it is awake, on a loaded machine too.
        dozeAfterMs: 2_000,
        stopAfterMs: 600_000,
      },
    ]);
    expect(await ask(rig, 'hd-ladder-vllm')).toEqual({ status: 200, wakes: 0 });
    const firstStart = await startedAt('hd-ladder-vllm');
    expect(await usedNow(rig)).toBeCloseTo(14.4 * GIB, -6);

    await until(
      'the doze',
      () => state(rig, 'hd-ladder-vllm'),
      (s) => s === 'dozed',
      20_000,
    );
    // The stand-in reads what the fake holds: only the CUDA context is left.
    expect(await usedNow(rig)).toBeCloseTo(0.4 * GIB, -6);
    expect(rig.events.map((e) => e.kind)).toEqual(['wake-requested', 'ready', 'doze']);

    expect(await ask(rig, 'hd-ladder-vllm')).toEqual({ status: 200, wakes: 1 });
    expect(await startedAt('hd-ladder-vllm')).toBe(firstStart);
    expect(await usedNow(rig)).toBeCloseTo(14.4 * GIB, -6);
    const ready = rig.events.at(-1);
    expect(ready).toMatchObject({ kind: 'ready', from: 'dozed' });
    // The fake takes 400 ms to wake; Siesta's own part is small (the bench measures it).
    expect(ready?.kind === 'ready' ? ready.wakeMs : 0).toBeGreaterThanOrEqual(WAKE_DELAY_MS - 5);
    expect(rig.events.find((e) => e.kind === 'wake-requested' && e.from === 'dozed')).toBeTruthy();
  });

  it('http: when the server’s wake fails, Siesta restarts the container and the request is answered', async () => {
    const rig = await ladderRig([
      {
        name: 'hd-ladder-stuck',
        labels: {
          'siesta.doze': 'http',
          'siesta.doze.sleep': '/custom/doze',
          'siesta.doze.wake': '/custom/wake',
          'siesta.doze.status': '/custom/state',
        },
        env: { WAKE_FAILS: '1' },
        dozeAfterMs: 500,
        stopAfterMs: 600_000,
      },
    ]);
    expect((await ask(rig, 'hd-ladder-stuck')).status).toBe(200);
    const firstStart = await startedAt('hd-ladder-stuck');
    await until(
      'the doze',
      () => state(rig, 'hd-ladder-stuck'),
      (s) => s === 'dozed',
      20_000,
    );
    // A new process answers: it has never dozed, so it has never woken either.
    expect(await ask(rig, 'hd-ladder-stuck')).toEqual({ status: 200, wakes: 0 });
    expect(await startedAt('hd-ladder-stuck')).not.toBe(firstStart);
    expect(rig.events.at(-1)).toMatchObject({ kind: 'ready', from: 'asleep' });
    expect(rig.logs.join('\n')).toContain(
      'the doze wake of "hd-ladder-stuck" failed (hd-ladder-stuck: POST /custom/wake (http doze) answered HTTP 500',
    );
  });

  it('never dozes a model while a request is in flight; it dozes once the request ends', async () => {
    const rig = await ladderRig([
      {
        name: 'hd-ladder-busy',
        labels: { 'siesta.doze': 'vllm' },
        dozeAfterMs: 300,
        stopAfterMs: 600_000,
      },
    ]);
    expect((await ask(rig, 'hd-ladder-busy')).status).toBe(200);
    // Before its doze time comes, a request that takes 2.5 s starts.
    const slow = ask(rig, 'hd-ladder-busy', '?ms=2500');
    await until(
      'the request in flight',
      () => rig.lifecycle.get('hd-ladder-busy')?.inFlight,
      (n) => n === 1,
    );
    const states = new Set<string>();
    const off = rig.lifecycle.onChange((s) => states.add(s.state));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(state(rig, 'hd-ladder-busy')).toBe('ready');
    expect(await usedNow(rig)).toBeCloseTo(14.4 * GIB, -6);
    expect(await slow).toEqual({ status: 200, wakes: 0 });
    off();
    expect([...states]).not.toContain('dozing');
    await until(
      'the doze after the request',
      () => state(rig, 'hd-ladder-busy'),
      (s) => s === 'dozed',
      20_000,
    );
  });

  it('sglang: a dozed model is stopped at its stop time, and its memory is all given back', async () => {
    const rig = await ladderRig([
      {
        name: 'hd-ladder-sglang',
        labels: { 'siesta.doze': 'sglang' },
        dozeAfterMs: 300,
        stopAfterMs: 4_000,
      },
    ]);
    expect((await ask(rig, 'hd-ladder-sglang')).status).toBe(200);
    await until(
      'the doze',
      () => state(rig, 'hd-ladder-sglang'),
      (s) => s === 'dozed',
      20_000,
    );
    expect(await usedNow(rig)).toBeCloseTo(0.4 * GIB, -6);
    await until(
      'the stop',
      () => state(rig, 'hd-ladder-sglang'),
      (s) => s === 'asleep',
      20_000,
    );
    expect((await docker.getContainer('hd-ladder-sglang').inspect()).State.Running).toBe(false);
    expect(await usedNow(rig)).toBe(0);
    expect(rig.events.map((e) => e.kind)).toEqual(['wake-requested', 'ready', 'doze', 'sleep']);
  });
});
