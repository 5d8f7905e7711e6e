// The sleep ladder on the real engine, for the doze tests and the wake bench: fake-doze containers (their doze read
// from their labels), the real Lifecycle with the HTTP dozer, the real gateway, a GPU stand-in whose memory is what each
// fake holds, and optionally the VRAM scheduler with the doze meter over that stand-in.
import type Docker from 'dockerode';
import { createFakeModel, ensureFakeDozeImage } from '../../../../test/docker-harness';
import { systemClock } from '../../clock/clock';
import { specFromLabels } from '../../config/spec-from-labels';
import { DockerRuntime } from '../../docker/docker-runtime';
import { Lifecycle } from '../../lifecycle/lifecycle';
import type { Dozer, IdlePolicy } from '../../lifecycle/lifecycle-api';
import type { LifecycleEvent } from '../../lifecycle/model-state';
import { Gateway } from '../../proxy/gateway';
import { gatewaySettings } from '../../proxy/gateway-settings';
import { VramScheduler } from '../../scheduler/vram-scheduler';
import { DozeMeter } from '../doze-meter';
import { httpDozer } from '../http-dozer';
import { DozeVram } from './doze-vram';

const GIB = 1024 ** 3;

/** One model of the rig: its container's labels and env, and its ladder (doze after, stop after). */
export interface LadderModel {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly dozeAfterMs: number;
  readonly stopAfterMs: number;
}

/** A running rig. */
export interface LadderRig {
  readonly lifecycle: Lifecycle;
  readonly gateway: Gateway;
  readonly port: number;
  readonly vram: DozeVram;
  readonly meter: DozeMeter;
  readonly scheduler: VramScheduler | null;
  readonly events: LifecycleEvent[];
  readonly logs: string[];
  /** Stops the gateway, the lifecycle, the stand-in's sampling (containers are left). */
  close(): Promise<void>;
}

/** Options of the rig. */
export interface LadderRigOptions {
  /** The fake's wake time. Default 400 ms. */
  readonly wakeDelayMs?: number;
  /** Admit wakes with the VRAM scheduler on a card of `cardBytes`. Default: no scheduler. */
  readonly cardBytes?: number;
  /** Another dozer (the host-RAM check with a stand-in RAM). Default the HTTP dozer. */
  readonly dozer?: Dozer;
}

/** Creates the containers (stopped) and starts the rig. */
export async function startLadderRig(
  docker: Docker,
  models: readonly LadderModel[],
  options: LadderRigOptions = {},
): Promise<LadderRig> {
  const clock = systemClock();
  const runtime = new DockerRuntime({ docker, managedNames: () => [] });
  const specs = [];
  for (const m of models) {
    const labels = { 'siesta.enable': 'true', 'siesta.health': '/health', ...m.labels };
    await createFakeModel(docker, {
      name: m.name,
      image: ensureFakeDozeImage(),
      labels,
      env: { WAKE_DELAY_MS: String(options.wakeDelayMs ?? 400), ...(m.env ?? {}) },
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
  const vram = new DozeVram({
    runtime,
    containers: models.map((m) => m.name),
    totalBytes: options.cardBytes ?? 24 * GIB,
  });
  const logs: string[] = [];
  const events: LifecycleEvent[] = [];
  let lifecycle: Lifecycle | null = null;
  const live = (): Lifecycle => {
    if (!lifecycle) throw new Error('the lifecycle is not built yet');
    return lifecycle;
  };
  const meter = new DozeMeter({
    clock,
    reading: (gpu) =>
      gpu === 0 && vram.log.length > 0
        ? { usedBytes: vram.usedBytes(), powerWatts: DozeVram.wattsFor(vram.usedBytes()) }
        : null,
    readNow: () => vram.readNow(),
    heldBytes: (spec) => spec.vramBytes,
    report: (line) => logs.push(line),
  });
  const scheduler =
    options.cardBytes === undefined
      ? null
      : new VramScheduler({
          clock,
          lifecycle: live,
          freeVramBytes: (gpu) => vram.freeVramBytes(gpu),
          totalVramBytes: (gpu) => vram.totalVramBytes(gpu),
          learnedVramBytes: () => null,
          settings: () => ({ vramMarginBytes: 256 * 1024 ** 2, minResidencyMs: 0 }),
          readNow: () => vram.readNow(),
          dozeKeptBytes: (model) => meter.keptBytes(model),
          mayDozeForRoom: (model) => meter.mayDozeForRoom(model),
        });
  lifecycle = new Lifecycle({
    clock,
    runtime,
    ...(scheduler ? { admission: scheduler } : {}),
    dozer: meter.wrap(options.dozer ?? httpDozer({ timeoutMs: 10_000 })),
    idlePolicy: ladder,
    stopGraceMs: 2_000,
    log: (line) => logs.push(line),
  });
  lifecycle.onEvent((event) => events.push(event));
  const detach = meter.attach(lifecycle);
  lifecycle.setSpecs(specs);
  await lifecycle.start();
  await vram.readNow();
  vram.start();
  const gateway = new Gateway({
    lifecycle,
    clock,
    settings: gatewaySettings({ port: 0 }),
    log: (line) => logs.push(line),
  });
  await gateway.start();
  const port = gateway.addresses()[0]?.port;
  if (port === undefined) throw new Error('the gateway has no address');
  const built = lifecycle;
  return {
    lifecycle: built,
    gateway,
    port,
    vram,
    meter,
    scheduler,
    events,
    logs,
    async close() {
      vram.stop();
      detach();
      await gateway.stop();
      await built.stop();
    },
  };
}

/** A request through the gateway (`/NAME/whoami`, the prefix stripped), as a client sends it. */
export async function askThroughGateway(
  rig: LadderRig,
  name: string,
  query = '',
): Promise<{ status: number; wakes: number | null }> {
  const res = await fetch(`http://127.0.0.1:${rig.port}/${name}/whoami${query}`, {
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await res.json()) as { wakes?: number };
  return { status: res.status, wakes: body.wakes ?? null };
}
