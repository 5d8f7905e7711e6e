// Starts a helper process for the gateway benchmark (the fake model server, nginx, the gateway) and waits for the line
// that says it is listening, failing with its output when it exits or takes too long.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/** A started helper process. */
export interface Helper {
  readonly process: ChildProcess;
  /** The first match of the ready pattern (empty when readiness was a port). */
  readonly match: RegExpMatchArray | readonly string[];
  /** Sends SIGTERM and waits until it exits (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Spawns `command` and resolves once its stdout or stderr matches `ready` (a pattern), or once 127.0.0.1:`ready`
 * (a port) accepts connections, within `timeoutMs`.
 */
export function startHelper(
  what: string,
  command: string,
  args: readonly string[],
  options: {
    readonly env?: NodeJS.ProcessEnv;
    readonly ready: RegExp | number;
    readonly timeoutMs?: number;
  },
): Promise<Helper> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 3_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      settled = true;
      void stop();
      reject(
        new Error(
          `${what} did not start within ${timeoutMs} ms; it printed: ${output.trim() || '(nothing)'}`,
        ),
      );
    }, timeoutMs);
    const ready = (match: RegExpMatchArray | readonly string[]): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ process: child, match, stop });
    };
    // Keep draining its pipes, so a chatty helper never blocks on a full pipe.
    const onData = (chunk: Buffer): void => {
      if (output.length < 20_000) output += chunk.toString('utf8');
      if (typeof options.ready === 'number') return;
      const match = options.ready.exec(output);
      if (match !== null) ready(match);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const port = options.ready;
    if (typeof port === 'number') {
      const poll = async (): Promise<void> => {
        while (!settled && child.exitCode === null) {
          if (await portOpen(port)) return ready([]);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      void poll();
    }
    child.once('error', (error) => {
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${what} (${command}) could not be started: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(
        new Error(
          `${what} exited (${signal ?? `code ${String(code)}`}) before it was ready; it printed: ${output.trim() || '(nothing)'}`,
        ),
      );
    });
  });
}
