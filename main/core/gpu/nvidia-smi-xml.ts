// Parses `nvidia-smi -q -x` (DTD v11 to v13) into samples and processes.
import type { GpuProcess, GpuSample } from './gpu-sample';
import { architectureCode, powerUsageKind } from './power-kind';
import { mibToBytes, numberOrNull, textOrNull } from './smi-values';
import { elements, textAt } from './xml-extract';

/** What one `nvidia-smi -q -x` run says. */
export interface NvidiaXmlReport {
  readonly driverVersion: string | null;
  readonly samples: readonly GpuSample[];
  readonly processes: readonly GpuProcess[];
}

/**
 * Power of one `<gpu>`. v13 has `<gpu_power_readings>` with `<average_power_draw>` and
 * `<instant_power_draw>`; v11 and v12 have `<power_readings><power_draw>`, which is NVML's power
 * usage (an average on Ampere and later except GA100, else instant).
 */
function powerOfGpu(
  gpu: string,
  name: string,
): Pick<GpuSample, 'powerWatts' | 'powerKind' | 'powerLimitWatts'> {
  const v13 = elements(gpu, 'gpu_power_readings')[0];
  if (v13 !== undefined) {
    const average = numberOrNull(textAt(v13, ['average_power_draw']));
    const instant = numberOrNull(textAt(v13, ['instant_power_draw']));
    const limit =
      numberOrNull(textAt(v13, ['current_power_limit'])) ??
      numberOrNull(textAt(v13, ['enforced_power_limit']));
    if (average !== null)
      return { powerWatts: average, powerKind: 'average', powerLimitWatts: limit };
    return {
      powerWatts: instant,
      powerKind: instant === null ? null : 'instant',
      powerLimitWatts: limit,
    };
  }
  const legacy = elements(gpu, 'power_readings')[0] ?? '';
  const draw = numberOrNull(textAt(legacy, ['power_draw']));
  const limit =
    numberOrNull(textAt(legacy, ['enforced_power_limit'])) ??
    numberOrNull(textAt(legacy, ['power_limit']));
  const kind =
    draw === null
      ? null
      : powerUsageKind(architectureCode(textAt(gpu, ['product_architecture'])), name);
  return { powerWatts: draw, powerKind: kind, powerLimitWatts: limit };
}

/** Samples and processes from `nvidia-smi -q -x` output. GPUs are indexed in document order, as nvidia-smi numbers them. */
export function parseNvidiaSmiXml(xml: string, at: number): NvidiaXmlReport {
  const root = elements(xml, 'nvidia_smi_log')[0];
  if (root === undefined)
    throw new Error('nvidia-smi -q -x output has no <nvidia_smi_log> element');
  const samples: GpuSample[] = [];
  const processes: GpuProcess[] = [];
  elements(root, 'gpu').forEach((gpu, index) => {
    const name = textOrNull(textAt(gpu, ['product_name'])) ?? 'NVIDIA GPU';
    const uuid = textOrNull(textAt(gpu, ['uuid'])) ?? `nvidia-gpu-${index}`;
    const memory = elements(gpu, 'fb_memory_usage')[0] ?? '';
    samples.push({
      at,
      index,
      uuid,
      name,
      vendor: 'nvidia',
      vramUsedBytes: mibToBytes(numberOrNull(textAt(memory, ['used']))),
      vramTotalBytes: mibToBytes(numberOrNull(textAt(memory, ['total']))),
      ...powerOfGpu(gpu, name),
      energyJoules: null,
      pstate: textOrNull(textAt(gpu, ['performance_state'])),
      utilizationPercent: numberOrNull(textAt(gpu, ['utilization', 'gpu_util'])),
      temperatureC: numberOrNull(textAt(gpu, ['temperature', 'gpu_temp'])),
    });
    for (const info of elements(elements(gpu, 'processes')[0] ?? '', 'process_info')) {
      const pid = numberOrNull(textAt(info, ['pid']));
      if (pid === null) continue;
      processes.push({
        gpuIndex: index,
        gpuUuid: uuid,
        pid,
        processName: textAt(info, ['process_name']) ?? '',
        vramBytes: mibToBytes(numberOrNull(textAt(info, ['used_memory']))),
      });
    }
  });
  return { driverVersion: textOrNull(textAt(root, ['driver_version'])), samples, processes };
}
