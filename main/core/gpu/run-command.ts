// Runs a GPU tool once (start-up detection, the low-rate process list) and returns its output, never throwing on a non-zero exit.
import { execFile } from 'node:child_process';

/** What one run of a command gave. `code` is null when it could not start or was killed. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it could not run (not found, timed out), or null. */
  readonly failure: string | null;
}

/** Runs `command args` with a time limit (and `env`, default this process's); output is capped at 4 MiB. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      {
        timeout: timeoutMs,
        windowsHide: true,
        maxBuffer: 4 * 1024 * 1024,
        encoding: 'utf8',
        env: options.env ?? process.env,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr, failure: null });
        const err = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
        if (typeof err.code === 'number')
          return resolve({ code: err.code, stdout, stderr, failure: null });
        const failure = err.killed
          ? `${command} took longer than ${timeoutMs} ms`
          : err.code === 'ENOENT'
            ? `${command} was not found`
            : `${command} could not run: ${err.message}`;
        resolve({ code: null, stdout, stderr, failure });
      },
    );
  });
}
