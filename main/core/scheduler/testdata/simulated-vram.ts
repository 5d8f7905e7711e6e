// A GPU for the scheduler's integration tests: used VRAM is the declared VRAM of the containers running in the engine,
// read through the replay probe (gpu/replay-probe.ts) so the scheduler sees it as sampled readings.
import type { Clock } from '../../clock/clock';
import type { ContainerRuntime, RuntimeEvent } from '../../docker/container-runtime';
import type { GpuSample } from '../../gpu/gpu-sample';
import { ReplayProbe } from '../../gpu/replay-probe';

/** One container start or stop as the engine reported it. */
export interface ContainerChange {
  readonly container: string;
  readonly action: 'start' | 'stop';
  readonly at: number;
}

/** Options of the simulated GPU. */
export interface SimulatedVramOptions {
  readonly clock: Clock;
  readonly runtime: ContainerRuntime;
  /** Total VRAM per GPU. */
  readonly totalBytes: readonly number[];
  /** What each container holds while it runs, and on which GPU (default 0). */
  readonly containers: Readonly<
    Record<string, { readonly vramBytes: number; readonly gpuIndex?: number }>
  >;
  /** How often the probe samples. Default 100 ms. */
  readonly sampleIntervalMs?: number;
  /** How long a stopped container's memory still shows as used (the driver freeing it). Default 0. */
  readonly releaseLagMs?: number;
}

/**
 * Follows the engine's start and die events; a ReplayProbe samples `used = sum(VRAM of running
 * containers)` on the clock; `freeVramBytes`/`totalVramBytes` read the latest sample, as the
 * composition root feeds the scheduler from the GPU tick.
 */
export class SimulatedVram {
  /** Every start and stop, in order: to check that two models never ran at once, and to count starts. */
  readonly changes: ContainerChange[] = [];
  /** Names of every container the engine's events mentioned (to know the event stream is live). */
  readonly heard = new Set<string>();
  private readonly running = new Set<string>();
  private readonly releasedAt = new Map<string, number>();
  private readonly probe: ReplayProbe;
  private latest: readonly GpuSample[] = [];
  private unwatch: (() => void) | null = null;

  constructor(private readonly options: SimulatedVramOptions) {
    this.probe = new ReplayProbe({
      clock: options.clock,
      intervalMs: options.sampleIntervalMs ?? 100,
      script: (at) =>
        options.totalBytes.map((totalBytes, index) => ({
          index,
          vramTotalBytes: totalBytes,
          vramUsedBytes: this.usedBytes(index, at),
        })),
    });
  }

  /** Starts following the engine (containers running now count) and sampling. */
  async start(runningNow: readonly string[] = []): Promise<void> {
    for (const name of runningNow) if (name in this.options.containers) this.running.add(name);
    this.unwatch = this.options.runtime.watch((event) => this.onEvent(event));
    await this.probe.start((samples) => {
      this.latest = samples;
    });
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    await this.probe.stop();
  }

  /**
   * A reading now, as the real probe's `readNow`: a container whose stop the engine has not told yet but which is no
   * longer running counts as stopped (its process is gone, so a real driver has freed its memory).
   */
  async readNow(): Promise<void> {
    for (const name of [...this.running]) {
      const info = await this.options.runtime.inspect(name);
      if (info?.running) continue;
      this.running.delete(name);
      const now = this.options.clock.now();
      this.releasedAt.set(name, now + (this.options.releaseLagMs ?? 0));
      this.changes.push({ container: name, action: 'stop', at: now });
    }
    await this.probe.readNow();
  }

  freeVramBytes(gpuIndex: number): number | null {
    const sample = this.latest.find((s) => s.index === gpuIndex);
    if (!sample || sample.vramTotalBytes === null || sample.vramUsedBytes === null) return null;
    return sample.vramTotalBytes - sample.vramUsedBytes;
  }

  totalVramBytes(gpuIndex: number): number | null {
    return (
      this.latest.find((s) => s.index === gpuIndex)?.vramTotalBytes ??
      this.options.totalBytes[gpuIndex] ??
      null
    );
  }

  /** The containers holding memory now. */
  runningContainers(): string[] {
    return [...this.running].sort();
  }

  /** How many times a container started. */
  startCount(container?: string): number {
    return this.changes.filter(
      (c) => c.action === 'start' && (container === undefined || c.container === container),
    ).length;
  }

  /** The largest set of these containers that ever ran at the same time, judged by the engine's events. */
  everRanTogether(containers: readonly string[]): boolean {
    const now = new Set<string>();
    for (const change of this.changes) {
      if (!containers.includes(change.container)) continue;
      if (change.action === 'start') now.add(change.container);
      else now.delete(change.container);
      if (now.size > 1) return true;
    }
    return false;
  }

  private usedBytes(gpuIndex: number, at: number): number {
    let used = 0;
    for (const [name, c] of Object.entries(this.options.containers)) {
      if ((c.gpuIndex ?? 0) !== gpuIndex) continue;
      const releasedAt = this.releasedAt.get(name);
      if (this.running.has(name) || (releasedAt !== undefined && releasedAt > at))
        used += c.vramBytes;
    }
    return used;
  }

  private onEvent(event: RuntimeEvent): void {
    if (event.kind !== 'container') return;
    this.heard.add(event.name);
    if (!(event.name in this.options.containers)) return;
    const now = this.options.clock.now();
    if (event.action === 'start' && !this.running.has(event.name)) {
      this.running.add(event.name);
      this.releasedAt.delete(event.name);
      this.changes.push({ container: event.name, action: 'start', at: event.at });
    } else if (
      (event.action === 'die' || event.action === 'destroy') &&
      this.running.has(event.name)
    ) {
      this.running.delete(event.name);
      this.releasedAt.set(event.name, now + (this.options.releaseLagMs ?? 0));
      this.changes.push({ container: event.name, action: 'stop', at: event.at });
    }
  }
}
