// The daemon's log line when the registered models change while it runs: a container was labelled or removed, or
// siesta.yaml was edited. Start-up lists the models once; after that only what changed is said.
import type { ModelSpec } from './model-spec';

/** `models: added flux; removed sdxl; changed qwen (now 2: flux, qwen)`, or null when nothing changed. */
export function modelSetChange(
  before: readonly ModelSpec[],
  after: readonly ModelSpec[],
): string | null {
  const old = new Map(before.map((s) => [s.name, JSON.stringify(s)]));
  const now = new Map(after.map((s) => [s.name, JSON.stringify(s)]));
  const added = [...now.keys()].filter((name) => !old.has(name));
  const removed = [...old.keys()].filter((name) => !now.has(name));
  const changed = [...now]
    .filter(([name, json]) => old.has(name) && old.get(name) !== json)
    .map(([name]) => name);
  const said = (verb: string, names: string[]): string[] =>
    names.length > 0 ? [`${verb} ${names.sort().join(', ')}`] : [];
  const parts = [...said('added', added), ...said('removed', removed), ...said('changed', changed)];
  if (parts.length === 0) return null;
  const names = [...now.keys()].sort();
  return `models: ${parts.join('; ')} (now ${names.length}${names.length > 0 ? `: ${names.join(', ')}` : ''})`;
}
