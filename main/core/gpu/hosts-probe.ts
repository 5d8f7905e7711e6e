// This machine's GPU probe together with the exporter probes of remote hosts (siesta.yaml's `engines:` with
// `gpuMetrics:`): each probe's ticks pass through as they come, and the status sums them up.
import type { GpuProbe, GpuProcess, GpuSample, ProbeStatus } from './gpu-sample';

/** One probe over several hosts' GPUs. Processes (for VRAM attribution by PID) are this machine's alone. */
export class HostsProbe implements GpuProbe {
  private onSamples: ((samples: readonly GpuSample[]) => void) | null = null;

  constructor(
    private readonly local: GpuProbe,
    private remotes: readonly GpuProbe[],
  ) {}

  async start(onSamples: (samples: readonly GpuSample[]) => void): Promise<void> {
    this.onSamples = onSamples;
    await this.local.start(onSamples);
    for (const remote of this.remotes) await remote.start(onSamples);
  }

  /** The remote probes now (siesta.yaml's `engines:` changed): new ones start, those left out stop. */
  async setRemotes(next: readonly GpuProbe[]): Promise<void> {
    const gone = this.remotes.filter((r) => !next.includes(r));
    const added = next.filter((r) => !this.remotes.includes(r));
    this.remotes = next;
    await Promise.all(gone.map((r) => r.stop()));
    const onSamples = this.onSamples;
    if (onSamples) for (const remote of added) await remote.start(onSamples);
  }

  async stop(): Promise<void> {
    await Promise.all([this.local, ...this.remotes].map((p) => p.stop()));
  }

  /** Every host's reading now, where its probe can take one off its schedule. */
  async readNow(): Promise<void> {
    await Promise.all([this.local, ...this.remotes].map((p) => p.readNow?.() ?? Promise.resolve()));
  }

  status(): ProbeStatus {
    const local = this.local.status();
    const remotes = this.remotes.map((r) => r.status());
    const errors = [
      local.backend === 'none' && remotes.some((r) => r.gpuCount > 0) ? null : local.lastError,
      ...remotes.map((r) => r.lastError),
    ];
    const sampledAt = [local.lastSampleAt, ...remotes.map((r) => r.lastSampleAt)].filter(
      (at): at is number => at !== null,
    );
    return {
      backend: local.backend === 'none' && remotes.length > 0 ? 'dcgm-exporter' : local.backend,
      gpuCount: local.gpuCount + remotes.reduce((sum, r) => sum + r.gpuCount, 0),
      lastError: errors.filter((e): e is string => e !== null).join('; ') || null,
      lastSampleAt: sampledAt.length === 0 ? null : Math.max(...sampledAt),
    };
  }

  processes(): Promise<readonly GpuProcess[]> {
    return this.local.processes();
  }
}

/** The latest sample of every GPU: `next` replaces the samples of its GPUs, the other hosts' stay. */
export function latestPerGpu(
  previous: readonly GpuSample[],
  next: readonly GpuSample[],
): GpuSample[] {
  const replaced = new Set(next.map((s) => s.index));
  return [...previous.filter((s) => !replaced.has(s.index)), ...next].sort(
    (a, b) => a.index - b.index,
  );
}
