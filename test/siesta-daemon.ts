// `siesta serve` as a child process for tests over raw sockets: its addresses, its token, its log, and the process that
// really serves (tsx runs it in a grandchild) for RSS and open-descriptor readings.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { StateResponseSchema, type StateResponse } from '../main/core/api/contract';
import { TEST_LABEL } from './docker-harness';

const REPO = join(__dirname, '..');
/** tsx, which runs the CLI from its TypeScript source. */
export const TSX = join(REPO, 'node_modules', '.bin', 'tsx');
/** The CLI's entry. */
export const CLI = join(REPO, 'main', 'cli.ts');

/** A running `siesta serve`. */
export interface SiestaDaemon {
  readonly child: ChildProcess;
  readonly gatewayUrl: string;
  readonly gatewayPort: number;
  readonly controlUrl: string;
  /** The control API's token (read from the data dir). */
  readonly token: string;
  /** Everything it printed so far. */
  output(): string;
  /** The serving process's resident memory, bytes. */
  rssBytes(): number;
  /** The serving process's open file descriptors. */
  openFds(): number;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The deepest descendant of `pid` (tsx's node child runs the CLI). */
function servingPid(pid: number): number {
  const kids = childrenOf(pid);
  return kids.length === 0 ? pid : servingPid(kids[kids.length - 1] ?? pid);
}

/** Starts `siesta serve` on free loopback ports over the containers labelled by this test run. */
export function startSiestaDaemon(
  dataDir: string,
  extraArgs: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<SiestaDaemon> {
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
  const proc = (): number => servingPid(child.pid ?? 0);
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`siesta serve did not start in 60 s:\n${out}`)),
      60_000,
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
      const gatewayUrl = gateway[1].replace(/\/$/, '');
      resolve({
        child,
        gatewayUrl,
        gatewayPort: Number(new URL(gatewayUrl).port),
        controlUrl: dashboard[1],
        get token() {
          return readFileSync(join(dataDir, 'token'), 'utf8').trim();
        },
        output: () => out,
        rssBytes: () => {
          const line = readFileSync(`/proc/${proc()}/status`, 'utf8')
            .split('\n')
            .find((l) => l.startsWith('VmRSS:'));
          return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
        },
        openFds: () => {
          const dir = `/proc/${proc()}/fd`;
          return readdirSync(dir).filter((fd) => {
            try {
              readlinkSync(join(dir, fd));
              return true;
            } catch {
              return false;
            }
          }).length;
        },
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    }, 50);
  });
}

/** A running daemon's `/api/state`. */
export async function stateOf(
  daemon: Pick<SiestaDaemon, 'controlUrl' | 'token'>,
): Promise<StateResponse> {
  const response = await fetch(`${daemon.controlUrl}/api/state`, {
    headers: { authorization: `Bearer ${daemon.token}` },
    signal: AbortSignal.timeout(5_000),
  });
  return StateResponseSchema.parse(await response.json());
}

/** The names of the models a running daemon lists in `/api/state`. */
export async function modelNames(
  daemon: Pick<SiestaDaemon, 'controlUrl' | 'token'>,
): Promise<string[]> {
  return (await stateOf(daemon)).models.map((m) => m.name).sort();
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
