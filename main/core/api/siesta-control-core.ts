// The ControlCore the control API serves: the lifecycle, the ledger, the settings and the GPU probe behind one face.
import type { Clock, TimerHandle } from '../clock/clock';
import type { GpuSample, ProbeStatus } from '../gpu/gpu-sample';
import type { Ledger, ModelStats, SavedTotals } from '../ledger/ledger';
import type { Lifecycle } from '../lifecycle/lifecycle';
import type { ModelStatus } from '../lifecycle/model-state';
import type { OllamaCatalog } from '../ollama/ollama-catalog';
import { servedModelsOf } from './served-models';
import type { SettingsStore } from '../settings/settings-store';
import { apiEventOfLifecycle, gpuViewOf, samplesEventOf } from './api-events';
import type {
  ApiEvent,
  EngineView,
  HistoryQuery,
  NamedEngineView,
  HistoryResponse,
  ModelView,
  StateResponse,
  Via,
} from './contract';
import type { ControlCore } from './control-core';
import { historyResponseFromLedger } from './history-from-ledger';
import type { CostsResponse } from './costs-contract';
import { costsReport } from './costs-report';
import type { DozeMeasureView } from './model-view';
import { modelViewOf } from './model-view';

/** What the control core reads and steers. */
export interface SiestaControlCoreOptions {
  readonly clock: Clock;
  readonly lifecycle: Lifecycle;
  readonly ledger: Ledger;
  readonly settings: SettingsStore;
  /** The GPU probe's status (backend, last error, last sample time). */
  readonly probeStatus: () => ProbeStatus;
  /** The gateway's main URL, shown on the dashboard. */
  readonly gatewayUrl: () => string;
  /** Whether the Docker Engine answers (the composition root follows it; `publishState` tells the clients). */
  readonly engine: () => EngineView;
  /** Every engine when siesta.yaml names several (`engines:`), first the one whose containers need no ENGINE/ prefix. */
  readonly engines?: () => readonly NamedEngineView[];
  /** The Ollama servers' models, shown under each server. Default: none. */
  readonly ollama?: Pick<
    OllamaCatalog,
    'modelsOf' | 'loaded' | 'lastUsedAt' | 'onChange' | 'servers' | 'unload'
  >;
  /** What each model's last doze measured (issue 15). Default: nothing measured. */
  readonly doze?: { measureOf(model: string): DozeMeasureView | null };
}

function localMidnight(at: number): number {
  const day = new Date(at);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** The most often one model's `model` event goes out (its latest state is never held back longer). */
export const MODEL_EVENT_INTERVAL_MS = 250;
/** How old a model's ledger figures in its view may be between its lifecycle events (a sleeping model's savings grow). */
export const STATS_MAX_AGE_MS = 5_000;

/**
 * Implements ControlCore over the running parts. The composition root feeds it GPU samples
 * (`publishSamples`) and background failures (`publishError`); lifecycle changes and events it
 * follows itself until `close()`.
 */
export class SiestaControlCore implements ControlCore {
  readonly settings: SettingsStore;
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly unsubscribe: Array<() => void> = [];
  private latestSamples: readonly GpuSample[] = [];
  /** Per model: its ledger figures and when they were read (they move with lifecycle events and slowly with time). */
  private readonly statsCache = new Map<
    string,
    { readonly at: number; readonly stats: ModelStats }
  >();
  /** Per model: when its last `model` event went out, and the timer of the one that will carry later changes. */
  private readonly modelEmits = new Map<string, { lastAt: number; timer: TimerHandle | null }>();

  constructor(private readonly options: SiestaControlCoreOptions) {
    this.settings = options.settings;
    const { lifecycle } = options;
    this.unsubscribe.push(
      lifecycle.onChange((status) => this.modelChanged(status.spec.name)),
      lifecycle.onEvent((event) => {
        // The ledger has recorded the event (it subscribed first): the model's figures may have moved.
        this.statsCache.delete(event.model);
        const apiEvent = apiEventOfLifecycle(event);
        if (apiEvent?.type === 'wake-requested') this.emit(this.withExpectedWake(apiEvent));
        else if (apiEvent) this.emit(apiEvent);
      }),
    );
    const ollama = options.ollama;
    if (ollama !== undefined)
      this.unsubscribe.push(
        ollama.onChange(() => ollama.servers().forEach((s) => this.modelChanged(s.spec.name))),
      );
  }

  /** The latest sample of every GPU, sent to every subscriber. */
  publishSamples(samples: readonly GpuSample[]): void {
    this.latestSamples = samples;
    this.emit(samplesEventOf(samples, this.options.clock.now()));
  }

  /** The whole state, to every subscriber, after a change that has no event of its own (the engine came or went). */
  publishState(): void {
    this.emit({ type: 'snapshot', at: this.options.clock.now(), state: this.state() });
  }

  /** A failure that reached no caller (a GPU probe that broke, a ledger write that failed). */
  publishError(source: string, message: string): void {
    this.emit({ type: 'error', at: this.options.clock.now(), source, message });
  }

  state(): StateResponse {
    const now = this.options.clock.now();
    const probe = this.options.probeStatus();
    return {
      at: now,
      engine: this.options.engine(),
      ...(this.options.engines ? { engines: [...this.options.engines()] } : {}),
      gpus: this.latestSamples.map(gpuViewOf),
      probe: {
        backend: probe.backend,
        gpuCount: probe.gpuCount,
        lastError: probe.lastError,
        lastSampleAt: probe.lastSampleAt,
        staleMs: probe.lastSampleAt === null ? null : Math.max(0, now - probe.lastSampleAt),
      },
      models: this.options.lifecycle.list().map((status) => this.view(status)),
      autoSleepPaused: this.options.lifecycle.autoSleepPaused(),
      ...savedTodayOf(this.options.ledger.savedSince(localMidnight(now))),
      gatewayUrl: this.options.gatewayUrl(),
    };
  }

  wake(name: string, via: Via): Promise<void> {
    return this.options.lifecycle.wake(name, { kind: 'user', via });
  }

  sleep(name: string, via: Via): Promise<void> {
    return this.options.lifecycle.sleep(name, { kind: 'user', via });
  }

  unload(server: string, model: string): Promise<void> {
    const ollama = this.options.ollama;
    if (ollama === undefined)
      return Promise.reject(new Error('Siesta runs without its Ollama catalog'));
    return ollama.unload(server, model);
  }

  pin(name: string, pinned: boolean): void {
    this.options.lifecycle.setPinned(name, pinned);
  }

  setAutoSleepPaused(paused: boolean): void {
    this.options.lifecycle.setAutoSleepPaused(paused);
    this.emit({ type: 'auto-sleep', at: this.options.clock.now(), paused });
  }

  history(query: HistoryQuery): HistoryResponse {
    return historyResponseFromLedger(this.options.ledger, query);
  }

  costs(): CostsResponse {
    return costsReport(this.options.ledger, this.options.settings.get(), this.options.clock.now());
  }

  historyCsv(query: HistoryQuery): string {
    return this.options.ledger.dailyCsv(query.from, query.to);
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops following the lifecycle. */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.listeners.clear();
    for (const slot of this.modelEmits.values())
      if (slot.timer !== null) this.options.clock.clearTimeout(slot.timer);
    this.modelEmits.clear();
  }

  /**
   * A model changed. A busy model changes with every request it opens and closes: so nothing is built while nobody
   * listens (the API server listens while it runs, for its metrics and event stream), and each model's events go out
   * at most every `MODEL_EVENT_INTERVAL_MS`, the first at once and the last carrying its latest state.
   */
  private modelChanged(name: string): void {
    if (this.listeners.size === 0) return;
    const { clock } = this.options;
    let slot = this.modelEmits.get(name);
    if (slot === undefined) {
      slot = { lastAt: -Infinity, timer: null };
      this.modelEmits.set(name, slot);
    }
    if (slot.timer !== null) return;
    const waitMs = slot.lastAt + MODEL_EVENT_INTERVAL_MS - clock.now();
    if (waitMs <= 0) {
      this.emitModel(name, slot);
      return;
    }
    const due = slot;
    due.timer = clock.setTimeout(() => {
      due.timer = null;
      this.emitModel(name, due);
    }, waitMs);
  }

  private emitModel(name: string, slot: { lastAt: number }): void {
    const now = this.options.clock.now();
    slot.lastAt = now;
    const status = this.options.lifecycle.get(name);
    if (status !== undefined) this.emit({ type: 'model', at: now, model: this.view(status) });
  }

  private view(status: ModelStatus): ModelView {
    const name = status.spec.name;
    const decision = this.options.lifecycle.idleDecision(name) ?? {
      idleMs: status.spec.idleMs,
      reason: 'from its spec',
    };
    const ollama = this.options.ollama;
    const serves =
      ollama !== undefined && status.spec.server === 'ollama'
        ? servedModelsOf(ollama, name)
        : undefined;
    const view = modelViewOf(
      status,
      this.statsOf(name),
      decision,
      serves,
      this.options.doze?.measureOf(name) ?? null,
    );
    const engines = this.options.engines?.();
    if (!engines || engines.length === 0) return view;
    // ENGINE/container names a container of another engine than the first.
    const slash = status.spec.container.indexOf('/');
    return {
      ...view,
      engine: slash > 0 ? status.spec.container.slice(0, slash) : (engines[0]?.name ?? ''),
    };
  }

  /** A wake's event with how long a wake from its level usually takes (a doze wake's, or a start's). */
  private withExpectedWake(
    event: Extract<ApiEvent, { type: 'wake-requested' }>,
  ): Extract<ApiEvent, { type: 'wake-requested' }> {
    const expectedMs =
      event.from === 'dozed'
        ? (this.options.doze?.measureOf(event.model)?.wakeEstimateMs ?? null)
        : this.statsOf(event.model).wakeP50Ms;
    return { ...event, expectedMs };
  }

  /** The ledger's figures of a model, read again after its lifecycle events and at most every `STATS_MAX_AGE_MS`. */
  private statsOf(name: string): ModelStats {
    const now = this.options.clock.now();
    const cached = this.statsCache.get(name);
    if (cached !== undefined && now - cached.at < STATS_MAX_AGE_MS) return cached.stats;
    const stats = this.options.ledger.modelStats(name);
    this.statsCache.set(name, { at: now, stats });
    return stats;
  }

  private emit(event: ApiEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // One broken SSE connection must not stop the others; the hub drops it on its own.
      }
    }
  }
}

/** Today's saving (and the part dozes saved) and energy used, with their uncertainties, as the state response carries them. */
function savedTodayOf(today: SavedTotals): {
  savedTodayJoules: number;
  savedTodayUncertaintyJoules: number;
  savedTodayDozeJoules: number;
  usedTodayJoules: number;
  usedTodayUncertaintyJoules: number;
} {
  return {
    savedTodayJoules: today.savedJoules,
    savedTodayUncertaintyJoules: today.savedUncertaintyJoules,
    savedTodayDozeJoules: today.dozeSavedJoules,
    usedTodayJoules: today.usedJoules,
    usedTodayUncertaintyJoules: today.usedUncertaintyJoules,
  };
}
