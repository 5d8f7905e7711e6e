// The probe used when no GPU backend works: no samples, and a status that says what was tried.
import type { GpuProbe, GpuProcess, GpuSample, ProbeStatus } from './gpu-sample';

/** No GPU: `status().lastError` explains what was tried and why each failed. */
export class NoneProbe implements GpuProbe {
  constructor(private readonly reason: string) {}

  start(_onSamples: (samples: readonly GpuSample[]) => void): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  status(): ProbeStatus {
    return { backend: 'none', gpuCount: 0, lastError: this.reason, lastSampleAt: null };
  }

  processes(): Promise<readonly GpuProcess[]> {
    return Promise.resolve([]);
  }
}
