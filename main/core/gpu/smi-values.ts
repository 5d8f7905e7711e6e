// Reads one cell of a GPU tool's output: numbers with or without units, and the many spellings of "no value".

/** Bytes in one MiB, the unit nvidia-smi reports memory in. */
export const MIB_BYTES = 1024 * 1024;

/**
 * True when a cell says the driver has no value: `[N/A]`, `N/A` (GT 710 on driver 450 prints it
 * without brackets), `[Not Supported]`, `[Unknown Error]`, `[Insufficient Permissions]`, or empty.
 */
export function isNoValue(cell: string | null | undefined): boolean {
  if (cell === null || cell === undefined) return true;
  const text = cell.trim();
  if (text === '') return true;
  if (text.startsWith('[') && text.endsWith(']')) return true;
  return /^(n\/a|not supported)$/i.test(text);
}

/** The trimmed text of a cell, or null when it says there is no value. */
export function textOrNull(cell: string | null | undefined): string | null {
  return isNoValue(cell) ? null : (cell as string).trim();
}

/**
 * The number in a cell such as `69.85 W`, `8192 MiB`, `65 %`, `45 C`, `12868124672` or `6.0`;
 * null for a no-value cell or one that is not a number.
 */
export function numberOrNull(cell: string | null | undefined): number | null {
  const text = textOrNull(cell);
  if (text === null) return null;
  const match = /^([-+]?\d+(?:\.\d+)?)(?:\s*[A-Za-z%°]+)?$/.exec(text);
  if (!match?.[1]) return null;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : null;
}

/** MiB to bytes, keeping null. */
export function mibToBytes(mib: number | null): number | null {
  return mib === null ? null : Math.round(mib * MIB_BYTES);
}

/** Milli-units (mW, mJ, m°C) to units, keeping null. */
export function fromMilli(value: number | null): number | null {
  return value === null ? null : value / 1000;
}

/** Micro-units (µW) to units, keeping null. */
export function fromMicro(value: number | null): number | null {
  return value === null ? null : value / 1_000_000;
}
