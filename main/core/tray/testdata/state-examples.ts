// Control API states for tray and notification tests and for the generated docs, checked against the contract.
import type { GpuView, ModelView, NamedEngineView, StateResponse } from '../../api/contract';
import { StateResponseSchema } from '../../api/contract';

/** 2026-03-02 09:00 UTC: the "now" of every example. */
export const EXAMPLE_NOW = Date.UTC(2026, 2, 2, 9, 0, 0);

const GIB = 1024 ** 3;

/** A model as the API reports it; asleep unless `overrides` say otherwise. */
export function exampleModel(name: string, overrides: Partial<ModelView> = {}): ModelView {
  return {
    name,
    container: `${name}-container`,
    models: [name],
    state: 'asleep',
    inFlight: 0,
    pinned: false,
    group: null,
    listenPort: null,
    vramBytes: 14 * GIB,
    vramSource: 'declared',
    gpuIndexes: [0],
    lastUsedAt: null,
    sleepAt: null,
    idle: { policy: 'fixed', idleMs: 600_000, reason: 'fixed 10 min' },
    wakeStartedAt: null,
    wakeDetail: null,
    readyAt: null,
    wakeEstimateMs: 40_000,
    failure: null,
    savedJoules: 0,
    savedIsEstimate: false,
    ...overrides,
  };
}

/** Two engines of siesta.yaml: `home` answering, `gpu2` (tcp://10.0.0.12:2376) away for `awayDetail`. */
export function twoEngines(awayDetail: string): NamedEngineView[] {
  return [
    {
      name: 'home',
      kind: 'docker',
      address: 'unix:///var/run/docker.sock',
      reachable: true,
      detail: null,
      since: null,
    },
    {
      name: 'gpu2',
      kind: 'docker',
      address: 'tcp://10.0.0.12:2376',
      reachable: false,
      detail: awayDetail,
      since: 0,
    },
  ];
}

/** A GPU with a fresh sample. */
export function exampleGpu(index: number, overrides: Partial<GpuView> = {}): GpuView {
  return {
    index,
    uuid: `GPU-0000000${index}`,
    name: 'NVIDIA GeForce RTX 4090',
    vramUsedBytes: 20.1 * GIB,
    vramTotalBytes: 24 * GIB,
    powerWatts: 215,
    pstate: 'P2',
    utilizationPercent: 40,
    temperatureC: 61,
    at: EXAMPLE_NOW - 500,
    ...overrides,
  };
}

/** A whole state (validated by the contract's schema, so examples cannot drift from it). */
export function exampleState(overrides: Partial<StateResponse> = {}): StateResponse {
  const gpus = overrides.gpus ?? [exampleGpu(0)];
  return StateResponseSchema.parse({
    at: EXAMPLE_NOW,
    engine: { reachable: true, detail: null, since: null },
    gpus,
    probe: {
      backend: gpus.length === 0 ? 'none' : 'nvidia-smi',
      gpuCount: gpus.length,
      lastError:
        gpus.length === 0
          ? 'no GPU found: tried nvidia-smi: nvidia-smi was not found; AMD sysfs: cannot list /sys/class/drm: it does not exist'
          : null,
      lastSampleAt: gpus.length === 0 ? null : EXAMPLE_NOW - 500,
      staleMs: gpus.length === 0 ? null : 500,
    },
    models: [],
    autoSleepPaused: false,
    savedTodayJoules: 0,
    gatewayUrl: 'http://127.0.0.1:11400',
    ...overrides,
  });
}
