// Compiles the benchmark's helper processes with tsc, as `npm run build` compiles Siesta, so they run as the shipped
// JavaScript does: tsx's transform (esbuild with keepNames) wraps every closure in a `__name` call that costs per request.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Compiles `entries` (paths relative to `repoRoot`) and everything they import into `repoRoot/.tmp/bench-gateway`
 * (inside the repository, so `node_modules` still resolves) and returns the compiled path of each entry.
 */
export function compileForBench(repoRoot: string, entries: readonly string[]): string[] {
  const outDir = path.join(repoRoot, '.tmp', 'bench-gateway');
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  // The options of tsconfig.json that shape the emitted code (tsc ignores tsconfig.json when given files); no type check.
  const args = [
    tsc,
    '--outDir',
    outDir,
    '--rootDir',
    repoRoot,
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
  ];
  args.push(
    '--target',
    'ES2022',
    '--esModuleInterop',
    '--resolveJsonModule',
    '--skipLibCheck',
    '--noCheck',
    '--types',
    'node',
  );
  const result = spawnSync(
    process.execPath,
    [...args, ...entries.map((e) => path.join(repoRoot, e))],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (result.error !== undefined || result.status !== 0)
    throw new Error(
      `tsc could not compile ${entries.join(', ')} for the benchmark: ${result.error?.message ?? `${result.stdout}${result.stderr}`.trim()}`,
    );
  return entries.map((e) => path.join(outDir, e.replace(/\.ts$/, '.js')));
}
