// VRAM that models just put to sleep are still giving back: the driver frees it when the process exits, the sampler sees it a tick later.

type Batch = {
  gpuIndex: number;
  /** Free VRAM on the GPU when the first of these sleeps began. */
  baselineFreeBytes: number;
  expectedBytes: number;
  /** A model of unknown size is among them. */
  unknownSize: boolean;
  expiresAt: number;
};

/**
 * Remembers, per GPU, how much memory is on its way back after evictions, so the scheduler waits for
 * it instead of evicting one model too many. A batch ends once the reading shows it, or after
 * `settleMs` (the reading may never show it all: the estimate was high, or something else took it).
 */
export class ReleaseTracker {
  private readonly batches = new Map<number, Batch>();

  constructor(private readonly settleMs: number) {}

  /** A model that held `expectedBytes` (null: unknown) on `gpuIndex` went to sleep; `baselineFreeBytes` was free before its sleep began. */
  add(
    gpuIndex: number,
    baselineFreeBytes: number | null,
    expectedBytes: number | null,
    now: number,
  ): void {
    if (baselineFreeBytes === null) return;
    const live = this.live(gpuIndex, now);
    if (live) {
      live.baselineFreeBytes = Math.min(live.baselineFreeBytes, baselineFreeBytes);
      live.expectedBytes += expectedBytes ?? 0;
      live.unknownSize ||= expectedBytes === null;
      live.expiresAt = now + this.settleMs;
      return;
    }
    this.batches.set(gpuIndex, {
      gpuIndex,
      baselineFreeBytes,
      expectedBytes: expectedBytes ?? 0,
      unknownSize: expectedBytes === null,
      expiresAt: now + this.settleMs,
    });
  }

  /** Bytes still to come back on `gpuIndex` given the free reading now; 0 when none; null for an unknown amount. */
  releasingBytes(gpuIndex: number, freeBytes: number | null, now: number): number | null {
    const batch = this.live(gpuIndex, now);
    if (!batch || freeBytes === null) return 0;
    const cameBackBytes = freeBytes - batch.baselineFreeBytes;
    if (batch.unknownSize) {
      // Something of unknown size: any memory beyond the known part coming back means it has.
      if (cameBackBytes > batch.expectedBytes) return this.end(batch);
      return null;
    }
    const leftBytes = batch.expectedBytes - cameBackBytes;
    if (leftBytes <= 0) return this.end(batch);
    return leftBytes;
  }

  private live(gpuIndex: number, now: number): Batch | undefined {
    const batch = this.batches.get(gpuIndex);
    if (batch && batch.expiresAt <= now) {
      this.batches.delete(gpuIndex);
      return undefined;
    }
    return batch;
  }

  private end(batch: Batch): 0 {
    this.batches.delete(batch.gpuIndex);
    return 0;
  }
}
