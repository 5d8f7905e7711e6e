// A LifecycleApi for the gateway's unit tests: models whose wakes the test finishes (or that finish at once), served by
// real local HTTP upstreams, with every acquire, wake and release recorded.
import type { ModelSpec } from '../../config/model-spec';
import type { AcquireOptions, LifecycleApi } from '../../lifecycle/lifecycle-api';
import { WakeError } from '../../lifecycle/lifecycle-api';
import type {
  Lease,
  LifecycleEvent,
  ModelStatus,
  Upstream,
  WakeCause,
} from '../../lifecycle/model-state';
import type { UpstreamServer } from './upstream-server';
import { startUpstream } from './upstream-server';
import { specForTest } from '../../config/testdata/spec-for-test';
import { statusForTest } from '../../lifecycle/testdata/status-for-test';

/** One fake model. */
export interface FakeModelOptions {
  readonly name: string;
  readonly models?: readonly string[];
  readonly listenPort?: number | null;
  /** 'auto': a wake finishes as soon as the upstream listens; 'manual': the test calls `finishWake` or `failWake`. */
  readonly wake?: 'auto' | 'manual';
  /** Serve from this port instead of a fresh upstream (a port where nothing listens, for 502 tests). */
  readonly upstreamPort?: number;
  /** The spec's idle time (default: the test spec's). */
  readonly idleMs?: number;
  /** `ollama`: the model is an Ollama server (siesta.server). */
  readonly server?: 'ollama';
}

/** A recorded lease and how often it was released. */
export interface FakeLease {
  readonly model: string;
  readonly cause: WakeCause;
  releases: number;
}

/** A model spec with the defaults. */
export function fakeSpec(name: string, overrides: Partial<ModelSpec> = {}): ModelSpec {
  const container = `h2-${name}`;
  return specForTest(name, { container, source: { kind: 'label', container }, ...overrides });
}

interface Pending {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function pending(): Pending {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** The fake. `close()` stops its upstreams. */
export class FakeLifecycle implements LifecycleApi {
  readonly acquires: Array<{ readonly model: string; readonly cause: WakeCause }> = [];
  readonly wakes: Array<{ readonly model: string; readonly cause: WakeCause }> = [];
  readonly leases: FakeLease[] = [];
  readonly upstreams = new Map<string, UpstreamServer>();
  private readonly statuses = new Map<string, ModelStatus>();
  private readonly options = new Map<string, FakeModelOptions>();
  private readonly running = new Map<string, Pending>();
  private readonly changeListeners = new Set<(status: ModelStatus) => void>();
  private readonly eventListeners = new Set<(event: LifecycleEvent) => void>();

  constructor(models: readonly FakeModelOptions[]) {
    for (const m of models) this.add(m);
  }

  /** Registers a model (asleep). */
  add(m: FakeModelOptions): void {
    this.options.set(m.name, m);
    this.statuses.set(
      m.name,
      statusForTest(
        fakeSpec(m.name, {
          models: m.models ?? [m.name],
          listenPort: m.listenPort ?? null,
          ...(m.server ? { server: m.server } : {}),
          ...(m.idleMs === undefined ? {} : { idleMs: m.idleMs }),
        }),
      ),
    );
  }

  list(): readonly ModelStatus[] {
    return [...this.statuses.values()].sort((a, b) => a.spec.name.localeCompare(b.spec.name));
  }

  get(name: string): ModelStatus | undefined {
    return this.statuses.get(name);
  }

  async acquire(name: string, options: AcquireOptions): Promise<Lease> {
    this.acquires.push({ model: name, cause: options.cause });
    const signal = options.signal;
    for (;;) {
      const status = this.statuses.get(name);
      if (status === undefined)
        throw new WakeError('unknown-model', `no model named ${name}`, name);
      if (signal?.aborted) throw new WakeError('aborted', 'the client went away', name);
      if (status.state === 'ready' && status.upstream !== null)
        return this.lease(name, status.upstream, options.cause);
      const wake = this.startWake(name, options.cause);
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(new WakeError('aborted', 'the client went away', name));
        signal?.addEventListener('abort', onAbort, { once: true });
        wake.promise
          .then(resolve, reject)
          .finally(() => signal?.removeEventListener('abort', onAbort));
      });
    }
  }

  wake(name: string, cause: WakeCause): Promise<void> {
    this.wakes.push({ model: name, cause });
    const status = this.statuses.get(name);
    if (status === undefined)
      return Promise.reject(new WakeError('unknown-model', `no model named ${name}`, name));
    if (status.state === 'ready') return Promise.resolve();
    return this.startWake(name, cause).promise;
  }

  /** Finishes a manual wake: starts the upstream, then the model is ready. */
  async finishWake(name: string): Promise<void> {
    const wake = this.running.get(name);
    if (wake === undefined) throw new Error(`${name} is not waking`);
    await this.becomeReady(name);
    this.running.delete(name);
    wake.resolve();
  }

  /** Fails a manual wake with `error`. */
  failWake(name: string, error: WakeError): void {
    const wake = this.running.get(name);
    if (wake === undefined) throw new Error(`${name} is not waking`);
    this.running.delete(name);
    this.update(name, {
      state: 'failed',
      failure: {
        reason: error.message,
        cause: { kind: 'error', detail: error.message },
        logLines: error.logLines,
        at: Date.now(),
      },
    });
    wake.reject(error);
  }

  /** Makes a model ready now. */
  async setReady(name: string): Promise<void> {
    await this.becomeReady(name);
  }

  /** Whether a wake of `name` is running. */
  isWaking(name: string): boolean {
    return this.running.has(name);
  }

  sleep(name: string): Promise<void> {
    this.update(name, { state: 'asleep', upstream: null, readyAt: null });
    return Promise.resolve();
  }

  /** A doze as the gateway sees it: the model is `dozed` (not ready) until a request wakes it. */
  doze(name: string): Promise<void> {
    this.update(name, { state: 'dozed' });
    return Promise.resolve();
  }

  setPinned(name: string, pinned: boolean): void {
    this.update(name, { pinned });
  }

  setAutoSleepPaused(): void {}

  autoSleepPaused(): boolean {
    return false;
  }

  onChange(listener: (status: ModelStatus) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onEvent(listener: (event: LifecycleEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Leases of `model` not yet released. */
  open(model: string): number {
    return this.statuses.get(model)?.inFlight ?? 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.upstreams.values()].map((u) => u.close()));
    this.upstreams.clear();
  }

  private startWake(name: string, cause: WakeCause): Pending {
    const existing = this.running.get(name);
    if (existing) return existing;
    const wake = pending();
    this.running.set(name, wake);
    this.update(name, { state: 'waking', wakeStartedAt: Date.now(), failure: null });
    for (const l of this.eventListeners)
      l({ kind: 'wake-requested', at: Date.now(), model: name, cause });
    if ((this.options.get(name)?.wake ?? 'auto') === 'auto')
      void this.becomeReady(name).then(
        () => {
          this.running.delete(name);
          wake.resolve();
        },
        (error: unknown) => {
          this.running.delete(name);
          wake.reject(error);
        },
      );
    return wake;
  }

  private async becomeReady(name: string): Promise<void> {
    const options = this.options.get(name);
    let port = options?.upstreamPort;
    if (port === undefined) {
      let server = this.upstreams.get(name);
      if (server === undefined) {
        server = await startUpstream(name);
        this.upstreams.set(name, server);
      }
      port = server.port;
    }
    this.update(name, {
      state: 'ready',
      upstream: { host: '127.0.0.1', port },
      readyAt: Date.now(),
    });
  }

  private lease(name: string, upstream: Upstream, cause: WakeCause): Lease {
    const record: FakeLease = { model: name, cause, releases: 0 };
    this.leases.push(record);
    const current = this.statuses.get(name);
    if (current) this.update(name, { inFlight: current.inFlight + 1 });
    return {
      model: name,
      upstream,
      release: () => {
        record.releases++;
        const now = this.statuses.get(name);
        if (now) this.update(name, { inFlight: now.inFlight - 1, lastUsedAt: Date.now() });
      },
    };
  }

  private update(name: string, patch: Partial<ModelStatus>): void {
    const current = this.statuses.get(name);
    if (!current) throw new Error(`no model ${name}`);
    const next = { ...current, ...patch };
    this.statuses.set(name, next);
    for (const l of this.changeListeners) l(next);
  }
}
