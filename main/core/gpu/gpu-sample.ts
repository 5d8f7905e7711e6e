// What a GPU probe reports: one sample per GPU per tick, the processes on it, and its own health.

/** One reading of one GPU. Every field a driver may not report is nullable. */
export interface GpuSample {
  /** Epoch ms of the reading. */
  readonly at: number;
  readonly index: number;
  readonly uuid: string;
  readonly name: string;
  readonly vendor: 'nvidia' | 'amd' | 'other';
  readonly vramUsedBytes: number | null;
  readonly vramTotalBytes: number | null;
  readonly powerWatts: number | null;
  /** Whether `powerWatts` is a driver-side average or an instant reading. */
  readonly powerKind: 'average' | 'instant' | null;
  /** Total energy counter where the GPU has one (NVML), in joules. */
  readonly energyJoules: number | null;
  readonly powerLimitWatts: number | null;
  /** Performance state, e.g. `P0`, `P8`. */
  readonly pstate: string | null;
  readonly utilizationPercent: number | null;
  readonly temperatureC: number | null;
}

/** A process holding memory on a GPU. `vramBytes` is null where the driver cannot say (Windows WDDM). */
export interface GpuProcess {
  readonly gpuIndex: number;
  readonly gpuUuid: string;
  readonly pid: number;
  readonly processName: string;
  readonly vramBytes: number | null;
}

/** The backends a probe can run on. */
export type ProbeBackend =
  'nvml' | 'nvidia-smi' | 'amd-sysfs' | 'replay' | 'dcgm-exporter' | 'none';

/** How the probe is doing, for the API. */
export interface ProbeStatus {
  readonly backend: ProbeBackend;
  readonly gpuCount: number;
  /** Human message when no GPU was found or the backend broke. */
  readonly lastError: string | null;
  readonly lastSampleAt: number | null;
}

/** A source of GPU samples. */
export interface GpuProbe {
  /** Starts sampling; `onSamples` gets every GPU's sample of one tick. */
  start(onSamples: (samples: readonly GpuSample[]) => void): Promise<void>;
  stop(): Promise<void>;
  status(): ProbeStatus;
  /** GPU processes with their VRAM (sampled at a lower rate than power). */
  processes(): Promise<readonly GpuProcess[]>;
  /**
   * Takes one reading now (delivered to `onSamples` like a tick) and resolves once it has been, so a wake waiting for
   * memory a stopped model gave back need not wait for the next tick. Absent where the backend cannot (a stream).
   */
  readNow?(): Promise<void>;
}
