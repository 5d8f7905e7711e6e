// Durations as people write them in labels and siesta.yaml: 500ms, 90s, 10m, 1h, 1h30m, 0.

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** What a duration looks like, for error messages. */
export const DURATION_EXPECTED = 'a duration like 90s, 10m or 1h';

/**
 * Milliseconds of a duration (`500ms`, `90s`, `10m`, `1h30m`, `1.5h`, `2d`, `0`), or null when the text
 * is not one. A bare number other than 0 is refused: `10` could mean seconds or minutes.
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (/^0+(\.0+)?$/.test(trimmed)) return 0;
  if (trimmed === '' || !/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) return null;
  let totalMs = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    const amount = Number(match[1]);
    const unitMs = UNIT_MS[match[2] ?? ''];
    if (unitMs === undefined || !Number.isFinite(amount)) return null;
    totalMs += amount * unitMs;
  }
  const rounded = Math.round(totalMs);
  return Number.isSafeInteger(rounded) ? rounded : null;
}

/** A duration in the shortest exact form this module reads back: 0, 500ms, 90s, 10m, 1h30m. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'never';
  if (ms <= 0) return '0';
  let rest = Math.round(ms);
  const parts: string[] = [];
  for (const [unit, unitMs] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const count = Math.floor(rest / unitMs);
    if (count > 0) {
      parts.push(`${count}${unit}`);
      rest -= count * unitMs;
    }
  }
  return parts.join('');
}
