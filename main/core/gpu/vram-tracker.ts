// Learns each running model's VRAM: every few seconds, the GPU's processes are mapped to the models' containers by PID.
import type { Clock } from '../clock/clock';
import type { GpuProbe } from './gpu-sample';
import { startTickLoop, type TickLoop } from './tick-loop';
import { attributeVramToContainers } from './vram-attribution';

/** A running model and its container. */
export interface RunningContainer {
  readonly model: string;
  readonly containerId: string;
}

/** What the tracker reads and whom it tells. */
export interface VramTrackerOptions {
  readonly clock: Clock;
  readonly probe: GpuProbe;
  /** The models whose containers run now. */
  readonly running: () => readonly RunningContainer[];
  /** Host PIDs of a container (`docker top`). */
  readonly pidsOf: (containerId: string) => Promise<readonly number[]>;
  /** A model's measured VRAM (only models that hold some; 0 bytes is not a measurement of a model). */
  readonly onMeasured: (model: string, vramBytes: number) => void;
  readonly onError: (message: string) => void;
  /** Default 10 s. */
  readonly intervalMs?: number;
}

/** Runs the attribution loop until `stop()`. */
export class VramTracker {
  private loop: TickLoop | null = null;
  private lastError: string | null = null;

  constructor(private readonly options: VramTrackerOptions) {}

  start(): void {
    if (this.loop) return;
    this.loop = startTickLoop(
      this.options.clock,
      this.options.intervalMs ?? 10_000,
      () => this.measure(),
      (error: unknown) => this.report(error),
    );
  }

  stop(): void {
    this.loop?.stop();
    this.loop = null;
  }

  /** One measurement round (exported for tests through the class). */
  async measure(): Promise<void> {
    const running = this.options.running();
    if (running.length === 0) return;
    const processes = await this.options.probe.processes();
    if (processes.length === 0) return;
    const byContainer = await attributeVramToContainers(
      processes,
      running.map((r) => r.containerId),
      this.options.pidsOf,
    );
    for (const { model, containerId } of running) {
      const vramBytes = byContainer.get(containerId)?.vramBytes;
      if (vramBytes !== null && vramBytes !== undefined && vramBytes > 0)
        this.options.onMeasured(model, vramBytes);
    }
    this.lastError = null;
  }

  private report(error: unknown): void {
    const message = `VRAM attribution failed: ${error instanceof Error ? error.message : String(error)}`;
    // The same failure every 10 s is one message, not a flood.
    if (message === this.lastError) return;
    this.lastError = message;
    this.options.onError(message);
  }
}
