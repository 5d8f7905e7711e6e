// A switch between two models that cannot share a 24 GiB card, on the real engine: Siesta (gateway, lifecycle, VRAM
// scheduler over a GPU stand-in sampled like the real probe) against the same stop and start done directly.
import { get } from 'node:http';
import { performance } from 'node:perf_hooks';
import type Dockerode from 'dockerode';
import { systemClock } from '../../main/core/clock/clock';
import { DockerRuntime } from '../../main/core/docker/docker-runtime';
import { Gateway } from '../../main/core/proxy/gateway';
import { gatewaySettings } from '../../main/core/proxy/gateway-settings';
import { SimulatedVram } from '../../main/core/scheduler/testdata/simulated-vram';
import { vramRig } from '../../main/core/scheduler/testdata/vram-rig';
import { SETTINGS_DEFAULTS } from '../../main/core/settings/settings-schema';
import { createFakeModel, removeContainer } from '../../test/docker-harness';
import { benchModelSpec } from '../gateway/bench-model-spec';

const GIB = 1024 ** 3;
const MODELS = { 'hb-swap-a': 14 * GIB, 'hb-swap-b': 20 * GIB } as const;
type Name = keyof typeof MODELS;
const NAMES = Object.keys(MODELS) as Name[];

/** One switch each way of measuring it. */
export interface SwitchPair {
  /** Siesta: request for the sleeping model sent (the other idle and awake) → first byte. */
  readonly siestaMs: number;
  /** Direct: `docker stop` of the awake one, `docker start` of the other, → its first GET /health that answered 200. */
  readonly directMs: number;
}

function firstByte(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 60_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function hostPortOf(container: Dockerode.Container): Promise<number> {
  const info = await container.inspect();
  return Number(info.NetworkSettings.Ports['8000/tcp']?.[0]?.HostPort ?? 0);
}

async function directSwitch(docker: Dockerode, from: Name, to: Name): Promise<number> {
  const t0 = performance.now();
  await docker.getContainer(from).stop({ t: 2 });
  const target = docker.getContainer(to);
  await target.start();
  const port = await hostPortOf(target);
  while ((await firstByte(port, '/health')) !== 200) await new Promise((r) => setTimeout(r, 5));
  return performance.now() - t0;
}

/** Siesta's switch: a fresh gateway, lifecycle, scheduler and GPU stand-in, `awake` running and idle; a request for `to`. */
async function siestaSwitch(
  docker: Dockerode,
  awake: Name,
  to: Name,
  sampleIntervalMs: number,
  log: (line: string) => void,
): Promise<number> {
  const clock = systemClock();
  const runtime = new DockerRuntime({ docker, managedNames: () => [] });
  const vram = new SimulatedVram({
    clock,
    runtime,
    totalBytes: [24 * GIB],
    containers: Object.fromEntries(NAMES.map((n) => [n, { vramBytes: MODELS[n] }])),
    sampleIntervalMs,
  });
  await vram.start([awake]);
  const { lifecycle: built } = vramRig({
    clock,
    runtime,
    vram,
    settings: {
      vramMarginBytes: SETTINGS_DEFAULTS.vramMarginBytes,
      minResidencyMs: SETTINGS_DEFAULTS.minResidencyMs,
    },
    stopGraceMs: 2_000,
    log,
  });
  built.setSpecs(
    NAMES.map((n) => benchModelSpec(n, { idleMs: 10 * 60_000, vramBytes: MODELS[n] })),
  );
  await built.start();
  const gateway = new Gateway({
    lifecycle: built,
    clock,
    settings: gatewaySettings({ port: 0 }),
    log,
  });
  await gateway.start();
  try {
    // Siesta adopts the running container once it answers; the stand-in has sampled the full card by then.
    const deadline = Date.now() + 30_000;
    while (built.get(awake)?.state !== 'ready' || vram.freeVramBytes(0) !== 10 * GIB) {
      if (Date.now() > deadline) throw new Error(`${awake} was not adopted as awake within 30 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const port = gateway.addresses()[0]?.port ?? 0;
    const t0 = performance.now();
    const status = await firstByte(port, `/${to}/whoami`);
    const tookMs = performance.now() - t0;
    if (status !== 200) throw new Error(`the switch to ${to} got HTTP ${status}`);
    if (vram.everRanTogether(NAMES)) throw new Error('both models ran at once');
    return tookMs;
  } finally {
    await gateway.stop();
    await built.stop();
    await vram.stop();
  }
}

/**
 * `switches` pairs (after one unmeasured warm-up pair): Siesta switches A→B, the direct way switches B→A, and so on, so
 * both measure the same two containers. `sampleIntervalMs`: how often the GPU stand-in samples (the real probe's
 * default is 1 s); the scheduler starts the new model once a reading shows the room, so it is part of a switch.
 */
export async function measureSwitches(
  docker: Dockerode,
  switches: number,
  sampleIntervalMs: number,
  log: (line: string) => void,
): Promise<readonly SwitchPair[]> {
  for (const name of NAMES)
    await createFakeModel(docker, { name, labels: { 'siesta.enable': 'true' } });
  const pairs: SwitchPair[] = [];
  try {
    await docker.getContainer('hb-swap-a').start();
    for (let i = -1; i < switches; i++) {
      const siestaMs = await siestaSwitch(docker, 'hb-swap-a', 'hb-swap-b', sampleIntervalMs, log);
      const directMs = await directSwitch(docker, 'hb-swap-b', 'hb-swap-a');
      if (i >= 0) pairs.push({ siestaMs, directMs });
    }
  } finally {
    for (const name of NAMES) await removeContainer(docker, name);
  }
  return pairs;
}
