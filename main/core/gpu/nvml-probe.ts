// The NVIDIA probe over NVML in-process: no process spawned; a field the GPU does not support reads as null.
import { readFile } from 'node:fs/promises';
import type { Clock } from '../clock/clock';
import type { GpuProbe, GpuProcess, GpuSample, ProbeStatus } from './gpu-sample';
import { NVML_ERROR_FUNCTION_NOT_FOUND, valueOrNull } from './nvml-api';
import type { NvmlApi, NvmlResult } from './nvml-api';
import { powerUsageKind } from './power-kind';
import { fromMilli } from './smi-values';
import { startTickLoop } from './tick-loop';
import type { TickLoop } from './tick-loop';

/** Options of the NVML probe. */
export interface NvmlProbeOptions {
  readonly api: NvmlApi;
  readonly clock: Clock;
  readonly intervalMs?: number;
  /** `processes()` answers from a cache younger than this (default 10 s). */
  readonly processIntervalMs?: number;
}

/** What does not change while Siesta runs: read once at start. */
interface StaticInfo {
  readonly uuid: string;
  readonly name: string;
  readonly powerKind: 'average' | 'instant' | null;
}

/** NVML's performance state code to `P0`..`P15`; 32 (unknown) and others to null. */
export function pstateName(code: number | null): string | null {
  return code !== null && code >= 0 && code <= 15 ? `P${code}` : null;
}

/** Samples every GPU through NVML each tick. */
export class NvmlProbe implements GpuProbe {
  private readonly api: NvmlApi;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly processIntervalMs: number;
  private gpus: StaticInfo[] = [];
  private loop: TickLoop | null = null;
  private lastError: string | null = null;
  /** The first error of the tick being read; becomes `lastError` when the tick ends. */
  private tickError: string | null = null;
  private lastSampleAt: number | null = null;
  private processCache: { at: number; processes: readonly GpuProcess[] } | null = null;

  constructor(options: NvmlProbeOptions) {
    this.api = options.api;
    this.clock = options.clock;
    this.intervalMs = options.intervalMs ?? 1000;
    this.processIntervalMs = options.processIntervalMs ?? 10_000;
  }

  start(onSamples: (samples: readonly GpuSample[]) => void): Promise<void> {
    const count = this.api.deviceCount();
    if (!count.ok)
      return Promise.reject(
        new Error(`nvmlDeviceGetCount_v2 failed: ${this.api.errorString(count.code)}`),
      );
    this.gpus = Array.from({ length: count.value }, (_unused, index) => this.readStatic(index));
    this.loop = startTickLoop(
      this.clock,
      this.intervalMs,
      () => {
        const at = this.clock.now();
        this.tickError = null;
        const samples = this.gpus.map((gpu, index) => this.readSample(gpu, index, at));
        this.lastError = this.tickError;
        this.lastSampleAt = at;
        onSamples(samples);
      },
      (error) => {
        this.lastError = `NVML read failed: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
    return Promise.resolve();
  }

  readNow(): Promise<void> {
    return this.loop?.readNow() ?? Promise.resolve();
  }

  stop(): Promise<void> {
    this.loop?.stop();
    this.loop = null;
    this.api.shutdown();
    return Promise.resolve();
  }

  status(): ProbeStatus {
    return {
      backend: 'nvml',
      gpuCount: this.gpus.length,
      lastError: this.lastError,
      lastSampleAt: this.lastSampleAt,
    };
  }

  async processes(): Promise<readonly GpuProcess[]> {
    const cache = this.processCache;
    if (cache && this.clock.now() - cache.at < this.processIntervalMs) return cache.processes;
    const processes: GpuProcess[] = [];
    for (const [index, gpu] of this.gpus.entries()) {
      const result = this.api.computeProcesses(index);
      if (!result.ok)
        throw new Error(
          `nvmlDeviceGetComputeRunningProcesses on GPU ${index}: ${this.api.errorString(result.code)}`,
        );
      for (const p of result.value) {
        processes.push({
          gpuIndex: index,
          gpuUuid: gpu.uuid,
          pid: p.pid,
          processName: await this.processName(p.pid),
          vramBytes: p.usedBytes,
        });
      }
    }
    this.processCache = { at: this.clock.now(), processes };
    return processes;
  }

  /** NVML gives no process names: read `/proc/<pid>/comm` where there is one. */
  private async processName(pid: number): Promise<string> {
    if (process.platform !== 'linux') return '';
    try {
      return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
    } catch {
      return '';
    }
  }

  /** A value or null; an error other than "not supported" or "not in this driver" is noted for `status()`. */
  private value<T>(result: NvmlResult<T>, call: string, index: number): T | null {
    if (!result.ok && result.code === NVML_ERROR_FUNCTION_NOT_FOUND) return null;
    return valueOrNull(result, (code) => {
      this.tickError ??= `${call} on GPU ${index}: ${this.api.errorString(code)}`;
      this.lastError ??= this.tickError;
    });
  }

  private readStatic(index: number): StaticInfo {
    const name = this.value(this.api.name(index), 'nvmlDeviceGetName', index) ?? 'NVIDIA GPU';
    const architecture = this.value(
      this.api.architecture(index),
      'nvmlDeviceGetArchitecture',
      index,
    );
    return {
      uuid: this.value(this.api.uuid(index), 'nvmlDeviceGetUUID', index) ?? `nvidia-gpu-${index}`,
      name,
      powerKind: powerUsageKind(architecture, name),
    };
  }

  private readSample(gpu: StaticInfo, index: number, at: number): GpuSample {
    const memory = this.value(this.api.memory(index), 'nvmlDeviceGetMemoryInfo', index);
    const powerWatts = fromMilli(
      this.value(this.api.powerMilliwatts(index), 'nvmlDeviceGetPowerUsage', index),
    );
    return {
      at,
      index,
      uuid: gpu.uuid,
      name: gpu.name,
      vendor: 'nvidia',
      vramUsedBytes: memory?.usedBytes ?? null,
      vramTotalBytes: memory?.totalBytes ?? null,
      powerWatts,
      powerKind: powerWatts === null ? null : gpu.powerKind,
      energyJoules: fromMilli(
        this.value(this.api.energyMillijoules(index), 'nvmlDeviceGetTotalEnergyConsumption', index),
      ),
      powerLimitWatts: fromMilli(
        this.value(
          this.api.enforcedPowerLimitMilliwatts(index),
          'nvmlDeviceGetEnforcedPowerLimit',
          index,
        ),
      ),
      pstate: pstateName(
        this.value(this.api.performanceState(index), 'nvmlDeviceGetPerformanceState', index),
      ),
      utilizationPercent:
        this.value(this.api.utilization(index), 'nvmlDeviceGetUtilizationRates', index)
          ?.gpuPercent ?? null,
      temperatureC: this.value(this.api.temperatureC(index), 'nvmlDeviceGetTemperature', index),
    };
  }
}
