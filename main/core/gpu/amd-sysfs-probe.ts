// The AMD probe on Linux: reads the amdgpu sysfs files under a DRM root each tick; spawns nothing.
import type { Clock } from '../clock/clock';
import type { GpuProbe, GpuProcess, GpuSample, ProbeStatus } from './gpu-sample';
import { scanAmdProcesses } from './amd-fdinfo';
import { DEFAULT_DRM_ROOT, findAmdCards, readAmdSysfs } from './amd-sysfs';
import type { AmdCard } from './amd-sysfs';
import { startTickLoop } from './tick-loop';
import type { TickLoop } from './tick-loop';

/** Options of the AMD sysfs probe. */
export interface AmdSysfsProbeOptions {
  readonly clock: Clock;
  /** Default `/sys/class/drm`; tests point it at a temporary folder. */
  readonly drmRoot?: string;
  readonly intervalMs?: number;
  /** Product names by lower-case PCI slot (from the start-up inventory), for cards whose sysfs has none. */
  readonly namesBySlot?: ReadonlyMap<string, string>;
  /** Where per-process DRM fdinfo is read; default `/proc`. */
  readonly procRoot?: string;
  /** `processes()` answers from a cache younger than this (default 10 s). */
  readonly processIntervalMs?: number;
}

/** Samples amdgpu cards from sysfs each tick. */
export class AmdSysfsProbe implements GpuProbe {
  private readonly clock: Clock;
  private readonly drmRoot: string;
  private readonly intervalMs: number;
  private cards: AmdCard[] = [];
  private loop: TickLoop | null = null;
  private lastError: string | null = null;
  private lastSampleAt: number | null = null;
  private latest: readonly GpuSample[] = [];
  private readonly procRoot: string;
  private readonly processIntervalMs: number;
  private processCache: { at: number; processes: readonly GpuProcess[] } | null = null;

  constructor(private readonly options: AmdSysfsProbeOptions) {
    this.clock = options.clock;
    this.drmRoot = options.drmRoot ?? DEFAULT_DRM_ROOT;
    this.intervalMs = options.intervalMs ?? 1000;
    this.procRoot = options.procRoot ?? '/proc';
    this.processIntervalMs = options.processIntervalMs ?? 10_000;
  }

  async start(onSamples: (samples: readonly GpuSample[]) => void): Promise<void> {
    this.cards = await findAmdCards(this.drmRoot);
    if (this.cards.length === 0) throw new Error(`no amdgpu card under ${this.drmRoot}`);
    this.loop = startTickLoop(
      this.clock,
      this.intervalMs,
      () => {
        const at = this.clock.now();
        const samples = readAmdSysfs(this.cards, at, this.options.namesBySlot);
        this.lastError = null;
        this.lastSampleAt = at;
        this.latest = samples;
        onSamples(samples);
      },
      (error) => {
        this.lastError = `reading ${this.drmRoot} failed: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
  }

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
      backend: 'amd-sysfs',
      gpuCount: this.cards.length,
      lastError: this.lastError,
      lastSampleAt: this.lastSampleAt,
    };
  }

  /**
   * Processes with their VRAM, from DRM fdinfo under `procRoot`, at most once per
   * `processIntervalMs`. Without root, other users' processes (containers running as root) cannot
   * be read: then it rejects rather than answer an empty list that would read as "no VRAM used".
   */
  async processes(): Promise<readonly GpuProcess[]> {
    const cache = this.processCache;
    if (cache && this.clock.now() - cache.at < this.processIntervalMs) return cache.processes;
    const latest = this.latest;
    const gpus = this.cards.flatMap((card, index) =>
      card.pciSlot
        ? [{ index, uuid: latest[index]?.uuid ?? card.card, pciSlot: card.pciSlot.toLowerCase() }]
        : [],
    );
    const scan = await scanAmdProcesses(this.procRoot, gpus);
    if (scan.processes.length === 0 && scan.unreadablePids > 0) {
      throw new Error(
        `no GPU process found, and ${scan.unreadablePids} processes under ${this.procRoot} could not be read (Siesta needs root to see other users' GPU memory)`,
      );
    }
    this.processCache = { at: this.clock.now(), processes: scan.processes };
    return scan.processes;
  }
}
