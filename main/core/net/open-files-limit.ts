// How many file descriptors this process may open (Linux: /proc/self/limits), so connection caps can leave room for
// the database, the Docker socket and the control API.
import { readFileSync } from 'node:fs';

/** The soft limit on open files, or null where it cannot be read (not Linux). */
export function openFilesLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft =
      line === undefined ? NaN : Number(line.slice('Max open files'.length).trim().split(/\s+/)[0]);
    return Number.isFinite(soft) ? soft : null;
  } catch {
    return null;
  }
}

/** Descriptors kept out of every connection cap: SQLite, the engine's socket, logs, upstream connections' own slack. */
export const RESERVED_DESCRIPTORS = 256;

/**
 * The most connections a server may hold given its `share` (0..1) of the descriptors left after the reserve: each
 * gateway connection may need a second descriptor upstream, so the gateway's share counts double.
 */
export function connectionsWithin(
  limit: number | null,
  share: number,
  descriptorsPerConnection: number,
): number {
  if (limit === null) return Number.MAX_SAFE_INTEGER;
  return Math.max(
    16,
    Math.floor(((limit - RESERVED_DESCRIPTORS) * share) / descriptorsPerConnection),
  );
}
