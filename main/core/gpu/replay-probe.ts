// A probe that plays scripted or captured GPU readings on an injected Clock, for end-to-end, ledger and scheduler tests.
import type { Clock, TimerHandle } from '../clock/clock';
import type { GpuProbe, GpuProcess, GpuSample, ProbeStatus } from './gpu-sample';

/** A GPU reading without its time: `index` is required, every other field has a default. */
export type GpuReading = Partial<Omit<GpuSample, 'at'>> & { readonly index: number };

/** From `atOffsetMs` after `start()`, the probe reports `gpus` (until the next frame). */
export interface ReplayFrame {
  readonly atOffsetMs: number;
  readonly gpus: readonly GpuReading[];
}

/** What the probe reports at `at` (epoch ms); `tick` counts from 0. */
export type ReplayScript = (at: number, tick: number) => readonly GpuReading[];

/** Give one of `gpus`, `frames` or `script`. */
export interface ReplayProbeOptions {
  readonly clock: Clock;
  /** Default 1000. */
  readonly intervalMs?: number;
  /** The same GPUs every tick (change them with the setters). */
  readonly gpus?: readonly GpuReading[];
  /** Timed frames, in any order; before the first frame's offset the first frame is reported. */
  readonly frames?: readonly ReplayFrame[];
  /** With frames: start again from the first after the last frame plus one interval. */
  readonly loop?: boolean;
  /** A function of time. */
  readonly script?: ReplayScript;
  readonly processes?: readonly GpuProcess[];
}

/** A full sample from a reading; unspecified fields are null, `uuid` and `name` are made up from the index. */
export function gpuSample(reading: GpuReading, at: number): GpuSample {
  return {
    uuid: `GPU-replay-${reading.index}`,
    name: `Replay GPU ${reading.index}`,
    vendor: 'nvidia',
    vramUsedBytes: null,
    vramTotalBytes: null,
    powerWatts: null,
    powerKind: null,
    energyJoules: null,
    powerLimitWatts: null,
    pstate: null,
    utilizationPercent: null,
    temperatureC: null,
    ...reading,
    // After the spread: a reading taken from a parsed capture carries its own `at`.
    at,
  };
}

/**
 * Plays readings on `clock`: `start()` reports the first tick at once, then one every `intervalMs`.
 * Values set through `set`, `setVramUsedBytes` or `setPowerWatts` override the script for that GPU
 * until `clearOverrides()`; `fail(message)` stops the ticks (as a broken backend would) until `recover()`.
 */
export class ReplayProbe implements GpuProbe {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly frames: readonly ReplayFrame[];
  private readonly overrides = new Map<number, Partial<Omit<GpuSample, 'at' | 'index'>>>();
  private processList: readonly GpuProcess[];
  private onSamples: ((samples: readonly GpuSample[]) => void) | null = null;
  private timer: TimerHandle | null = null;
  private startedAt: number | null = null;
  private tickCount = 0;
  private failure: string | null = null;
  private lastSampleAt: number | null = null;
  private lastCount = 0;

  constructor(private readonly options: ReplayProbeOptions) {
    this.clock = options.clock;
    this.intervalMs = options.intervalMs ?? 1000;
    this.frames = [...(options.frames ?? [])].sort((a, b) => a.atOffsetMs - b.atOffsetMs);
    this.processList = options.processes ?? [];
    const given = [options.gpus, options.frames, options.script].filter(
      (x) => x !== undefined,
    ).length;
    if (given !== 1)
      throw new Error(`ReplayProbe needs exactly one of gpus, frames or script (got ${given})`);
  }

  start(onSamples: (samples: readonly GpuSample[]) => void): Promise<void> {
    this.onSamples = onSamples;
    this.startedAt = this.clock.now();
    this.tickCount = 0;
    this.tick();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.onSamples = null;
    return Promise.resolve();
  }

  /** One reading of the script now, off the tick schedule (what a live backend's `readNow` does). */
  readNow(): Promise<void> {
    if (this.failure === null) this.deliver(this.current());
    return Promise.resolve();
  }

  status(): ProbeStatus {
    return {
      backend: 'replay',
      gpuCount: this.lastCount,
      lastError: this.failure,
      lastSampleAt: this.lastSampleAt,
    };
  }

  processes(): Promise<readonly GpuProcess[]> {
    if (this.failure !== null) return Promise.reject(new Error(this.failure));
    return Promise.resolve(this.processList);
  }

  /** What the probe would report now, with overrides applied (does not emit). */
  current(): GpuSample[] {
    const at = this.clock.now();
    return this.readings(at).map((reading) =>
      gpuSample({ ...reading, ...this.overrides.get(reading.index) }, at),
    );
  }

  /** Emits a tick now, out of schedule (the regular ticks go on); returns what was emitted. */
  emitNow(): readonly GpuSample[] {
    const samples = this.current();
    this.deliver(samples);
    return samples;
  }

  /** Overrides fields of one GPU from now on. */
  set(gpuIndex: number, patch: Partial<Omit<GpuSample, 'at' | 'index'>>): void {
    this.overrides.set(gpuIndex, { ...this.overrides.get(gpuIndex), ...patch });
  }

  /** Overrides one GPU's used VRAM from now on. */
  setVramUsedBytes(gpuIndex: number, bytes: number | null): void {
    this.set(gpuIndex, { vramUsedBytes: bytes });
  }

  /** Overrides one GPU's power from now on (`powerKind` becomes `average` unless set otherwise). */
  setPowerWatts(gpuIndex: number, watts: number | null): void {
    this.set(gpuIndex, {
      powerWatts: watts,
      powerKind: this.overrides.get(gpuIndex)?.powerKind ?? (watts === null ? null : 'average'),
    });
  }

  /** Drops every override: the script's values come back. */
  clearOverrides(): void {
    this.overrides.clear();
  }

  /** Replaces the process list `processes()` returns. */
  setProcesses(processes: readonly GpuProcess[]): void {
    this.processList = processes;
  }

  /** Acts as a broken backend: no samples, `status().lastError` is `message`, `processes()` rejects. */
  fail(message: string): void {
    this.failure = message;
  }

  /** Ends `fail()`: samples flow again from the next tick. */
  recover(): void {
    this.failure = null;
  }

  private readings(at: number): readonly GpuReading[] {
    if (this.options.gpus) return this.options.gpus;
    if (this.options.script) return this.options.script(at, this.tickCount);
    const first = this.frames[0];
    if (!first) return [];
    let offset = at - (this.startedAt ?? at);
    const last = this.frames[this.frames.length - 1] ?? first;
    if (this.options.loop) offset %= last.atOffsetMs + this.intervalMs;
    let frame = first;
    for (const f of this.frames) if (f.atOffsetMs <= offset) frame = f;
    return frame.gpus;
  }

  private tick(): void {
    this.timer = null;
    if (!this.onSamples) return;
    if (this.failure === null) this.deliver(this.current());
    this.tickCount++;
    this.timer = this.clock.setTimeout(() => this.tick(), this.intervalMs);
  }

  private deliver(samples: readonly GpuSample[]): void {
    if (!this.onSamples || this.failure !== null) return;
    this.lastSampleAt = this.clock.now();
    this.lastCount = samples.length;
    this.onSamples(samples);
  }
}
