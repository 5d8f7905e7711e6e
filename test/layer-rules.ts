// The layers of main/core (DESIGN.md, "Inside main/core"; docs/architecture.md): each folder may import only the
// folders in lower layers, never one above it or beside it; `electron` never in main/core or the CLI.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/** main/core's folders from the bottom layer up; a folder imports only folders of lower layers. */
export const CORE_LAYERS: readonly (readonly string[])[] = [
  ['shared', 'clock'],
  ['config', 'net', 'templates'],
  ['docker', 'gpu', 'sizing'],
  ['swarm'],
  ['providers'],
  ['lifecycle'],
  ['scheduler', 'ledger', 'doze'],
  ['policy', 'ollama'],
  ['proxy'],
  ['settings'],
  ['manage'],
  ['api'],
  // The client side the dashboard, the tray and the CLI share: formatters, the state reducer, the SSE reader, the client.
  ['client'],
  ['tray'],
  ['notify'],
  // The composition root: its builders, then siesta.ts.
  ['compose'],
  ['siesta.ts'],
];

/** One import that breaks the layers. */
export interface LayerBreach {
  readonly file: string;
  readonly imported: string;
  readonly why: string;
}

function layerOf(folder: string): number {
  return CORE_LAYERS.findIndex((layer) => layer.includes(folder));
}

/** The main/core folder (or top-level file) a repository path belongs to, or null outside main/core. */
function coreFolderOf(path: string): string | null {
  const parts = path.split('/');
  if (parts[0] !== 'main' || parts[1] !== 'core' || parts.length < 3) return null;
  return parts[2] ?? null;
}

/** The import specifiers of a TypeScript source (static imports, re-exports and `import()`). */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'([^']+)'/g))
    found.push(m[1] ?? '');
  for (const m of source.matchAll(/(?:^|\n)\s*import\s*'([^']+)'/g)) found.push(m[1] ?? '');
  for (const m of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push(m[1] ?? '');
  return found;
}

/** The breaches in one file (`file` is its repository path, forward slashes). */
export function breachesIn(file: string, source: string): LayerBreach[] {
  const breaches: LayerBreach[] = [];
  const inCli = file === 'main/cli.ts' || file.startsWith('main/cli/');
  const from = coreFolderOf(file);
  for (const spec of importsOf(source)) {
    if (spec === 'electron' || spec.startsWith('electron/')) {
      if (from !== null || inCli)
        breaches.push({
          file,
          imported: spec,
          why: `${inCli ? 'the CLI' : 'main/core'} runs without Electron`,
        });
      continue;
    }
    if (from === 'client' && spec.startsWith('node:')) {
      breaches.push({ file, imported: spec, why: 'main/core/client is bundled into the renderer' });
      continue;
    }
    if (from === null || !spec.startsWith('.')) continue;
    const target = normalize(join(dirname(file), spec))
      .split(sep)
      .join('/');
    const to = coreFolderOf(target);
    if (to === null || to === from) continue;
    const toFolder = to.endsWith('.ts') || target.split('/').length > 3 ? to : `${to}.ts`;
    const fromLayer = layerOf(from);
    const toLayer = layerOf(toFolder);
    if (fromLayer < 0)
      breaches.push({ file, imported: spec, why: `main/core/${from} has no layer in CORE_LAYERS` });
    else if (toLayer < 0)
      breaches.push({
        file,
        imported: spec,
        why: `main/core/${toFolder} has no layer in CORE_LAYERS`,
      });
    else if (toLayer >= fromLayer)
      breaches.push({
        file,
        imported: spec,
        why: `main/core/${from} (layer ${fromLayer}) may not import main/core/${toFolder} (layer ${toLayer}): ${
          toLayer === fromLayer ? 'same layer' : 'upward'
        }`,
      });
  }
  return breaches;
}

/** The TypeScript sources under `dir` (repository-relative paths), tests and test data left out. */
export function productionSources(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(join(root, path), { withFileTypes: true })) {
      const child = `${path}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'testdata' && entry.name !== 'node_modules') walk(child);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(child);
    }
  };
  walk(dir);
  return out;
}

/** Every breach in main/core and the CLI of the repository at `root`. */
export function layerBreaches(root: string): LayerBreach[] {
  const files = [
    ...productionSources(root, 'main/core'),
    ...productionSources(root, 'main/cli'),
    'main/cli.ts',
  ];
  return files.flatMap((file) =>
    breachesIn(
      relative(root, join(root, file)).split(sep).join('/'),
      readFileSync(join(root, file), 'utf8'),
    ),
  );
}
