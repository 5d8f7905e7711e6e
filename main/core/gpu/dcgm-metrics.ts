// Reads GPU samples from a Prometheus text page with NVIDIA DCGM exporter metric names: power (W), framebuffer used,
// free, reserved and total (MiB), total energy since boot (mJ), utilisation (%) and temperature (C), one GPU per `gpu`.
import type { GpuSample } from './gpu-sample';

const MIB = 1024 * 1024;

/** The DCGM exporter's metric names Siesta reads (its default counters, plus FB_TOTAL where a collector adds it). */
export const DCGM_METRICS = {
  powerWatts: 'DCGM_FI_DEV_POWER_USAGE',
  energyMillijoules: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
  fbUsedMib: 'DCGM_FI_DEV_FB_USED',
  fbFreeMib: 'DCGM_FI_DEV_FB_FREE',
  fbReservedMib: 'DCGM_FI_DEV_FB_RESERVED',
  fbTotalMib: 'DCGM_FI_DEV_FB_TOTAL',
  utilizationPercent: 'DCGM_FI_DEV_GPU_UTIL',
  temperatureC: 'DCGM_FI_DEV_GPU_TEMP',
} as const;

type Field = keyof typeof DCGM_METRICS;
const FIELD_OF = new Map<string, Field>(
  Object.entries(DCGM_METRICS).map(([field, name]) => [name, field as Field]),
);

interface GpuReadings {
  uuid: string;
  name: string;
  values: Partial<Record<Field, number>>;
}

/** `name{a="1",b="x"} 12.5` → its name, labels and value; null for comments, blanks and lines it cannot read. */
function parseLine(
  line: string,
): { name: string; labels: Record<string, string>; value: number } | null {
  const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?\s*$/.exec(line.trim());
  if (!match?.[1] || match[3] === undefined) return null;
  const value = Number(match[3]);
  if (!Number.isFinite(value)) return null;
  const labels: Record<string, string> = {};
  for (const pair of (match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    if (pair[1] !== undefined) labels[pair[1]] = (pair[2] ?? '').replace(/\\(.)/g, '$1');
  }
  return { name: match[1], labels, value };
}

/**
 * The samples of one scrape, GPU `gpu="N"` becoming index `indexBase + N` (several hosts' GPUs never clash). A GPU
 * without a power or framebuffer reading still gives a sample, with those fields null.
 */
export function parseDcgmMetrics(text: string, at: number, indexBase: number): GpuSample[] {
  const gpus = new Map<number, GpuReadings>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const parsed = parseLine(line);
    const field = parsed ? FIELD_OF.get(parsed.name) : undefined;
    if (!parsed || field === undefined) continue;
    const gpu = Number(parsed.labels.gpu);
    // MIG instances repeat their GPU's number with a GPU_I_ID label: the whole GPU's readings are the ones without.
    if (!Number.isInteger(gpu) || gpu < 0 || parsed.labels.GPU_I_ID !== undefined) continue;
    const readings = gpus.get(gpu) ?? {
      uuid: parsed.labels.UUID ?? '',
      name: parsed.labels.modelName ?? 'NVIDIA GPU',
      values: {},
    };
    readings.values[field] = parsed.value;
    gpus.set(gpu, readings);
  }
  return [...gpus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([gpu, { uuid, name, values }]) => {
      const used = values.fbUsedMib;
      const total =
        values.fbTotalMib ??
        (used !== undefined && values.fbFreeMib !== undefined
          ? used + values.fbFreeMib + (values.fbReservedMib ?? 0)
          : undefined);
      return {
        at,
        index: indexBase + gpu,
        uuid,
        name,
        vendor: 'nvidia',
        vramUsedBytes: used === undefined ? null : used * MIB,
        vramTotalBytes: total === undefined ? null : total * MIB,
        powerWatts: values.powerWatts ?? null,
        // DCGM's power usage is NVML's power draw, which recent drivers average over one second.
        powerKind: values.powerWatts === undefined ? null : 'average',
        energyJoules:
          values.energyMillijoules === undefined ? null : values.energyMillijoules / 1000,
        powerLimitWatts: null,
        pstate: null,
        utilizationPercent: values.utilizationPercent ?? null,
        temperatureC: values.temperatureC ?? null,
      };
    });
}
