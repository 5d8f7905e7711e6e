// Short spellings of bytes, watts, durations and energy for the CLI's tables and progress lines.

const GIB = 1024 ** 3;

/** `8.0 GiB`; `512 MiB` under one GiB; `?` for unknown. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '?';
  if (Math.abs(bytes) < GIB) return `${Math.round(bytes / 1024 ** 2)} MiB`;
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

/** `61 W`, `8.5 W`, `?`. */
export function formatWatts(powerWatts: number | null): string {
  if (powerWatts === null) return '?';
  return Math.abs(powerWatts) >= 10 ? `${Math.round(powerWatts)} W` : `${powerWatts.toFixed(1)} W`;
}

/** `0.4 s`, `12 s`, `2 min 5 s`, `1 h 3 min`. */
export function formatDuration(durationMs: number): string {
  const ms = Math.max(0, durationMs);
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60)
    return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** `0.125 kWh` from joules. */
export function formatKwh(energyJoules: number): string {
  const kwh = energyJoules / 3_600_000;
  if (Math.abs(kwh) < 0.0005) return '0.000 kWh';
  return `${Math.abs(kwh) >= 10 ? kwh.toFixed(1) : kwh.toFixed(3)} kWh`;
}

/** Lays out rows as left-aligned columns separated by two spaces. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
