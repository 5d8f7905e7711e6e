// A GPU shared by several real model containers, served as a dcgm-exporter on loopback: its watts follow which of
// the containers run (the engine's events) and answer their health check (polled every 20 ms while loading), and it
// logs every true watt it reported.
import type Docker from 'dockerode';
import type { ContainerAction, RuntimeEvent } from '../main/core/docker/container-runtime';
import { systemClock } from '../main/core/clock/clock';
import {
  SharedGpu,
  type SharedGpuModel,
  type SharedGpuSpec,
} from '../main/core/ledger/testdata/shared-gpu';
import { startDcgmExporterStandIn, type DcgmExporterStandIn } from './dcgm-exporter-stand-in';

type Phase = 'down' | 'loading' | 'ready';

/** A running stand-in: its exporter, and the GPU that knows the truth. */
export interface SharedGpuStandIn {
  readonly exporter: DcgmExporterStandIn;
  readonly gpu: SharedGpu;
  close(): Promise<void>;
}

const POLL_MS = 20;

/** Starts the stand-in over `containers` (model name -> container name, models as in `models`). */
export async function startSharedGpuStandIn(
  docker: Docker,
  spec: SharedGpuSpec,
  models: readonly SharedGpuModel[],
  containerOf: (model: string) => string,
): Promise<SharedGpuStandIn> {
  const gpu = new SharedGpu(spec, models, systemClock());
  const phase = new Map<string, Phase>(models.map((m) => [m.name, 'down']));
  const emit = (name: string, action: ContainerAction, healthy = false): void => {
    const event: RuntimeEvent = {
      kind: 'container',
      action,
      id: '',
      name,
      at: Date.now(),
      labels: {},
      exitCode: null,
      health: healthy ? 'healthy' : null,
    };
    gpu.onRuntimeEvent(event);
  };
  // Starts and deaths from the engine's event stream, when they happen; readiness by polling the server's health.
  const byContainer = new Map(models.map((m) => [containerOf(m.name), m.name]));
  const events = (await docker.getEvents({
    filters: { type: ['container'], event: ['start', 'die'] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  let buffered = '';
  events.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      const event = JSON.parse(line) as {
        status?: string;
        Actor?: { Attributes?: { name?: string } };
      };
      const name = byContainer.get(event.Actor?.Attributes?.name ?? '');
      if (name === undefined) continue;
      if (event.status === 'start' && phase.get(name) === 'down') {
        phase.set(name, 'loading');
        ports.delete(name);
        emit(name, 'start');
      } else if (event.status === 'die' && phase.get(name) !== 'down') {
        phase.set(name, 'down');
        ports.delete(name);
        emit(name, 'die');
      }
    }
  });
  // The port a started container published (a new one each start), read once per start.
  const ports = new Map<string, string | null>();
  const portOf = async (model: string): Promise<string | null> => {
    const known = ports.get(model);
    if (known) return known;
    const info = await docker
      .getContainer(containerOf(model))
      .inspect()
      .catch(() => null);
    const port = info?.NetworkSettings.Ports['8000/tcp']?.[0]?.HostPort ?? null;
    ports.set(model, port);
    return port;
  };
  const answers = async (model: string): Promise<boolean> => {
    const port = await portOf(model);
    if (port === null) return false;
    return fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(500) }).then(
      (r) => r.ok,
      () => false,
    );
  };
  let stopped = false;
  const poll = async (): Promise<void> => {
    while (!stopped) {
      for (const m of models) {
        if (phase.get(m.name) !== 'loading' || !(await answers(m.name))) continue;
        if (phase.get(m.name) !== 'loading') continue;
        phase.set(m.name, 'ready');
        emit(m.name, 'health', true);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  const polling = poll();
  const exporter = await startDcgmExporterStandIn(() => {
    const up = [...phase.values()].filter((p) => p !== 'down').length;
    // The counter as a GPU's: its true energy, integrated exactly between state changes (what NVML reports).
    return Promise.resolve({
      powerWatts: gpu.reading().powerWatts ?? 0,
      fbUsedMib: up * 4_000,
      energyMillijoules: 1e9 + gpu.energyJoules() * 1000,
      // Resident and loading models serve nothing here: the card is idle whatever its watts (a 120 W card with a
      // context up is not busy; read as busy, the ledger would fit none of its samples).
      utilizationPercent: 0,
    });
  });
  return {
    exporter,
    gpu,
    async close() {
      stopped = true;
      events.destroy();
      await polling;
      await exporter.close();
    },
  };
}
