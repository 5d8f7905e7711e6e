// Reads back the cause strings of the API's events (`request:path /qwen/`, `evicted:for qwen`; see api/api-events.ts).
import type { RouteKind, WakeCause } from '../lifecycle/model-state';

const ROUTES: readonly RouteKind[] = ['port', 'host', 'path', 'model-field'];
const VIAS = ['api', 'tray', 'cli', 'dashboard'] as const;

/** A wake cause from its API spelling; null for a spelling this version does not know. */
export function parseWakeCause(text: string): WakeCause | null {
  const request = /^request:([a-z-]+)(?: ([\s\S]*))?$/.exec(text);
  if (request) {
    const route = ROUTES.find((r) => r === request[1]);
    return route === undefined ? null : { kind: 'request', route, detail: request[2] ?? '' };
  }
  const user = /^user:([a-z]+)$/.exec(text);
  if (user) {
    const via = VIAS.find((v) => v === user[1]);
    return via === undefined ? null : { kind: 'user', via };
  }
  if (text === 'prewarm' || text.startsWith('prewarm:'))
    return { kind: 'prewarm', detail: text.slice('prewarm:'.length) };
  if (text === 'external') return { kind: 'external' };
  return null;
}

/** The model a sleep made room for, from the API's sleep cause (`evicted:for llama`, `group:image for flux`), or null. */
export function parseEviction(
  text: string,
): { readonly forModel: string; readonly group: string | null } | null {
  const evicted = /^evicted:for (.+)$/.exec(text);
  if (evicted?.[1] !== undefined) return { forModel: evicted[1], group: null };
  const group = /^group:(.+?) for (.+)$/.exec(text);
  if (group?.[1] !== undefined && group[2] !== undefined)
    return { forModel: group[2], group: group[1] };
  return null;
}
