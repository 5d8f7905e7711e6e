// A GPU stand-in for the doze tests (issue 15): the memory of each fake-doze container is what the fake itself says it
// holds (GET /fake/state: its weights awake, its leftover dozed) plus a CUDA context while its process runs, and 0
// once the container stops; power follows the memory. Every reading is logged, so a figure can be checked against it.
import type { ContainerRuntime } from '../../docker/container-runtime';

const GIB = 1024 ** 3;

/** One reading of the stand-in. */
export interface DozeVramReading {
  readonly at: number;
  readonly usedBytes: number;
  readonly powerWatts: number;
  /** What each container held. */
  readonly byContainer: Readonly<Record<string, number>>;
}

/** Options of the stand-in. */
export interface DozeVramOptions {
  readonly runtime: ContainerRuntime;
  readonly containers: readonly string[];
  readonly totalBytes: number;
  /** Held by a running process even when dozed. Default 0.4 GiB. */
  readonly contextBytes?: number;
  /** How often it samples. Default 100 ms. */
  readonly sampleMs?: number;
}

/** The stand-in: sample on a timer or on `readNow`, read free and total VRAM of GPU 0. */
export class DozeVram {
  readonly log: DozeVramReading[] = [];
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;

  constructor(private readonly options: DozeVramOptions) {}

  /** 30 W for the idle card plus 3 W per GiB held. */
  static wattsFor(usedBytes: number): number {
    return 30 + (3 * usedBytes) / GIB;
  }

  start(): void {
    this.timer = setInterval(
      () => void this.readNow().catch(() => undefined),
      this.options.sampleMs ?? 100,
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A reading now (one at a time: a second caller waits for the one under way, then takes its own). */
  async readNow(): Promise<void> {
    while (this.reading) await this.reading;
    this.reading = this.sample().finally(() => {
      this.reading = null;
    });
    await this.reading;
  }

  /** The latest reading's used bytes (0 before the first). */
  usedBytes(): number {
    return this.log.at(-1)?.usedBytes ?? 0;
  }

  freeVramBytes(gpuIndex: number): number | null {
    if (gpuIndex !== 0 || this.log.length === 0) return null;
    return this.options.totalBytes - this.usedBytes();
  }

  totalVramBytes(gpuIndex: number): number | null {
    return gpuIndex === 0 ? this.options.totalBytes : null;
  }

  private async sample(): Promise<void> {
    const byContainer: Record<string, number> = {};
    for (const name of this.options.containers) byContainer[name] = await this.heldBy(name);
    const usedBytes = Object.values(byContainer).reduce((a, b) => a + b, 0);
    this.log.push({
      at: Date.now(),
      usedBytes,
      powerWatts: DozeVram.wattsFor(usedBytes),
      byContainer,
    });
  }

  private async heldBy(name: string): Promise<number> {
    const info = await this.options.runtime.inspect(name);
    if (!info?.running) return 0;
    const port = info.publishedPorts.find((p) => p.containerPort === 8000)?.hostPort;
    if (port === undefined) return 0;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/fake/state`, {
        signal: AbortSignal.timeout(2_000),
      });
      const state = (await res.json()) as { usedBytes: number };
      return state.usedBytes + (this.options.contextBytes ?? 0.4 * GIB);
    } catch {
      // Started but not listening yet: its process holds its context only.
      return this.options.contextBytes ?? 0.4 * GIB;
    }
  }
}
