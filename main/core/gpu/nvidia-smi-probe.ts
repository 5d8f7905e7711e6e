// The NVIDIA probe over nvidia-smi: one long-lived `-lms` stream for samples, a low-rate `--query-compute-apps` for processes.
import type { Clock } from '../clock/clock';
import type { GpuProbe, GpuProcess, GpuSample, ProbeStatus } from './gpu-sample';
import { NVIDIA_PROCESS_FIELDS, parseComputeAppsCsv } from './nvidia-smi-csv';
import { NvidiaSmiStream } from './nvidia-smi-stream';
import type { NvidiaSmiStreamOptions } from './nvidia-smi-stream';
import { runCommand } from './run-command';

/** Options of the nvidia-smi probe: those of the stream, plus how often processes may be asked for. */
export interface NvidiaSmiProbeOptions extends NvidiaSmiStreamOptions {
  /** `processes()` answers from a cache younger than this (default 10 s). */
  readonly processIntervalMs?: number;
}

/** Samples from one long-lived nvidia-smi; processes at most once per `processIntervalMs`. */
export class NvidiaSmiProbe implements GpuProbe {
  private readonly stream: NvidiaSmiStream;
  private readonly clock: Clock;
  private readonly command: string;
  private readonly processIntervalMs: number;
  private latest: readonly GpuSample[] = [];
  private lastSampleAt: number | null = null;
  private processError: string | null = null;
  private processCache: { at: number; processes: readonly GpuProcess[] } | null = null;
  private processQuery: Promise<readonly GpuProcess[]> | null = null;

  constructor(private readonly options: NvidiaSmiProbeOptions) {
    this.stream = new NvidiaSmiStream(options);
    this.clock = options.clock;
    this.command = options.command ?? 'nvidia-smi';
    this.processIntervalMs = options.processIntervalMs ?? 10_000;
  }

  start(onSamples: (samples: readonly GpuSample[]) => void): Promise<void> {
    this.stream.start((samples) => {
      this.latest = samples;
      this.lastSampleAt = samples[0]?.at ?? this.clock.now();
      onSamples(samples);
    });
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return this.stream.stop();
  }

  status(): ProbeStatus {
    return {
      backend: 'nvidia-smi',
      // Before the first tick, the count start-up detection found.
      gpuCount: this.latest.length || (this.options.expectedGpuCount ?? 0),
      lastError: this.stream.state().lastError ?? this.processError,
      lastSampleAt: this.lastSampleAt,
    };
  }

  /** The stream's own state (fields in use, launches, pid), for diagnostics and the benchmark. */
  streamState(): ReturnType<NvidiaSmiStream['state']> {
    return this.stream.state();
  }

  processes(): Promise<readonly GpuProcess[]> {
    const cache = this.processCache;
    if (cache && this.clock.now() - cache.at < this.processIntervalMs)
      return Promise.resolve(cache.processes);
    this.processQuery ??= this.queryProcesses().finally(() => {
      this.processQuery = null;
    });
    return this.processQuery;
  }

  private async queryProcesses(): Promise<readonly GpuProcess[]> {
    const args = [
      ...(this.options.commandArgs ?? []),
      `--query-compute-apps=${NVIDIA_PROCESS_FIELDS.join(',')}`,
      '--format=csv,noheader,nounits',
    ];
    const result = await runCommand(this.command, args, { env: this.options.env });
    if (result.failure !== null || result.code !== 0) {
      this.processError = `process list failed: ${result.failure ?? `${this.command} exited with code ${result.code}: ${(result.stdout + result.stderr).trim().slice(0, 200)}`}`;
      throw new Error(this.processError);
    }
    const byUuid = new Map(this.latest.map((s) => [s.uuid, s.index]));
    const processes = parseComputeAppsCsv(result.stdout, byUuid, NVIDIA_PROCESS_FIELDS);
    this.processError = null;
    this.processCache = { at: this.clock.now(), processes };
    return processes;
  }
}
