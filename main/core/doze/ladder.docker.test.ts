// The sleep ladder on the real engine (issue 15): fake servers with vLLM's, SGLang's and a custom sleep API in
// containers, the real Lifecycle with the HTTP dozer, the real gateway, and a GPU stand-in whose memory follows what
// each fake says it holds. A doze frees the memory; a request wakes it through the server's own wake (no restart), or
// restarts it when that wake fails; a busy model is never dozed; a dozed model is stopped at its stop time.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ensureFakeDozeImage, removeTestContainers } from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { until } from '../../../test/until';
import { dockerFromEnv } from '../docker/docker-client';
import {
  askThroughGateway as ask,
  startLadderRig,
  type LadderModel,
  type LadderRig as Rig,
} from './testdata/ladder-rig';

const docker = dockerFromEnv();
const GIB = 1024 ** 3;
const WAKE_DELAY_MS = 400;

let current: Rig | null = null;

async function ladderRig(models: readonly LadderModel[]): Promise<Rig> {
  current = await startLadderRig(docker, models, { wakeDelayMs: WAKE_DELAY_MS });
  return current;
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
    await rig?.close();
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
