// GPU samples from a scrape of NVIDIA's dcgm-exporter: its metric names and units (W, MiB, mJ), one sample per GPU,
// numbered from the engine's base index; MIG instances and other metrics are left out.
import { describe, expect, it } from 'vitest';
import { parseDcgmMetrics } from './dcgm-metrics';
import { latestPerGpu } from './hosts-probe';

const labels = (gpu: number, extra = '') =>
  `gpu="${gpu}",UUID="GPU-${gpu}",pci_bus_id="00000000:0${gpu}:00.0",device="nvidia${gpu}",modelName="NVIDIA A100-SXM4-80GB",Hostname="gpu2"${extra}`;
const SCRAPE = [
  '# HELP DCGM_FI_DEV_SM_CLOCK SM clock frequency (in MHz).',
  '# TYPE DCGM_FI_DEV_SM_CLOCK gauge',
  `DCGM_FI_DEV_SM_CLOCK{${labels(0)}} 1410`,
  '# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).',
  '# TYPE DCGM_FI_DEV_POWER_USAGE gauge',
  `DCGM_FI_DEV_POWER_USAGE{${labels(0)}} 61.234`,
  `DCGM_FI_DEV_POWER_USAGE{${labels(1)}} 287.5`,
  '# HELP DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION Total energy consumption since boot (in mJ).',
  '# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter',
  `DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{${labels(0)}} 1234567890`,
  `DCGM_FI_DEV_FB_FREE{${labels(0)}} 80000`,
  `DCGM_FI_DEV_FB_USED{${labels(0)}} 1000`,
  `DCGM_FI_DEV_FB_RESERVED{${labels(0)}} 559`,
  `DCGM_FI_DEV_FB_USED{${labels(1)}} 40000`,
  `DCGM_FI_DEV_FB_USED{${labels(1, ',GPU_I_PROFILE="1g.10gb",GPU_I_ID="7"')}} 9000`,
  `DCGM_FI_DEV_GPU_UTIL{${labels(1)}} 93`,
  `DCGM_FI_DEV_GPU_TEMP{${labels(1)}} 64`,
].join('\n');

describe('readings from a DCGM exporter', () => {
  it('reads power, framebuffer, energy, utilisation and temperature per GPU in their units', () => {
    const [first, second] = parseDcgmMetrics(SCRAPE, 5000, 100);
    expect(first).toEqual({
      at: 5000,
      index: 100,
      uuid: 'GPU-0',
      name: 'NVIDIA A100-SXM4-80GB',
      vendor: 'nvidia',
      vramUsedBytes: 1000 * 1024 ** 2,
      vramTotalBytes: 81_559 * 1024 ** 2,
      powerWatts: 61.234,
      powerKind: 'average',
      energyJoules: 1_234_567.89,
      powerLimitWatts: null,
      pstate: null,
      utilizationPercent: null,
      temperatureC: null,
    });
    // No FB_FREE for GPU 1: its total is unknown; its MIG instance's 9000 MiB is not the whole GPU's reading.
    expect(second).toMatchObject({
      index: 101,
      powerWatts: 287.5,
      vramUsedBytes: 40_000 * 1024 ** 2,
      vramTotalBytes: null,
      utilizationPercent: 93,
      temperatureC: 64,
    });
  });

  it('gives nothing for a page without DCGM metrics', () => {
    expect(parseDcgmMetrics('# nothing\nnode_load1 0.5\n', 0, 0)).toEqual([]);
  });

  it('keeps the other hosts’ latest samples when one host’s tick comes in', () => {
    const [a0, a1] = parseDcgmMetrics(SCRAPE, 1, 0);
    const [b0] = parseDcgmMetrics(SCRAPE, 2, 100);
    const [a0Later] = parseDcgmMetrics(SCRAPE, 3, 0);
    if (!a0 || !a1 || !b0 || !a0Later) throw new Error('the scrape gave fewer GPUs than written');
    expect(
      latestPerGpu(latestPerGpu([a0, a1], [b0]), [a0Later]).map((s) => [s.index, s.at]),
    ).toEqual([
      [0, 3],
      [1, 1],
      [100, 2],
    ]);
  });
});
