// Parses `rocm-smi ... --json` (every value a string; key spellings differ across ROCm versions) into samples.
import type { GpuSample } from './gpu-sample';
import { numberOrNull, textOrNull } from './smi-values';

type Card = ReadonlyMap<string, string>;

/** The first of `keys` (compared case-insensitively) that the card has with a value. */
function pick(card: Card, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = textOrNull(card.get(key.toLowerCase()));
    if (value !== null) return value;
  }
  return null;
}

/** A bare PCI id such as `0x1002` is not a product name (ROCm 4.3 prints one under "Card series"). */
function isBareId(text: string): boolean {
  return /^0x[0-9a-f]+$/i.test(text);
}

/**
 * Power and its kind. ROCm 4 to 6 print "Average Graphics Package Power (W)"; newer ROCm on MI300
 * prints "Current Socket Graphics Package Power (W)", an instant reading.
 */
function powerOfCard(card: Card): Pick<GpuSample, 'powerWatts' | 'powerKind'> {
  const average = numberOrNull(pick(card, ['Average Graphics Package Power (W)']));
  if (average !== null) return { powerWatts: average, powerKind: 'average' };
  const current = numberOrNull(
    pick(card, ['Current Socket Graphics Package Power (W)', 'Current Graphics Package Power (W)']),
  );
  return { powerWatts: current, powerKind: current === null ? null : 'instant' };
}

/** Samples from `rocm-smi --json` output: one per `cardN` key, in card order; the `system` key is ignored. */
export function parseRocmSmiJson(text: string, at: number): GpuSample[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error: unknown) {
    throw new Error(
      `rocm-smi --json output is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new Error('rocm-smi --json output is not a JSON object');
  const cards = Object.entries(parsed as Record<string, unknown>)
    .map(([key, value]) => ({ number: /^card(\d+)$/.exec(key)?.[1], value }))
    .filter(
      (c): c is { number: string; value: Record<string, unknown> } =>
        c.number !== undefined && typeof c.value === 'object' && c.value !== null,
    )
    .sort((a, b) => Number(a.number) - Number(b.number));
  return cards.map(({ number, value }, index) => {
    const card: Card = new Map(Object.entries(value).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const deviceId = pick(card, ['Device ID', 'GPU ID']);
    const name =
      [pick(card, ['Device Name']), pick(card, ['Card Series']), pick(card, ['Card Model'])].find(
        (candidate): candidate is string => candidate !== null && !isBareId(candidate),
      ) ?? `AMD GPU ${deviceId ?? `card${number}`}`;
    const uniqueId = pick(card, ['Unique ID']);
    const pciBus = pick(card, ['PCI Bus']);
    return {
      at,
      index,
      uuid: uniqueId ?? (pciBus ? `pci-${pciBus}` : `card${number}`),
      name,
      vendor: 'amd',
      vramUsedBytes: numberOrNull(pick(card, ['VRAM Total Used Memory (B)'])),
      vramTotalBytes: numberOrNull(pick(card, ['VRAM Total Memory (B)'])),
      ...powerOfCard(card),
      energyJoules: null,
      powerLimitWatts: numberOrNull(pick(card, ['Max Graphics Package Power (W)'])),
      // AMD has no P-states in NVIDIA's sense; rocm-smi's "Performance Level" is a policy (auto, high), not a state.
      pstate: null,
      utilizationPercent: numberOrNull(pick(card, ['GPU use (%)'])),
      temperatureC: numberOrNull(
        pick(card, ['Temperature (Sensor edge) (C)', 'Temperature (Sensor junction) (C)']),
      ),
    };
  });
}
