// Builds the dashboard with Vite when dist/renderer is missing or older than its sources (the contract included).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root. */
export const REPO_ROOT = join(__dirname, '..', '..');
/** Where Vite puts the dashboard. */
export const RENDERER_DIST = join(REPO_ROOT, 'dist', 'renderer');

function newestMtimeMs(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(
    info.mtimeMs,
    ...readdirSync(path).map((name) => newestMtimeMs(join(path, name))),
  );
}

/** Runs `npx vite build` when the build is stale; returns the dist folder. */
export function ensureRendererBuilt(): string {
  const index = join(RENDERER_DIST, 'index.html');
  const sources = [
    join(REPO_ROOT, 'renderer'),
    join(REPO_ROOT, 'main', 'core', 'api', 'contract.ts'),
    join(REPO_ROOT, 'main', 'core', 'settings', 'settings-schema.ts'),
    join(REPO_ROOT, 'vite.config.mts'),
  ];
  const sourcesAt = Math.max(...sources.map(newestMtimeMs));
  if (!existsSync(index) || statSync(index).mtimeMs < sourcesAt) {
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
  return RENDERER_DIST;
}
