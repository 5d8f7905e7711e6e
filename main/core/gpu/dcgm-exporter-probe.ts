// GPU readings of a remote host from its Prometheus endpoint with DCGM exporter metric names (NVIDIA's dcgm-exporter,
// or anything that serves the same names), scraped once a second; its GPUs are numbered from the engine's base index.
import type { Clock } from '../clock/clock';
import { parseDcgmMetrics } from './dcgm-metrics';
import type { GpuProbe, GpuProcess, GpuSample, ProbeStatus } from './gpu-sample';
import { startTickLoop, type TickLoop } from './tick-loop';

/** What a `DcgmExporterProbe` is built from. */
export interface DcgmExporterProbeOptions {
  readonly clock: Clock;
  /** The engine whose host this is, for messages. */
  readonly engine: string;
  /** `http://gpu2:9400/metrics`. */
  readonly url: string;
  /** Its GPU N becomes index `indexBase + N` (the engine's GPU numbering). */
  readonly indexBase: number;
  /** Default 1000 ms. */
  readonly intervalMs?: number;
  /** A scrape that takes longer fails. Default 3000 ms. */
  readonly timeoutMs?: number;
}

/** A probe over one exporter. Its processes are unknown (PIDs of another machine); its VRAM per GPU is read. */
export class DcgmExporterProbe implements GpuProbe {
  private loop: TickLoop | null = null;
  private lastError: string | null = null;
  private lastSampleAt: number | null = null;
  private gpuCount = 0;

  constructor(private readonly options: DcgmExporterProbeOptions) {}

  start(onSamples: (samples: readonly GpuSample[]) => void): Promise<void> {
    const { clock, intervalMs = 1000 } = this.options;
    this.loop = startTickLoop(
      clock,
      intervalMs,
      async () => {
        const samples = await this.scrape();
        this.lastError = samples.length === 0 ? `${this.where()} serves no DCGM GPU metrics` : null;
        this.gpuCount = samples.length;
        if (samples.length === 0) return;
        this.lastSampleAt = clock.now();
        onSamples(samples);
      },
      (error: unknown) => {
        this.lastError = `${this.where()}: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
    return Promise.resolve();
  }

  /** Scrapes now, off the tick schedule (the ledger reads the GPU at each wake's ends). */
  readNow(): Promise<void> {
    return this.loop?.readNow() ?? Promise.resolve();
  }

  stop(): Promise<void> {
    this.loop?.stop();
    this.loop = null;
    return Promise.resolve();
  }

  status(): ProbeStatus {
    return {
      backend: 'dcgm-exporter',
      gpuCount: this.gpuCount,
      lastError: this.lastError,
      lastSampleAt: this.lastSampleAt,
    };
  }

  processes(): Promise<readonly GpuProcess[]> {
    return Promise.resolve([]);
  }

  private where(): string {
    return `GPU metrics of engine "${this.options.engine}" (${this.options.url})`;
  }

  private async scrape(): Promise<GpuSample[]> {
    const response = await fetch(this.options.url, {
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return parseDcgmMetrics(
      await response.text(),
      this.options.clock.now(),
      this.options.indexBase,
    );
  }
}
