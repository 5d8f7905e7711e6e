// A GPU's memory as right-sizing needs it, from a probe's sample or the API's GPU view (both carry these fields).
import type { GpuCapacity } from './vram-estimate';

/** The fields of a GPU reading that give its capacity. */
export interface GpuMemoryReading {
  readonly index: number;
  readonly name: string;
  readonly vramTotalBytes: number | null;
  readonly vramUsedBytes: number | null;
}

/** Capacities of the GPUs whose size is known (one whose size is unknown cannot be sized against). */
export function gpuCapacities(readings: readonly GpuMemoryReading[]): GpuCapacity[] {
  return readings.flatMap((g) =>
    g.vramTotalBytes === null
      ? []
      : [
          {
            index: g.index,
            name: g.name,
            totalBytes: g.vramTotalBytes,
            freeBytes: g.vramUsedBytes === null ? null : g.vramTotalBytes - g.vramUsedBytes,
          },
        ],
  );
}
