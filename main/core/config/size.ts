// Sizes as people write them in labels and siesta.yaml: 512MiB, 20GiB, 1.5GiB, 20GB (decimal), or bare bytes.

const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** What a size looks like, for error messages. */
export const SIZE_EXPECTED = 'a size like 512MiB, 20GiB or 20GB';

/**
 * Bytes of a size (`512MiB`, `1.5GiB`, `20GB`, `2TiB`, `1048576`), or null when the text is not one.
 * `GB` is decimal (10^9) and `GiB` binary (2^30), as the SI and IEC say; a unit-less number is bytes.
 * Single letters (`20G`) are refused: Docker reads them as GiB, Kubernetes as GB.
 */
export function parseSize(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const unitBytes = UNIT_BYTES[(match[2] ?? '').toLowerCase() || 'b'];
  if (unitBytes === undefined || !Number.isFinite(amount)) return null;
  const bytes = Math.round(amount * unitBytes);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** A byte count in binary units, short and readable back by `parseSize`: 999B, 512MiB, 1.5GiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unknown';
  const sign = bytes < 0 ? '-' : '';
  const size = Math.abs(bytes);
  for (const [unit, unitBytes] of [
    ['TiB', 2 ** 40],
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (size >= unitBytes) return `${sign}${trimmed(size / unitBytes)}${unit}`;
  }
  return `${sign}${Math.round(size)}B`;
}

function trimmed(value: number): string {
  return value.toFixed(2).replace(/\.?0+$/, '');
}
