// Short human spellings of durations, energies and powers for the reasons the policies give.

/** `1 h 5 min`, `2 min 10 s`, `25 s`, `800 ms`. */
export function formatMs(durationMs: number): string {
  if (!Number.isFinite(durationMs)) return 'forever';
  const ms = Math.max(0, Math.round(durationMs));
  if (ms < 1_000) return `${ms} ms`;
  const totalSeconds = Math.round(ms / 1_000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** `850 J`, `1.2 kJ`, `3.4 MJ`. */
export function formatJoules(energyJoules: number): string {
  const abs = Math.abs(energyJoules);
  if (abs >= 1e6) return `${trim(energyJoules / 1e6)} MJ`;
  if (abs >= 1e3) return `${trim(energyJoules / 1e3)} kJ`;
  return `${Math.round(energyJoules)} J`;
}

/** `48 W`, `2.5 W`. */
export function formatWatts(powerWatts: number): string {
  return `${Math.abs(powerWatts) >= 10 ? Math.round(powerWatts) : trim(powerWatts)} W`;
}

function trim(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}
