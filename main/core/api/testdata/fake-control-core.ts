// A ControlCore for tests of the API server and the CLI: models in memory whose wakes and sleeps the test finishes.
import type { Clock } from '../../clock/clock';
import { WakeError } from '../../lifecycle/lifecycle-api';
import type { SettingsStore } from '../../settings/settings-store';
import type {
  ApiEvent,
  GpuView,
  HistoryQuery,
  HistoryResponse,
  ModelView,
  StateResponse,
  Via,
} from '../contract';
import type { ControlCore } from '../control-core';
import { describeSleepCause, describeWakeCause } from '../api-events';

interface Pending {
  resolve(): void;
  reject(error: unknown): void;
}

/** A model view with everything but the name at rest values. */
export function restingModel(name: string, overrides: Partial<ModelView> = {}): ModelView {
  return {
    name,
    container: `h5-${name}`,
    models: [name],
    state: 'asleep',
    inFlight: 0,
    pinned: false,
    group: null,
    listenPort: null,
    vramBytes: 8 * 1024 ** 3,
    vramSource: 'declared',
    gpuIndexes: [0],
    lastUsedAt: null,
    sleepAt: null,
    idle: { policy: 'fixed', idleMs: 600_000, reason: 'fixed 10 min' },
    wakeStartedAt: null,
    wakeDetail: null,
    readyAt: null,
    wakeEstimateMs: 4_000,
    failure: null,
    savedJoules: 0,
    savedIsEstimate: false,
    ...overrides,
  };
}

/** What the fake was asked to do, in order. */
export type FakeCall =
  | { readonly kind: 'wake' | 'sleep'; readonly name: string; readonly via: Via }
  | { readonly kind: 'pin'; readonly name: string; readonly pinned: boolean }
  | { readonly kind: 'unload'; readonly server: string; readonly model: string }
  | { readonly kind: 'auto-sleep'; readonly paused: boolean }
  | { readonly kind: 'history' | 'history-csv'; readonly query: HistoryQuery };

/** Options of the fake. */
export interface FakeControlCoreOptions {
  readonly clock: Clock;
  readonly settings: SettingsStore;
  readonly models: readonly ModelView[];
  readonly gpus?: readonly GpuView[];
  /** When set, a wake becomes ready on its own after this many ms (CLI tests); else the test calls `finishWake`. */
  readonly autoReadyMs?: number;
}

/** The fake core. */
export class FakeControlCore implements ControlCore {
  readonly settings: SettingsStore;
  readonly calls: FakeCall[] = [];
  private readonly clock: Clock;
  private readonly models = new Map<string, ModelView>();
  private gpus: GpuView[];
  private paused = false;
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly wakes = new Map<string, { promise: Promise<void>; pending: Pending }>();

  constructor(private readonly options: FakeControlCoreOptions) {
    this.clock = options.clock;
    this.settings = options.settings;
    for (const m of options.models) this.models.set(m.name, m);
    this.gpus = [...(options.gpus ?? [])];
  }

  unload(server: string, model: string): Promise<void> {
    this.calls.push({ kind: 'unload', server, model });
    const serves = this.models.get(server)?.serves ?? [];
    this.set(server, {
      serves: serves.map((m) => (m.name === model ? { ...m, loaded: false, vramBytes: null } : m)),
    });
    return Promise.resolve();
  }

  state(): StateResponse {
    return {
      at: this.clock.now(),
      engine: { reachable: true, detail: null, since: null },
      gpus: this.gpus,
      probe: {
        backend: 'replay',
        gpuCount: this.gpus.length,
        lastError: null,
        lastSampleAt: this.gpus[0]?.at ?? null,
        staleMs: 0,
      },
      models: [...this.models.values()].sort((a, b) => a.name.localeCompare(b.name)),
      autoSleepPaused: this.paused,
      savedTodayJoules: [...this.models.values()].reduce((acc, m) => acc + m.savedJoules, 0),
      gatewayUrl: 'http://127.0.0.1:11400',
    };
  }

  wake(name: string, via: Via): Promise<void> {
    this.calls.push({ kind: 'wake', name, via });
    const model = this.model(name);
    if (model.state === 'ready') return Promise.resolve();
    const running = this.wakes.get(name);
    if (running) return running.promise;
    let pending: Pending = { resolve: () => undefined, reject: () => undefined };
    const promise = new Promise<void>((resolve, reject) => {
      pending = { resolve, reject };
    });
    this.wakes.set(name, { promise, pending });
    const at = this.clock.now();
    this.set(name, { state: 'waking', wakeStartedAt: at, failure: null });
    const wakeCause = { kind: 'user', via } as const;
    this.emit({
      type: 'wake-requested',
      at,
      model: name,
      cause: describeWakeCause(wakeCause),
      wakeCause,
    });
    if (this.options.autoReadyMs !== undefined)
      this.clock.setTimeout(() => this.finishWake(name), this.options.autoReadyMs);
    return promise;
  }

  /** Makes a waking model ready. */
  finishWake(name: string): void {
    const wake = this.wakes.get(name);
    if (!wake) throw new Error(`fake core: ${name} is not waking`);
    this.wakes.delete(name);
    const at = this.clock.now();
    const startedAt = this.model(name).wakeStartedAt ?? at;
    this.set(name, { state: 'ready', readyAt: at, lastUsedAt: at, sleepAt: at + 600_000 });
    this.emit({ type: 'wake-ready', at, model: name, wakeMs: at - startedAt });
    wake.pending.resolve();
  }

  /** Fails a waking model. */
  failWake(name: string, reason: string, logLines: readonly string[] = []): void {
    const wake = this.wakes.get(name);
    if (!wake) throw new Error(`fake core: ${name} is not waking`);
    this.wakes.delete(name);
    const at = this.clock.now();
    const cause = { kind: 'error', detail: reason } as const;
    this.set(name, { state: 'failed', failure: { reason, cause, logLines: [...logLines], at } });
    this.emit({
      type: 'wake-failed',
      at,
      model: name,
      reason,
      failureCause: cause,
      logLines: [...logLines],
    });
    wake.pending.reject(
      new WakeError('failed', `"${name}" failed to wake: ${reason}`, name, logLines),
    );
  }

  sleep(name: string, via: Via): Promise<void> {
    this.calls.push({ kind: 'sleep', name, via });
    const model = this.model(name);
    if (model.state === 'asleep') return Promise.resolve();
    const at = this.clock.now();
    this.set(name, { state: 'asleep', sleepAt: null, inFlight: 0 });
    const sleepCause = { kind: 'user', via } as const;
    this.emit({
      type: 'slept',
      at,
      model: name,
      cause: describeSleepCause(sleepCause),
      sleepCause,
    });
    return Promise.resolve();
  }

  pin(name: string, pinned: boolean): void {
    this.calls.push({ kind: 'pin', name, pinned });
    this.set(name, { pinned });
  }

  setAutoSleepPaused(paused: boolean): void {
    this.calls.push({ kind: 'auto-sleep', paused });
    this.paused = paused;
    this.emit({ type: 'auto-sleep', at: this.clock.now(), paused });
  }

  history(query: HistoryQuery): HistoryResponse {
    this.calls.push({ kind: 'history', query });
    const figures = {
      savedJoules: 7_200_000,
      savedKwh: 2,
      money: 0.6,
      co2Grams: 800,
      wakes: 3,
      failedWakes: 0,
      wakeP50Ms: 4000,
      wakeP95Ms: 9000,
      hoursAwake: 1,
      hoursAsleep: 23,
      estimated: false,
    };
    return {
      from: query.from,
      to: query.to,
      bucket: query.bucket,
      currency: this.settings.get().currency,
      buckets: [
        {
          startAt: query.from,
          endAt: query.to,
          total: figures,
          models: [{ model: query.model ?? 'qwen', ...figures }],
        },
      ],
      totals: figures,
    };
  }

  historyCsv(query: HistoryQuery): string {
    this.calls.push({ kind: 'history-csv', query });
    const day = new Date(query.from);
    const date = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    return `date,model,saved_kwh\n${date},qwen,2\n`;
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Replaces the GPUs and sends a `samples` event. */
  sample(gpus: readonly GpuView[]): void {
    this.gpus = [...gpus];
    this.emit({ type: 'samples', at: this.clock.now(), gpus: this.gpus });
  }

  /** Sends any event. */
  emit(event: ApiEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  /** Listeners subscribed now. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  private model(name: string): ModelView {
    const model = this.models.get(name);
    if (!model) throw new WakeError('unknown-model', `no model named ${name}`, name);
    return model;
  }

  private set(name: string, patch: Partial<ModelView>): void {
    const next = { ...this.model(name), ...patch };
    this.models.set(name, next);
    this.emit({ type: 'model', at: this.clock.now(), model: next });
  }
}
