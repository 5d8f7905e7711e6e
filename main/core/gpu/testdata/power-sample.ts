// A GPU sample with only its power (and GPU index) set, for tests of what the ledger makes of power readings.
import type { GpuSample } from '../gpu-sample';

/** One idle reading of `powerWatts` on GPU `index` at `at`; everything else unknown. */
export function powerSample(at: number, powerWatts: number | null, index = 0): GpuSample {
  return {
    at,
    index,
    uuid: `GPU-${index}`,
    name: 'Test GPU',
    vendor: 'nvidia',
    vramUsedBytes: null,
    vramTotalBytes: null,
    powerWatts,
    powerKind: 'instant',
    energyJoules: null,
    powerLimitWatts: null,
    pstate: null,
    utilizationPercent: 0,
    temperatureC: null,
  };
}
