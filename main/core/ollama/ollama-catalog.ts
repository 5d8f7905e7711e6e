// The models of every Ollama server (a container labelled `siesta.server=ollama`): learned from its `/api/tags` while
// it is awake and kept in the ledger so they are listed while it sleeps; what it has loaded and the VRAM of each from
// `/api/ps`; and unloading one model inside a server (`keep_alive: 0`) to make room without stopping the container.
import type { Clock, TimerHandle } from '../clock/clock';
import type { LifecycleApi } from '../lifecycle/lifecycle-api';
import type { ModelStatus } from '../lifecycle/model-state';
import type { OllamaServerApi } from './ollama-server-client';
import { OllamaServerClient } from './ollama-server-client';
import type { OllamaLoadedModel, OllamaTag, ServerModel } from './ollama-types';
import { isOllamaServer, sameOllamaModel } from './ollama-types';

/** Where the learned models are kept between runs (the ledger). */
export interface OllamaModelStore {
  load(): ReadonlyMap<string, readonly OllamaTag[]>;
  save(server: string, tags: readonly OllamaTag[]): void;
}

/** What the catalog is built from. */
export interface OllamaCatalogOptions {
  readonly lifecycle: Pick<LifecycleApi, 'list' | 'get' | 'onChange'>;
  readonly clock: Clock;
  readonly store: OllamaModelStore;
  /** Default: HTTP to the server's published port. */
  readonly api?: OllamaServerApi;
  /** How often an awake server's `/api/tags` and `/api/ps` are read again. Default 5 s. */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

type ServerState = {
  /** Loaded models from the last `/api/ps` while awake; null when unknown (asleep, or not read yet). */
  loaded: OllamaLoadedModel[] | null;
  ready: boolean;
  refreshing: Promise<void> | null;
  again: boolean;
  /** Last use of each model through the gateway (epoch ms). */
  readonly usedAt: Map<string, number>;
  /** The VRAM each model held when `/api/ps` last listed it (this run). */
  readonly seenVramBytes: Map<string, number>;
};

/** See the file comment. `start()` after the lifecycle has its models; `stop()` at shutdown. */
export class OllamaCatalog {
  private readonly api: OllamaServerApi;
  private readonly pollMs: number;
  private readonly log: (line: string) => void;
  private readonly tags = new Map<string, readonly OllamaTag[]>();
  private readonly states = new Map<string, ServerState>();
  private readonly listeners = new Set<() => void>();
  private serverVersion: string | null = null;
  private timer: TimerHandle | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: OllamaCatalogOptions) {
    this.api = options.api ?? new OllamaServerClient();
    this.pollMs = options.pollMs ?? 5_000;
    this.log = options.log ?? (() => undefined);
  }

  /** Loads the models kept from earlier runs, reads every awake server, and follows the lifecycle. */
  start(): void {
    for (const [server, tags] of this.options.store.load()) this.tags.set(server, tags);
    this.unsubscribe = this.options.lifecycle.onChange((status) => this.onStatus(status));
    for (const status of this.options.lifecycle.list()) this.onStatus(status);
    this.schedulePoll();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Told on every change of a server's models or loaded models. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The registered Ollama servers, in name order. */
  servers(): ModelStatus[] {
    return this.options.lifecycle.list().filter(isOllamaServer);
  }

  /** The models of one server as last learned (empty when it was never seen awake). */
  modelsOf(server: string): readonly OllamaTag[] {
    return this.tags.get(server) ?? [];
  }

  /** Every model of every registered server, server by server. */
  models(): ServerModel[] {
    return this.servers().flatMap((s) =>
      this.modelsOf(s.spec.name).map((tag) => ({ server: s.spec.name, tag })),
    );
  }

  /** The server that has the model a client asked for (`llama3.2` finds `llama3.2:latest`), awake servers first. */
  serverFor(asked: string): ServerModel | undefined {
    const all = this.models();
    const ready = (m: ServerModel): boolean =>
      this.options.lifecycle.get(m.server)?.state === 'ready';
    const exact = all.filter((m) => m.tag.name === asked);
    const matches =
      exact.length > 0 ? exact : all.filter((m) => sameOllamaModel(asked, m.tag.name));
    return matches.find(ready) ?? matches[0];
  }

  /** What an awake server has loaded (from its last `/api/ps`); empty when asleep or unknown. */
  loaded(server: string): readonly OllamaLoadedModel[] {
    return this.states.get(server)?.loaded ?? [];
  }

  /** The VRAM an awake server's loaded models hold by its `/api/ps`, or null when unknown (asleep, not read yet). */
  loadedVramBytes(server: string): number | null {
    const loaded = this.states.get(server)?.loaded;
    if (loaded === null || loaded === undefined) return null;
    return loaded.reduce((sum, m) => sum + m.size_vram, 0);
  }

  /**
   * What a sleeping server needs to wake, or null when unknown: a wake loads one model, so the largest of its models
   * (the VRAM `/api/ps` showed for it this run, else its size on disk). The sum of what it last held would make a wake
   * for one small model put others to sleep for nothing.
   */
  wakeVramBytes(server: string): number | null {
    const seen = this.states.get(server)?.seenVramBytes;
    const sizes = this.modelsOf(server).map((t) => seen?.get(t.name) ?? t.size);
    const largest = Math.max(0, ...sizes);
    return largest > 0 ? largest : null;
  }

  /** When the gateway last forwarded a request for this model of this server, or null. */
  lastUsedAt(server: string, model: string): number | null {
    return this.states.get(server)?.usedAt.get(model) ?? null;
  }

  /** The gateway forwarded a request for `model` and it ended: remember when, and read what the server has loaded now. */
  noteUse(server: string, model: string): void {
    const state = this.stateOf(server);
    state.usedAt.set(model, this.options.clock.now());
    if (state.ready) void this.refresh(server);
  }

  /** The version an Ollama server reported last, or null before any was seen awake. */
  version(): string | null {
    return this.serverVersion;
  }

  /** Unloads one model inside an awake server and waits until its `/api/ps` no longer lists it (at most ~5 s). */
  async unload(server: string, model: string): Promise<void> {
    const status = this.options.lifecycle.get(server);
    if (status?.upstream === null || status?.upstream === undefined)
      throw new Error(`the Ollama server "${server}" is not awake`);
    await this.api.unload(status.upstream, model);
    const deadline = this.options.clock.now() + 5_000;
    for (;;) {
      await this.refresh(server);
      if (
        !this.loaded(server).some((m) => m.name === model) ||
        this.options.clock.now() >= deadline
      )
        return;
      await this.options.clock.sleep(100);
    }
  }

  /** Reads an awake server's models and loaded models now (one read at a time per server; a call meanwhile reads again after). */
  refresh(server: string): Promise<void> {
    const state = this.stateOf(server);
    if (state.refreshing !== null) {
      state.again = true;
      return state.refreshing;
    }
    const run = async (): Promise<void> => {
      do {
        state.again = false;
        await this.read(server, state);
      } while (state.again);
    };
    state.refreshing = run().finally(() => {
      state.refreshing = null;
    });
    return state.refreshing;
  }

  private async read(server: string, state: ServerState): Promise<void> {
    const upstream = this.options.lifecycle.get(server)?.upstream;
    if (upstream === null || upstream === undefined) return;
    try {
      const [tags, loaded, version] = await Promise.all([
        this.api.tags(upstream),
        this.api.loaded(upstream),
        this.serverVersion === null
          ? this.api.version(upstream)
          : Promise.resolve(this.serverVersion),
      ]);
      if (!state.ready) return;
      this.serverVersion = version ?? this.serverVersion;
      const tagsChanged = JSON.stringify(tags) !== JSON.stringify(this.tags.get(server) ?? null);
      const loadedChanged = JSON.stringify(loaded) !== JSON.stringify(state.loaded);
      if (tagsChanged) {
        this.tags.set(server, tags);
        this.options.store.save(server, tags);
      }
      state.loaded = loaded;
      for (const m of loaded) if (m.size_vram > 0) state.seenVramBytes.set(m.name, m.size_vram);
      if (tagsChanged || loadedChanged) this.changed();
    } catch (error: unknown) {
      this.log(
        `ollama: reading the models of "${server}" failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private stateOf(server: string): ServerState {
    let state = this.states.get(server);
    if (state === undefined) {
      state = {
        loaded: null,
        ready: false,
        refreshing: null,
        again: false,
        usedAt: new Map(),
        seenVramBytes: new Map(),
      };
      this.states.set(server, state);
    }
    return state;
  }

  private onStatus(status: ModelStatus): void {
    if (!isOllamaServer(status)) return;
    const state = this.stateOf(status.spec.name);
    const ready = status.state === 'ready';
    if (ready === state.ready) return;
    state.ready = ready;
    if (ready) {
      void this.refresh(status.spec.name);
      return;
    }
    // Asleep (or failing): it holds nothing now; its models stay listed.
    if (state.loaded !== null) {
      state.loaded = null;
      this.changed();
    }
  }

  private schedulePoll(): void {
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      const reads = [...this.states]
        .filter(([, s]) => s.ready)
        .map(([server]) => this.refresh(server));
      void Promise.all(reads).finally(() => {
        if (this.unsubscribe !== null) this.schedulePoll();
      });
    }, this.pollMs);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error: unknown) {
        this.log(
          `ollama: a listener threw: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
