// Short spellings of bytes, watts, durations, energy, money and CO2 for the dashboard.

const GIB = 1024 ** 3;

/** `8.0 GiB`, `512 MiB`, `unknown`. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  if (Math.abs(bytes) < GIB) return `${Math.round(bytes / 1024 ** 2)} MiB`;
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

/** `61 W`, `8.5 W`, `–`. */
export function formatWatts(powerWatts: number | null): string {
  if (powerWatts === null) return '–';
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

/** `0.125 kWh`, `12.4 kWh`. */
export function formatKwh(kwh: number): string {
  // A figure that rounds to zero is shown as 0, not -0.000.
  if (Math.abs(kwh) < 0.0005) return '0.000 kWh';
  return `${Math.abs(kwh) >= 10 ? kwh.toFixed(1) : kwh.toFixed(3)} kWh`;
}

/** `1.23 EUR`, or `–` without a price. */
export function formatMoney(money: number | null, currency: string | null): string {
  if (money === null) return '–';
  return `${money.toFixed(2)} ${currency ?? ''}`.trim();
}

/** `450 g`, `1.2 kg`, or `–`. */
export function formatCo2(grams: number | null): string {
  if (grams === null) return '–';
  return Math.abs(grams) >= 1000 ? `${(grams / 1000).toFixed(1)} kg` : `${Math.round(grams)} g`;
}

/** `3 min ago`, `just now`, `never`. */
export function formatAgo(at: number | null, now: number): string {
  if (at === null) return 'never';
  const ms = now - at;
  return ms < 5_000 ? 'just now' : `${formatDuration(ms)} ago`;
}

/** `Mar 4` for a chart axis. */
export function formatDay(at: number): string {
  return new Date(at).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}
