// One long-lived `nvidia-smi --query-gpu=... -lms N` whose output is read line by line; restarted with backoff when it exits.
import { spawn as nodeSpawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Clock, TimerHandle } from '../clock/clock';
import type { GpuSample } from './gpu-sample';
import { createLineSplitter } from './line-splitter';
import {
  NVIDIA_QUERY_FIELDS,
  NVIDIA_REQUIRED_FIELDS,
  sampleFromRow,
  splitCsvLine,
  unknownFieldIn,
} from './nvidia-smi-csv';

/** How to run and restart the stream. */
export interface NvidiaSmiStreamOptions {
  readonly clock: Clock;
  /** `nvidia-smi` (looked up on PATH) or a full path. */
  readonly command?: string;
  /** Arguments placed before the query (e.g. a script path when `command` is an interpreter). */
  readonly commandArgs?: readonly string[];
  /** The fields to query; fields the driver does not know are dropped one by one. */
  readonly fields?: readonly string[];
  /** nvidia-smi's `-lms` loop interval. */
  readonly intervalMs?: number;
  /** First restart delay after an exit; doubles per failed run up to `restartMaxMs`. */
  readonly restartInitialMs?: number;
  readonly restartMaxMs?: number;
  /** GPUs per tick when known (from start-up detection); otherwise learned from the first full cycle. */
  readonly expectedGpuCount?: number;
  /** How long to wait for the rest of a tick's lines before emitting what came. */
  readonly settleMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Injected for tests; defaults to `child_process.spawn`. */
  readonly spawn?: typeof nodeSpawn;
}

/** What the stream is doing now. */
export interface NvidiaSmiStreamState {
  readonly running: boolean;
  readonly pid: number | null;
  /** Processes started so far, the first included. */
  readonly launches: number;
  readonly fields: readonly string[];
  readonly lastError: string | null;
  /** Delay before the next restart, when one is scheduled. */
  readonly restartInMs: number | null;
}

/** Reads `nvidia-smi -lms` output into one callback per tick with every GPU's sample. */
export class NvidiaSmiStream {
  private readonly clock: Clock;
  private readonly command: string;
  private readonly intervalMs: number;
  private readonly restartInitialMs: number;
  private readonly restartMaxMs: number;
  private readonly settleMs: number;
  private fields: string[];
  private expectedCount: number | null;
  private child: ChildProcess | null = null;
  private stopped = true;
  private launches = 0;
  private lastError: string | null = null;
  private nextRestartMs: number;
  private restartTimer: TimerHandle | null = null;
  private restartInMs: number | null = null;
  private settleTimer: TimerHandle | null = null;
  private batch: GpuSample[] = [];
  private onSamples: (samples: readonly GpuSample[]) => void = () => {};
  private exitWaiters: Array<() => void> = [];

  constructor(private readonly options: NvidiaSmiStreamOptions) {
    this.clock = options.clock;
    this.command = options.command ?? 'nvidia-smi';
    this.intervalMs = options.intervalMs ?? 1000;
    this.restartInitialMs = options.restartInitialMs ?? 1000;
    this.restartMaxMs = options.restartMaxMs ?? 60_000;
    this.settleMs = options.settleMs ?? Math.min(100, Math.floor(this.intervalMs / 2));
    this.fields = [...(options.fields ?? NVIDIA_QUERY_FIELDS)];
    this.expectedCount = options.expectedGpuCount ?? null;
    this.nextRestartMs = this.restartInitialMs;
  }

  /** Starts the process; `onSamples` gets every GPU's sample of each tick. */
  start(onSamples: (samples: readonly GpuSample[]) => void): void {
    this.onSamples = onSamples;
    this.stopped = false;
    this.launch();
  }

  /** Stops the process and any pending restart; resolves when the process has gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) this.clock.clearTimeout(this.restartTimer);
    if (this.settleTimer) this.clock.clearTimeout(this.settleTimer);
    this.restartTimer = null;
    this.settleTimer = null;
    this.restartInMs = null;
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(killTimer);
  }

  /** The stream's state, for the probe's status. */
  state(): NvidiaSmiStreamState {
    return {
      running: this.child !== null,
      pid: this.child?.pid ?? null,
      launches: this.launches,
      fields: [...this.fields],
      lastError: this.lastError,
      restartInMs: this.restartInMs,
    };
  }

  /** The arguments of the long-lived query. */
  queryArgs(): string[] {
    return [
      ...(this.options.commandArgs ?? []),
      `--query-gpu=${this.fields.join(',')}`,
      '--format=csv,noheader,nounits',
      '-lms',
      String(this.intervalMs),
    ];
  }

  private launch(): void {
    this.restartTimer = null;
    this.restartInMs = null;
    if (this.stopped) return;
    this.launches++;
    const spawn = this.options.spawn ?? nodeSpawn;
    let output = '';
    let producedSamples = false;
    let ended = false;
    const child = spawn(this.command, this.queryArgs(), {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      env: this.options.env ?? process.env,
    });
    this.child = child;
    const keepOutput = (text: string): void => {
      output = (output + text).slice(-4096);
    };
    const splitter = createLineSplitter((line) => {
      if (this.handleLine(line, keepOutput)) producedSamples = true;
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => splitter.push(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => keepOutput(chunk));
    const end = (why: string): void => {
      if (ended) return;
      ended = true;
      splitter.end();
      this.flush();
      if (this.child === child) this.child = null;
      const waiters = this.exitWaiters;
      this.exitWaiters = [];
      for (const resolve of waiters) resolve();
      if (!this.stopped) this.afterExit(why, output, producedSamples);
    };
    child.on('error', (error) => end(`${this.command} could not run: ${error.message}`));
    child.on('close', (code, signal) =>
      end(
        signal
          ? `${this.command} was killed by ${signal}`
          : `${this.command} exited with code ${code ?? 'unknown'}`,
      ),
    );
  }

  /** Handles one line; true when it was a sample. */
  private handleLine(raw: string, keepOutput: (text: string) => void): boolean {
    const line = raw.trim();
    if (line === '') return false;
    const nameIndex = this.fields.indexOf('name');
    const cells = splitCsvLine(line, this.fields.length, nameIndex === -1 ? undefined : nameIndex);
    if (cells.length !== this.fields.length || unknownFieldIn(line) !== null) {
      keepOutput(`${line}\n`);
      return false;
    }
    const row = new Map(this.fields.map((field, i) => [field, cells[i] ?? '']));
    const index = sampleFromRow(row, 0).index;
    if (this.batch.some((s) => s.index >= index)) {
      // A new cycle began: the last one is complete, and tells how many GPUs a tick has.
      this.expectedCount ??= this.batch.length;
      this.flush();
    }
    this.addToBatch(sampleFromRow(row, this.batch[0]?.at ?? this.clock.now()));
    return true;
  }

  private addToBatch(sample: GpuSample): void {
    this.batch.push(sample);
    if (this.expectedCount !== null && this.batch.length >= this.expectedCount) {
      this.flush();
      return;
    }
    this.settleTimer ??= this.clock.setTimeout(() => {
      this.settleTimer = null;
      this.flush();
    }, this.settleMs);
  }

  private flush(): void {
    if (this.settleTimer) this.clock.clearTimeout(this.settleTimer);
    this.settleTimer = null;
    if (this.batch.length === 0) return;
    const samples = this.batch;
    this.batch = [];
    this.lastError = null;
    this.onSamples(samples);
  }

  private afterExit(why: string, output: string, producedSamples: boolean): void {
    const unknown = unknownFieldIn(output);
    if (
      unknown !== null &&
      this.fields.includes(unknown) &&
      !NVIDIA_REQUIRED_FIELDS.includes(unknown)
    ) {
      // An older driver: ask again without that field, at once (not a failure of the tool).
      this.fields = this.fields.filter((f) => f !== unknown);
      this.lastError = `nvidia-smi does not know the field "${unknown}" (older driver); querying without it`;
      this.scheduleRestart(0);
      return;
    }
    const said = output.trim().split('\n').slice(-3).join(' | ');
    this.lastError =
      unknown !== null
        ? `nvidia-smi does not know the required field "${unknown}": ${said}`
        : `${why}${said ? `: ${said}` : ''}`;
    if (producedSamples) this.nextRestartMs = this.restartInitialMs;
    const delay = this.nextRestartMs;
    this.nextRestartMs = Math.min(this.restartMaxMs, Math.max(1, this.nextRestartMs * 2));
    this.scheduleRestart(delay);
  }

  private scheduleRestart(delayMs: number): void {
    this.restartInMs = delayMs;
    this.restartTimer = this.clock.setTimeout(() => this.launch(), delayMs);
  }
}
