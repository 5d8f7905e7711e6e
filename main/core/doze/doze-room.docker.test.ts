// Room on the GPU with dozes (issue 15), on the real engine: two 14 GiB models on a 24 GiB stand-in card. The
// scheduler counts a dozed model's VRAM as free once the doze meter measured it, makes room by dozing rather than
// stopping, stops a model whose doze kept too much when the room is needed, and a doze is refused (the model then
// stops) when host RAM cannot take the weights.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ensureFakeDozeImage, removeTestContainers } from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { until } from '../../../test/until';
import { dockerFromEnv } from '../docker/docker-client';
import { hostRamRefusal } from './host-ram';
import { httpDozer } from './http-dozer';
import { askThroughGateway as ask, startLadderRig, type LadderRig } from './testdata/ladder-rig';

const docker = dockerFromEnv();
const GIB = 1024 ** 3;
const CARD_BYTES = 24 * GIB;
const VLLM_14 = { 'siesta.doze': 'vllm', 'siesta.vram': '14GiB' };

let current: LadderRig | null = null;

async function startedAt(name: string): Promise<string> {
  return (await docker.getContainer(name).inspect()).State.StartedAt;
}

async function running(name: string): Promise<boolean> {
  return (await docker.getContainer(name).inspect()).State.Running;
}

function state(rig: LadderRig, name: string): string | undefined {
  return rig.lifecycle.get(name)?.state;
}

function mostUsed(rig: LadderRig): number {
  return Math.max(...rig.vram.log.map((r) => r.usedBytes));
}

describeDocker('room on the GPU with dozes, with the real engine', () => {
  beforeAll(() => void ensureFakeDozeImage(), 180_000);

  afterEach(async () => {
    await current?.close();
    current = null;
  });

  afterAll(async () => {
    await removeTestContainers(docker);
  });

  it('counts a dozed model’s VRAM as free once measured, and makes room by dozing, not stopping', async () => {
    const rig = await startLadderRig(
      docker,
      [
        { name: 'hd-room-a', labels: VLLM_14, dozeAfterMs: 1_000, stopAfterMs: 600_000 },
        { name: 'hd-room-b', labels: VLLM_14, dozeAfterMs: 600_000, stopAfterMs: 600_000 },
      ],
      { cardBytes: CARD_BYTES },
    );
    current = rig;
    expect(await ask(rig, 'hd-room-a')).toEqual({ status: 200, wakes: 0 });
    const aStarted = await startedAt('hd-room-a');
    await until(
      'a dozed and measured',
      () => rig.meter.keptBytes('hd-room-a'),
      (k) => k === 0,
    );
    expect(state(rig, 'hd-room-a')).toBe('dozed');
    expect(rig.meter.measureOf('hd-room-a')).toMatchObject({
      measured: true,
      enough: true,
      freedBytes: 14 * GIB,
    });

    // B fits beside the dozed A: nothing is stopped or dozed for it.
    expect(await ask(rig, 'hd-room-b')).toEqual({ status: 200, wakes: 0 });
    const bStarted = await startedAt('hd-room-b');
    expect(state(rig, 'hd-room-a')).toBe('dozed');
    expect(await running('hd-room-a')).toBe(true);

    // A again: B is idle, so it is dozed to make room, and A wakes through its own wake.
    expect(await ask(rig, 'hd-room-a')).toEqual({ status: 200, wakes: 1 });
    expect({ state: state(rig, 'hd-room-b'), logs: rig.logs }).toEqual({
      state: 'dozed',
      logs: [],
    });
    expect(await startedAt('hd-room-a')).toBe(aStarted);
    expect(await startedAt('hd-room-b')).toBe(bStarted);
    expect(rig.events.filter((e) => e.kind === 'sleep')).toEqual([]);
    expect(rig.events.find((e) => e.kind === 'doze' && e.model === 'hd-room-b')).toMatchObject({
      cause: { kind: 'evicted', forModel: 'hd-room-a' },
    });
    // The stand-in never held both awake: 14.4 + 0.4 GiB at most.
    expect(mostUsed(rig)).toBeLessThanOrEqual(CARD_BYTES);
  });

  it('notices a doze that kept 12 GiB, says so, and stops that model when the room is needed', async () => {
    const rig = await startLadderRig(
      docker,
      [
        {
          name: 'hd-room-leaky',
          labels: VLLM_14,
          env: { LEFTOVER_BYTES: String(12 * GIB) },
          dozeAfterMs: 1_000,
          stopAfterMs: 600_000,
        },
        { name: 'hd-room-c', labels: VLLM_14, dozeAfterMs: 600_000, stopAfterMs: 600_000 },
      ],
      { cardBytes: CARD_BYTES },
    );
    current = rig;
    expect((await ask(rig, 'hd-room-leaky')).status).toBe(200);
    await until(
      'the leaky doze measured',
      () => rig.meter.keptBytes('hd-room-leaky'),
      (k) => typeof k === 'number',
    );
    const warning =
      'hd-room-leaky dozed but still holds 12.0 GiB of its 14.0 GiB on GPU 0 (its server kept them allocated); Siesta stops it instead when another model needs the room.';
    expect(rig.meter.measureOf('hd-room-leaky')?.warning).toBe(warning);
    expect(rig.logs).toContain(warning);
    expect(rig.meter.mayDozeForRoom('hd-room-leaky')).toBe(false);

    expect((await ask(rig, 'hd-room-c')).status).toBe(200);
    expect(state(rig, 'hd-room-leaky')).toBe('asleep');
    expect(await running('hd-room-leaky')).toBe(false);
    expect(rig.events.find((e) => e.kind === 'sleep')).toMatchObject({
      model: 'hd-room-leaky',
      cause: { kind: 'evicted', forModel: 'hd-room-c' },
    });
    expect(mostUsed(rig)).toBeLessThanOrEqual(CARD_BYTES);
  });

  it('refuses a doze when host RAM cannot take the weights, and stops the model instead', async () => {
    const hostRamBytes = 8 * GIB;
    const rig = await startLadderRig(
      docker,
      [{ name: 'hd-room-ram', labels: VLLM_14, dozeAfterMs: 500, stopAfterMs: 600_000 }],
      {
        dozer: httpDozer({
          extraRefusal: (spec) =>
            spec.doze ? hostRamRefusal(spec.doze.kind, spec.vramBytes, hostRamBytes) : null,
        }),
      },
    );
    current = rig;
    expect((await ask(rig, 'hd-room-ram')).status).toBe(200);
    await until(
      'the stop',
      () => state(rig, 'hd-room-ram'),
      (s) => s === 'asleep',
    );
    expect(await running('hd-room-ram')).toBe(false);
    expect(rig.logs).toContain(
      '"hd-room-ram" did not doze: host RAM is short: a vllm doze moves up to 14.0 GiB of weights to host RAM, and 8.0 GiB is available (2 GiB kept for the system); stopping it instead',
    );
    expect(rig.events.some((e) => e.kind === 'doze')).toBe(false);
  });
});
