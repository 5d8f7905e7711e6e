// Whether an NVIDIA "power draw" reading is a 1 s average or an instant one, from the GPU's architecture.

/** NVML's `nvmlDeviceArchitecture_t` values, by name. */
const ARCHITECTURE_CODES: Readonly<Record<string, number>> = {
  kepler: 2,
  maxwell: 3,
  pascal: 4,
  volta: 5,
  turing: 6,
  ampere: 7,
  ada: 8,
  'ada lovelace': 8,
  hopper: 9,
  blackwell: 10,
};

/** NVML's architecture code for a name such as `Ampere` or `Ada Lovelace`; null when unknown. */
export function architectureCode(name: string | null): number | null {
  if (name === null) return null;
  return ARCHITECTURE_CODES[name.trim().toLowerCase()] ?? null;
}

/**
 * What `nvmlDeviceGetPowerUsage` (and nvidia-smi's plain `power.draw`) returns.
 * NVML docs: "On Ampere (except GA100) or newer GPUs, the API returns power averaged over 1 sec
 * interval. On GA100 and older architectures, instantaneous power is returned."
 * GA100 boards are the A100 and the A30. Null when the architecture is unknown.
 */
export function powerUsageKind(
  architecture: number | null,
  gpuName: string,
): 'average' | 'instant' | null {
  if (architecture === null || architecture <= 0) return null;
  const ampere = ARCHITECTURE_CODES.ampere ?? 7;
  if (architecture < ampere) return 'instant';
  if (architecture === ampere && /\b(A100|A30)\b/i.test(gpuName)) return 'instant';
  // Codes beyond the table (newer than Blackwell) keep the Ampere-and-later behaviour.
  return 'average';
}
