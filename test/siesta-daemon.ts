// `siesta serve` as a child process for tests that use Siesta as a user runs it: started on loopback ports that the
// kernel picks, managing only this test process's containers, with its state read through the control API.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateResponseSchema, type StateResponse } from '../main/core/api/contract';
import { TEST_LABEL } from './docker-harness';

const REPO = join(__dirname, '..');
/** tsx, to run the TypeScript CLI without a build. */
export const TSX = join(REPO, 'node_modules', '.bin', 'tsx');
/** The CLI's source entry. */
export const CLI = join(REPO, 'main', 'cli.ts');

export interface Daemon {
  readonly child: ChildProcess;
  readonly gatewayUrl: string;
  readonly controlUrl: string;
  output(): string;
}

/** Starts `siesta serve` and waits for the lines that give its addresses. */
export function startDaemon(
  dataDir: string,
  extraArgs: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<Daemon> {
  const child = spawn(
    TSX,
    [
      CLI,
      'serve',
      '--data-dir',
      dataDir,
      '--gateway',
      '127.0.0.1:0',
      '--control',
      '127.0.0.1:0',
      '--only-label',
      `${TEST_LABEL}=${process.pid}`,
      ...extraArgs,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`siesta serve did not start in 30 s:\n${out}`)),
      30_000,
    );
    child.on('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`siesta serve exited with ${String(code)}:\n${out}`));
    });
    const check = setInterval(() => {
      const gateway = /gateway:\s+(http:\/\/\S+)/.exec(out);
      const dashboard = /dashboard:\s+(http:\/\/[^/\s]+)/.exec(out);
      if (!gateway?.[1] || !dashboard?.[1]) return;
      clearInterval(check);
      clearTimeout(deadline);
      child.removeAllListeners('exit');
      resolve({ child, gatewayUrl: gateway[1], controlUrl: dashboard[1], output: () => out });
    }, 50);
  });
}

/** A running daemon's `/api/state`. */
export async function stateOf(daemon: Daemon, dataDir: string): Promise<StateResponse> {
  const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
  const response = await fetch(`${daemon.controlUrl}/api/state`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5_000),
  });
  return StateResponseSchema.parse(await response.json());
}

/** The names of the models a running daemon lists in `/api/state`. */
export async function modelNames(daemon: Daemon, dataDir: string): Promise<string[]> {
  return (await stateOf(daemon, dataDir)).models.map((m) => m.name).sort();
}

/** Runs the `siesta` command to its end; its exit code and what it wrote. */
export function runSiesta(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(TSX, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}
