// Reads AMD GPUs from the amdgpu driver's sysfs files (VRAM, power, busy %, temperature): no tool is spawned.
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GpuSample } from './gpu-sample';
import { fromMicro, fromMilli, numberOrNull, textOrNull } from './smi-values';

/** The default DRM class folder on Linux. */
export const DEFAULT_DRM_ROOT = '/sys/class/drm';

const AMD_PCI_VENDOR = '0x1002';

/** One amdgpu card found under the DRM root. */
export interface AmdCard {
  /** `card0`, `card1`, ... */
  readonly card: string;
  /** The card's PCI device folder (`<root>/cardN/device`). */
  readonly deviceDir: string;
  /** PCI slot such as `0000:0c:00.0`, from `uevent`; null when absent. */
  readonly pciSlot: string | null;
  /** `1002:73BF`, from `uevent`; null when absent. */
  readonly pciId: string | null;
  /** The card's hwmon folder (`device/hwmon/hwmonN`), found once; null when it has none. */
  readonly hwmonDir: string | null;
  /** The edge temperature input (the sensor labelled `edge`, else `temp1_input`), found once. */
  readonly temperatureFile: string | null;
  /** `unique_id` (newer cards) and `product_name`, read once; null when absent or empty. */
  readonly uniqueId: string | null;
  readonly productName: string | null;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * A sysfs value read synchronously: these files are served by the kernel from memory (or, for hwmon,
 * by one firmware message), and 2 async reads per file cost far more CPU than the read itself.
 */
function readNow(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function numberNow(path: string): number | null {
  return numberOrNull(readNow(path));
}

function ueventField(uevent: string | null, key: string): string | null {
  const match = new RegExp(`^${key}=(.*)$`, 'm').exec(uevent ?? '');
  return textOrNull(match?.[1]);
}

/** The amdgpu cards under `drmRoot` (entries `cardN` whose `device/vendor` is 0x1002), by card number. */
export async function findAmdCards(drmRoot: string): Promise<AmdCard[]> {
  let entries: string[];
  try {
    entries = await readdir(drmRoot);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    throw new Error(
      `cannot list ${drmRoot}: ${code === 'ENOENT' ? 'it does not exist' : error instanceof Error ? error.message : String(error)}`,
    );
  }
  const cards = entries
    .filter((e) => /^card\d+$/.test(e))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const found: AmdCard[] = [];
  for (const card of cards) {
    const deviceDir = join(drmRoot, card, 'device');
    if ((await readText(join(deviceDir, 'vendor')))?.trim() !== AMD_PCI_VENDOR) continue;
    const uevent = await readText(join(deviceDir, 'uevent'));
    const hwmon = await hwmonDir(deviceDir);
    found.push({
      card,
      deviceDir,
      pciSlot: ueventField(uevent, 'PCI_SLOT_NAME'),
      pciId: ueventField(uevent, 'PCI_ID'),
      hwmonDir: hwmon,
      temperatureFile: hwmon === null ? null : await edgeTemperatureFile(hwmon),
      uniqueId: textOrNull(await readText(join(deviceDir, 'unique_id'))),
      productName: textOrNull(await readText(join(deviceDir, 'product_name'))),
    });
  }
  return found;
}

/** The card's hwmon folder (`device/hwmon/hwmonN`), or null. */
async function hwmonDir(deviceDir: string): Promise<string | null> {
  try {
    const names = (await readdir(join(deviceDir, 'hwmon')))
      .filter((n) => n.startsWith('hwmon'))
      .sort();
    return names[0] ? join(deviceDir, 'hwmon', names[0]) : null;
  } catch {
    return null;
  }
}

/** The input file of the sensor labelled `edge`, else `temp1_input`. */
async function edgeTemperatureFile(hwmon: string): Promise<string> {
  for (let i = 1; i <= 4; i++) {
    if ((await readText(join(hwmon, `temp${i}_label`)))?.trim() === 'edge')
      return join(hwmon, `temp${i}_input`);
  }
  return join(hwmon, 'temp1_input');
}

/**
 * One sample of one card, read synchronously. `power1_average` (µW, the SMU's average) is preferred to `power1_input`
 * (instant). A card whose `power/runtime_status` is `suspended` is not read further: reading its
 * sensors would wake it on older kernels, and a sleeping card's readings would be invented.
 */
export function readAmdCard(
  card: AmdCard,
  index: number,
  at: number,
  nameOverride?: string,
): GpuSample {
  const dir = card.deviceDir;
  const base = {
    at,
    index,
    uuid: card.uniqueId ?? (card.pciSlot ? `pci-${card.pciSlot}` : card.card),
    name: nameOverride ?? card.productName ?? `AMD GPU ${card.pciId ?? card.card}`,
    vendor: 'amd' as const,
    energyJoules: null,
    // AMD has no P-states in NVIDIA's sense (power_dpm_state is a policy, not a state).
    pstate: null,
  };
  if (readNow(join(dir, 'power', 'runtime_status'))?.trim() === 'suspended') {
    return {
      ...base,
      vramUsedBytes: null,
      vramTotalBytes: null,
      powerWatts: null,
      powerKind: null,
      powerLimitWatts: null,
      utilizationPercent: null,
      temperatureC: null,
    };
  }
  const hwmon = card.hwmonDir;
  const average = hwmon === null ? null : fromMicro(numberNow(join(hwmon, 'power1_average')));
  const input =
    hwmon === null || average !== null ? null : fromMicro(numberNow(join(hwmon, 'power1_input')));
  return {
    ...base,
    vramUsedBytes: numberNow(join(dir, 'mem_info_vram_used')),
    vramTotalBytes: numberNow(join(dir, 'mem_info_vram_total')),
    powerWatts: average ?? input,
    powerKind: average !== null ? 'average' : input !== null ? 'instant' : null,
    powerLimitWatts: hwmon === null ? null : fromMicro(numberNow(join(hwmon, 'power1_cap'))),
    utilizationPercent: numberNow(join(dir, 'gpu_busy_percent')),
    temperatureC: card.temperatureFile === null ? null : fromMilli(numberNow(card.temperatureFile)),
  };
}

/** Samples of every card; `namesBySlot` (from the start-up inventory) names cards whose sysfs has no product name. */
export function readAmdSysfs(
  cards: readonly AmdCard[],
  at: number,
  namesBySlot: ReadonlyMap<string, string> = new Map(),
): GpuSample[] {
  return cards.map((card, index) =>
    readAmdCard(
      card,
      index,
      at,
      card.pciSlot ? namesBySlot.get(card.pciSlot.toLowerCase()) : undefined,
    ),
  );
}
