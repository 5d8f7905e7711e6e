// The state machine of every model: one wake at a time, readiness polling, uses, idle timers, sleeping,
// and following containers that are started or stopped by hand (DESIGN.md, "Model states").
import type { Clock } from '../clock/clock';
import { formatDuration } from '../config/duration';
import type { ModelSpec } from '../config/model-spec';
import { isEngineUnreachable, type ContainerInfo, type ContainerRuntime, type RuntimeEvent } from '../docker/container-runtime';
import { hostPortFor } from '../docker/host-port';
import type { AcquireOptions, IdlePolicy, LifecycleApi, WakeAdmission, WakeErrorCode } from './lifecycle-api';
import { WakeError } from './lifecycle-api';
import { ModelEntry, type IdleDecisionView, type SleepRequest, type Waiter, type WakeRun } from './model-entry';
import type { Lease, LifecycleEvent, ModelStatus, SleepCause, Upstream, WakeCause } from './model-state';
import { assertNever } from '../shared/assert-never';
import { pollDelayMs } from './poll-delay';
import { effectiveHealth, NetworkReadiness, type ReadinessChecker } from './readiness-checker';

/** What a `Lifecycle` is built from. */
export interface LifecycleOptions {
  readonly clock: Clock;
  readonly runtime: ContainerRuntime;
  /** One readiness attempt; default `NetworkReadiness` (Docker health, HTTP GET, TCP connect). */
  readonly readiness?: ReadinessChecker;
  /** Runs before a container is started (VRAM scheduling, groups). */
  readonly admission?: WakeAdmission;
  /** Chooses the idle time each time an idle timer starts; default the spec's `idleMs`. */
  readonly idlePolicy?: IdlePolicy;
  /** How long `docker stop` waits before killing. Default 10 s. */
  readonly stopGraceMs?: number;
  /** Log lines kept with a failure. Default 30. */
  readonly failureLogLines?: number;
  /** Where problems that reach no caller go (an idle sleep that failed, a broken listener). Default console.warn. */
  readonly log?: (message: string) => void;
}

/** How long after a `kill` event a `die` still counts as a stop by hand rather than a crash. */
const KILL_WINDOW_MS = 60_000;
/** While the engine is away, a wake asks again after 250 ms, doubling to 2 s (the reconnect cuts it short). */
const ENGINE_RETRY_FIRST_MS = 250;
const ENGINE_RETRY_MAX_MS = 2_000;

/**
 * The lifecycle of every model.
 *
 * Choices worth knowing:
 * - `sleep` on a model with open uses does not cut them: the status shows `sleepRequested`, new uses
 *   are still served, and the model goes to sleep the moment the last use ends; the promise resolves then.
 * - `sleep` on a waking model cancels the wake (its waiters reject with `WakeError('stopping')`) and
 *   stops the container.
 * - A wake that times out stops the container it started (a stuck model would otherwise hold VRAM)
 *   and leaves the model `failed`; a container started by hand is never stopped for that.
 * - A container that dies while `ready` is `asleep` (cause external) when the engine reported a `kill`
 *   first (docker stop/kill by hand), and `failed` (exit code and last log lines) otherwise.
 * - Idle 0, pinned, or auto-sleep paused: no idle timer. Resuming auto-sleep starts fresh idle timers.
 * - `sleep` with cause `evicted` or `group` is refused for a pinned model.
 */
export class Lifecycle implements LifecycleApi {
  private readonly clock: Clock;
  private readonly runtime: ContainerRuntime;
  private readonly readiness: ReadinessChecker;
  private readonly admission: WakeAdmission | undefined;
  private readonly idlePolicy: IdlePolicy | undefined;
  private readonly stopGraceMs: number;
  private readonly failureLogLines: number;
  private readonly log: (message: string) => void;
  private readonly models = new Map<string, ModelEntry>();
  private readonly changeListeners = new Set<(status: ModelStatus) => void>();
  private readonly eventListeners = new Set<(event: LifecycleEvent) => void>();
  private paused = false;
  private started = false;
  private unwatch: (() => void) | null = null;
  private nextLeaseId = 1;

  constructor(options: LifecycleOptions) {
    this.clock = options.clock;
    this.runtime = options.runtime;
    this.readiness = options.readiness ?? new NetworkReadiness();
    this.admission = options.admission;
    this.idlePolicy = options.idlePolicy;
    this.stopGraceMs = options.stopGraceMs ?? 10_000;
    this.failureLogLines = options.failureLogLines ?? 30;
    this.log = options.log ?? ((message) => console.warn(`[siesta lifecycle] ${message}`));
  }

  /** Adds, updates and removes models. Callable any time (labels change, siesta.yaml reloaded). */
  setSpecs(specs: readonly ModelSpec[]): void {
    const wanted = new Map(specs.map((spec) => [spec.name, spec]));
    for (const [name, entry] of this.models) {
      const next = wanted.get(name);
      if (!next || next.container !== entry.spec.container) this.remove(entry);
    }
    for (const spec of specs) {
      const entry = this.models.get(spec.name);
      if (!entry) {
        const added = new ModelEntry(spec);
        this.models.set(spec.name, added);
        this.changed(added);
        if (this.started) void this.queue(added, () => this.resync(added, true));
        continue;
      }
      if (sameSpec(entry.spec, spec)) continue;
      const idleChanged = entry.spec.idleMs !== spec.idleMs || entry.spec.policy !== spec.policy || entry.spec.pin !== spec.pin;
      entry.spec = spec;
      if (idleChanged && entry.state === 'ready') this.armIdle(entry);
      this.changed(entry);
    }
  }

  /** Reads the state of every model's container (adopting running ones quietly), then follows the engine's events. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.unwatch = this.runtime.watch((event) => this.onRuntimeEvent(event));
    await Promise.all([...this.models.values()].map((entry) => this.queue(entry, () => this.resync(entry, true))));
  }

  /** Stops following the engine and every timer; waiting callers reject. Containers are left as they are. */
  stop(): Promise<void> {
    this.started = false;
    this.unwatch?.();
    this.unwatch = null;
    for (const entry of this.models.values()) {
      this.cancelWake(entry, new WakeError('aborted', `Siesta is stopping; "${entry.spec.name}" was not woken`, entry.spec.name));
      this.cancelIdle(entry);
      entry.sleepRequest?.reject(new WakeError('aborted', `Siesta is stopping; "${entry.spec.name}" was not put to sleep`, entry.spec.name));
      entry.sleepRequest = null;
    }
    return Promise.resolve();
  }

  list(): readonly ModelStatus[] {
    return [...this.models.values()].map((entry) => entry.status()).sort((a, b) => a.spec.name.localeCompare(b.spec.name));
  }

  get(name: string): ModelStatus | undefined {
    return this.models.get(name)?.status();
  }

  /** The idle time in effect for a model and why (for the API), or undefined for an unknown model. */
  idleDecision(name: string): IdleDecisionView | undefined {
    const entry = this.models.get(name);
    if (!entry) return undefined;
    const never = this.neverSleepsReason(entry);
    if (never !== null) return { idleMs: 0, reason: never, decidedAt: null };
    return entry.decision ?? { idleMs: entry.spec.idleMs, reason: `idle time ${formatDuration(entry.spec.idleMs)} from its spec (not idle yet)`, decidedAt: null };
  }

  acquire(name: string, options: AcquireOptions): Promise<Lease> {
    const entry = this.models.get(name);
    if (!entry) return Promise.reject(unknownModel(name));
    if (entry.state === 'ready') return Promise.resolve(this.openLease(entry));
    const timeoutMs = options.timeoutMs ?? entry.spec.wakeTimeoutMs;
    return this.waitReady(entry, options.cause, true, timeoutMs, options.signal).then((lease) => {
      if (!lease) throw new Error('internal: acquire resolved without a lease');
      return lease;
    });
  }

  async wake(name: string, cause: WakeCause): Promise<void> {
    const entry = this.models.get(name);
    if (!entry) throw unknownModel(name);
    if (entry.state === 'ready') return;
    await this.waitReady(entry, cause, false, entry.spec.wakeTimeoutMs, undefined);
  }

  async sleep(name: string, cause: SleepCause): Promise<void> {
    const entry = this.models.get(name);
    if (!entry) throw unknownModel(name);
    if ((cause.kind === 'evicted' || cause.kind === 'group') && entry.pinned) {
      throw new Error(`"${name}" is pinned: it is never put to sleep for another model (${cause.forModel})`);
    }
    switch (entry.state) {
      case 'asleep':
        return;
      case 'stopping':
        return entry.stopping ?? undefined;
      case 'waking':
        this.cancelWake(entry, new WakeError('stopping', `"${name}" was put to sleep while it was waking`, name));
        return this.stopContainer(entry, cause);
      case 'failed': {
        const info = await this.runtime.inspect(this.containerRef(entry));
        if (info?.running && entry.state === 'failed') return this.stopContainer(entry, cause);
        if (entry.state === 'failed') {
          entry.state = 'asleep';
          this.changed(entry);
        }
        return;
      }
      case 'ready':
        if (entry.leases.size > 0) return this.requestSleep(entry, cause);
        return this.stopContainer(entry, cause);
      default:
        return assertNever(entry.state);
    }
  }

  setPinned(name: string, pinned: boolean): void {
    const entry = this.models.get(name);
    if (!entry) throw unknownModel(name);
    entry.pinOverride = pinned;
    if (pinned) this.cancelIdle(entry);
    else this.armIdle(entry);
    this.changed(entry);
  }

  setAutoSleepPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    for (const entry of this.models.values()) {
      if (paused) this.cancelIdle(entry);
      else this.armIdle(entry);
      this.changed(entry);
    }
  }

  autoSleepPaused(): boolean {
    return this.paused;
  }

  onChange(listener: (status: ModelStatus) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onEvent(listener: (event: LifecycleEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  // ---- uses ----

  private openLease(entry: ModelEntry): Lease {
    const upstream = entry.upstream;
    if (!upstream) throw new Error(`internal: "${entry.spec.name}" is ready without an upstream`);
    const id = this.nextLeaseId++;
    entry.leases.add(id);
    this.cancelIdle(entry);
    this.changed(entry);
    return {
      model: entry.spec.name,
      upstream,
      release: () => this.releaseLease(entry, id),
    };
  }

  private releaseLease(entry: ModelEntry, id: number): void {
    if (!entry.leases.delete(id)) return;
    entry.lastUsedAt = this.clock.now();
    if (entry.leases.size === 0 && entry.state === 'ready') {
      const request = entry.sleepRequest;
      if (request) {
        this.stopContainer(entry, request.cause).catch((error: unknown) => this.log(`sleep of "${entry.spec.name}" failed: ${messageOf(error)}`));
      } else {
        this.armIdle(entry);
      }
    }
    this.changed(entry);
  }

  private waitReady(
    entry: ModelEntry,
    cause: WakeCause,
    wantsUse: boolean,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Lease | null> {
    const name = entry.spec.name;
    if (signal?.aborted) return Promise.reject(new WakeError('aborted', `the wait for "${name}" was aborted`, name));
    return new Promise<Lease | null>((resolve, reject) => {
      const cleanup = (): void => {
        entry.waiters.delete(waiter);
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        cause,
        wantsUse,
        resolve: (lease) => {
          cleanup();
          resolve(lease);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      const onAbort = (): void => waiter.reject(new WakeError('aborted', `the wait for "${name}" was aborted`, name));
      const timer = this.clock.setTimeout(() => {
        const detail = entry.readinessDetail ? ` (last check: ${entry.readinessDetail})` : '';
        waiter.reject(new WakeError('timeout', `"${name}" was not ready within ${formatDuration(timeoutMs)}${detail}`, name));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.waiters.add(waiter);
      this.demandWake(entry, cause);
    });
  }

  /** Someone waits for the model: start a wake unless one runs or a stop is finishing (it wakes after). */
  private demandWake(entry: ModelEntry, cause: WakeCause): void {
    switch (entry.state) {
      case 'asleep':
      case 'failed':
        this.startWake(entry, cause, { external: false, quiet: false });
        return;
      case 'waking':
      case 'stopping':
        return;
      case 'ready':
        this.settleWaiters(entry);
        return;
      default:
        assertNever(entry.state);
    }
  }

  private settleWaiters(entry: ModelEntry): void {
    for (const waiter of [...entry.waiters]) {
      waiter.resolve(waiter.wantsUse ? this.openLease(entry) : null);
    }
  }

  private rejectWaiters(entry: ModelEntry, error: WakeError): void {
    for (const waiter of [...entry.waiters]) waiter.reject(error);
  }

  // ---- waking ----

  private startWake(entry: ModelEntry, cause: WakeCause, mode: { external: boolean; quiet: boolean }): void {
    const now = this.clock.now();
    const run: WakeRun = {
      external: mode.external,
      quiet: mode.quiet,
      abort: new AbortController(),
      startedAt: now,
      deadlineAt: now + entry.spec.wakeTimeoutMs,
      finished: false,
      startedContainer: false,
      deadlineTimer: null,
      pollTimer: null,
      cutPause: null,
    };
    entry.wake = run;
    entry.state = 'waking';
    entry.wakeStartedAt = now;
    entry.readyAt = null;
    entry.failure = null;
    entry.upstream = null;
    entry.readinessDetail = mode.external ? 'started outside Siesta; waiting until it answers' : 'starting';
    this.cancelIdle(entry);
    if (!mode.quiet) this.emit({ kind: 'wake-requested', at: now, model: entry.spec.name, cause });
    run.deadlineTimer = this.clock.setTimeout(() => {
      run.deadlineTimer = null;
      const detail = entry.readinessDetail ? ` (last check: ${entry.readinessDetail})` : '';
      void this.failWake(entry, run, 'timeout', `not ready after ${formatDuration(entry.spec.wakeTimeoutMs)}${detail}`, true);
    }, entry.spec.wakeTimeoutMs);
    this.changed(entry);
    this.runWake(entry, run).catch((error: unknown) => {
      const code: WakeErrorCode = error instanceof WakeError ? error.code : 'failed';
      return this.failWake(entry, run, code, messageOf(error), !(error instanceof WakeError));
    });
  }

  private async runWake(entry: ModelEntry, run: WakeRun): Promise<void> {
    const spec = entry.spec;
    const current = (): boolean => entry.wake === run && !run.finished;
    if (!run.external) {
      if (this.admission) {
        entry.readinessDetail = 'waiting for room on its GPU';
        await this.admission.admit(spec, {
          signal: run.abort.signal,
          deadlineAt: run.deadlineAt,
          onWaiting: (detail) => {
            if (!current() || entry.readinessDetail === detail) return;
            entry.readinessDetail = detail;
            this.changed(entry);
          },
        });
        if (!current()) return;
      }
      const info = await this.withEngine(entry, run, () => this.runtime.inspect(this.containerRef(entry)));
      if (!current()) return;
      if (!info) return this.failWake(entry, run, 'failed', `container "${spec.container}" does not exist`, false);
      entry.containerId = info.id;
      if (!info.running) {
        run.startedContainer = true;
        entry.readinessDetail = 'starting the container';
        this.changed(entry);
        await this.withEngine(entry, run, () => this.runtime.start(info.id));
        if (!current()) return;
      }
    }
    for (let attempt = 0; ; attempt++) {
      const info = await this.withEngine(entry, run, () => this.runtime.inspect(this.containerRef(entry)));
      if (!current()) return;
      if (!info) return this.failWake(entry, run, 'failed', `container "${spec.container}" was removed while waking`, false);
      entry.containerId = info.id;
      entry.gpuIndexes = info.gpuIndexes;
      if (!info.running) return this.failWake(entry, run, 'failed', `the container ${exitText(info)} while waking`, true);
      if (info.health === 'unhealthy') return this.failWake(entry, run, 'failed', 'the container turned unhealthy while waking', true);
      const port = hostPortFor(info, spec.port);
      if (!port.ok) return this.failWake(entry, run, 'failed', port.problem, false);
      const upstream: Upstream = { host: '127.0.0.1', port: port.hostPort };
      const result = await this.readiness.check({ spec, health: effectiveHealth(spec, info), container: info, upstream }, run.abort.signal);
      if (!current()) return;
      if (result.ready) return this.becomeReady(entry, run, upstream, info);
      if (result.fatal) return this.failWake(entry, run, 'failed', result.detail, false);
      if (entry.readinessDetail !== result.detail) {
        entry.readinessDetail = result.detail;
        this.changed(entry);
      }
      await this.pause(run, pollDelayMs(attempt));
      if (!current()) return;
    }
  }

  /**
   * An engine call of a wake. While the engine cannot be reached (a restart, an upgrade) the wake waits for
   * it, saying so, until its deadline; the engine's return (the `reconnected` event) cuts the wait short.
   */
  private async withEngine<T>(entry: ModelEntry, run: WakeRun, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error: unknown) {
        if (!isEngineUnreachable(error) || entry.wake !== run || run.finished) throw error;
        const detail = `the Docker engine is not answering; waiting for it (${messageOf(error)})`;
        if (entry.readinessDetail !== detail) {
          entry.readinessDetail = detail;
          this.changed(entry);
        }
        await this.pause(run, Math.min(ENGINE_RETRY_MAX_MS, ENGINE_RETRY_FIRST_MS * 2 ** attempt));
        if (entry.wake !== run || run.finished) throw error;
      }
    }
  }

  /** Waits between polls on the clock; an engine event about the container cuts it short. */
  private pause(run: WakeRun, delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        if (run.pollTimer) this.clock.clearTimeout(run.pollTimer);
        run.pollTimer = null;
        run.cutPause = null;
        resolve();
      };
      run.cutPause = done;
      run.pollTimer = this.clock.setTimeout(done, delayMs);
    });
  }

  private finishRun(run: WakeRun): void {
    run.finished = true;
    if (run.deadlineTimer) this.clock.clearTimeout(run.deadlineTimer);
    run.deadlineTimer = null;
    run.cutPause?.();
    run.abort.abort();
  }

  private becomeReady(entry: ModelEntry, run: WakeRun, upstream: Upstream, info: ContainerInfo): void {
    this.finishRun(run);
    const now = this.clock.now();
    entry.wake = null;
    entry.state = 'ready';
    entry.upstream = upstream;
    entry.readyAt = now;
    entry.failure = null;
    entry.readinessDetail = null;
    entry.gpuIndexes = info.gpuIndexes;
    if (!run.quiet) this.emit({ kind: 'ready', at: now, model: entry.spec.name, wakeMs: now - run.startedAt });
    this.settleWaiters(entry);
    if (entry.leases.size === 0) this.armIdle(entry);
    this.changed(entry);
  }

  private async failWake(entry: ModelEntry, run: WakeRun, code: WakeErrorCode, reason: string, withLogs: boolean): Promise<void> {
    if (run.finished || entry.wake !== run) return;
    this.finishRun(run);
    const logLines = withLogs ? await this.logTail(entry) : [];
    if (entry.wake !== run) return;
    entry.wake = null;
    this.setFailed(entry, reason, logLines);
    const verb = code === 'timeout' ? 'did not wake' : 'failed to wake';
    this.rejectWaiters(entry, new WakeError(code, `"${entry.spec.name}" ${verb}: ${reason}`, entry.spec.name, logLines));
    this.changed(entry);
    if (code === 'timeout' && run.startedContainer) {
      this.runtime
        .stop(this.containerRef(entry), this.stopGraceMs)
        .catch((error: unknown) => this.log(`could not stop "${entry.spec.name}" after its wake timed out: ${messageOf(error)}`));
    }
  }

  private setFailed(entry: ModelEntry, reason: string, logLines: readonly string[]): void {
    const now = this.clock.now();
    this.cancelIdle(entry);
    entry.state = 'failed';
    entry.upstream = null;
    entry.readinessDetail = null;
    entry.failure = { reason, logLines, at: now };
    this.emit({ kind: 'failed', at: now, model: entry.spec.name, failure: entry.failure });
    const request = entry.sleepRequest;
    entry.sleepRequest = null;
    request?.resolve();
  }

  /** Ends a wake without a result (user sleep, model removed, Siesta stopping). */
  private cancelWake(entry: ModelEntry, error: WakeError): void {
    const run = entry.wake;
    if (run) {
      this.finishRun(run);
      entry.wake = null;
    }
    this.rejectWaiters(entry, error);
  }

  // ---- sleeping ----

  private requestSleep(entry: ModelEntry, cause: SleepCause): Promise<void> {
    if (entry.sleepRequest) return entry.sleepRequest.done;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const request: SleepRequest = { cause, done, resolve, reject };
    entry.sleepRequest = request;
    this.cancelIdle(entry);
    this.changed(entry);
    return done;
  }

  private stopContainer(entry: ModelEntry, cause: SleepCause): Promise<void> {
    if (entry.stopping) return entry.stopping;
    const request = entry.sleepRequest;
    entry.sleepRequest = null;
    entry.state = 'stopping';
    entry.readinessDetail = null;
    this.cancelIdle(entry);
    this.changed(entry);
    const stopping = this.runStop(entry, cause).finally(() => {
      if (entry.stopping === stopping) entry.stopping = null;
    });
    entry.stopping = stopping;
    stopping.then(
      () => request?.resolve(),
      (error: unknown) => request?.reject(error),
    );
    return stopping;
  }

  private async runStop(entry: ModelEntry, cause: SleepCause): Promise<void> {
    try {
      await this.runtime.stop(this.containerRef(entry), this.stopGraceMs);
    } catch (error) {
      const info = await this.runtime.inspect(this.containerRef(entry)).catch(() => null);
      if (info?.running && !entry.removed && entry.state === 'stopping') {
        entry.state = 'ready';
        this.settleWaiters(entry);
        this.armIdle(entry);
        this.changed(entry);
        throw error;
      }
    }
    if (entry.removed || entry.state !== 'stopping') return;
    this.becomeAsleep(entry, cause);
    if (entry.waiters.size > 0) {
      const first = [...entry.waiters][0];
      if (first) this.startWake(entry, first.cause, { external: false, quiet: false });
    }
  }

  private becomeAsleep(entry: ModelEntry, cause: SleepCause): void {
    const now = this.clock.now();
    this.cancelIdle(entry);
    entry.state = 'asleep';
    entry.upstream = null;
    entry.readyAt = null;
    entry.readinessDetail = null;
    this.emit({ kind: 'sleep', at: now, model: entry.spec.name, cause });
    if (cause.kind === 'evicted') this.emit({ kind: 'evicted', at: now, model: entry.spec.name, forModel: cause.forModel });
    const request = entry.sleepRequest;
    entry.sleepRequest = null;
    request?.resolve();
    this.changed(entry);
  }

  // ---- idle timers ----

  private neverSleepsReason(entry: ModelEntry): string | null {
    if (entry.pinned) return 'pinned: never sleeps';
    if (this.paused) return 'auto-sleep is paused';
    if (entry.spec.idleMs === 0) return 'idle 0: never sleeps';
    return null;
  }

  /** Starts the idle timer if the model is ready, unused and may sleep; replaces a running one. */
  private armIdle(entry: ModelEntry): void {
    this.cancelIdle(entry);
    if (entry.state !== 'ready' || entry.leases.size > 0 || entry.sleepRequest || entry.removed) return;
    if (this.neverSleepsReason(entry) !== null) return;
    const now = this.clock.now();
    const decision = this.idlePolicy
      ? this.idlePolicy.idleTimeFor(entry.spec, now)
      : { idleMs: entry.spec.idleMs, reason: `idle time ${formatDuration(entry.spec.idleMs)} from its spec` };
    entry.decision = { idleMs: decision.idleMs, reason: decision.reason, decidedAt: now };
    if (!(decision.idleMs > 0) || !Number.isFinite(decision.idleMs)) return;
    const idleMs = decision.idleMs;
    entry.sleepAt = now + idleMs;
    entry.idleTimer = this.clock.setTimeout(() => {
      entry.idleTimer = null;
      if (entry.state !== 'ready' || entry.leases.size > 0 || this.neverSleepsReason(entry) !== null) return;
      this.stopContainer(entry, { kind: 'idle', idleMs }).catch((error: unknown) =>
        this.log(`idle sleep of "${entry.spec.name}" failed: ${messageOf(error)}`),
      );
    }, idleMs);
  }

  private cancelIdle(entry: ModelEntry): void {
    if (entry.idleTimer) this.clock.clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
    entry.sleepAt = null;
  }

  // ---- following the engine ----

  private onRuntimeEvent(event: RuntimeEvent): void {
    if (!this.started) return;
    switch (event.kind) {
      case 'container':
        for (const entry of this.models.values()) {
          if (entry.matches(event.id, event.name)) void this.queue(entry, () => this.onContainerEvent(entry, event));
        }
        return;
      case 'disconnected':
        this.log(`lost the Docker event stream (${event.reason}); reconnecting`);
        return;
      case 'reconnected':
        this.log('the Docker event stream is back; re-reading the state of every model');
        for (const entry of this.models.values()) void this.queue(entry, () => this.resync(entry, false));
        return;
      default:
        assertNever(event);
    }
  }

  /** Runs `task` after this model's earlier event handling; errors are logged. */
  private queue(entry: ModelEntry, task: () => Promise<void>): Promise<void> {
    const next = entry.eventChain.then(async () => {
      if (entry.removed || !this.started) return;
      await task();
    });
    entry.eventChain = next.catch((error: unknown) => this.log(`following "${entry.spec.name}": ${messageOf(error)}`));
    return entry.eventChain;
  }

  private async onContainerEvent(entry: ModelEntry, event: Extract<RuntimeEvent, { kind: 'container' }>): Promise<void> {
    switch (event.action) {
      case 'kill':
        entry.lastKillAt = this.clock.now();
        return;
      case 'oom':
        return;
      case 'create':
        if (event.name === entry.spec.container.replace(/^\//, '')) entry.containerId = event.id;
        return;
      case 'start':
        // A kill before this start belonged to the previous run: a later die without a kill is a crash.
        entry.lastKillAt = null;
        if (entry.state === 'waking') return this.cutPause(entry);
        if (entry.state === 'asleep' || entry.state === 'failed') {
          const info = await this.runtime.inspect(event.id);
          if (info?.running && (entry.state === 'asleep' || entry.state === 'failed') && !entry.wake) {
            entry.containerId = info.id;
            this.startWake(entry, { kind: 'external' }, { external: true, quiet: false });
          }
        }
        return;
      case 'die':
      case 'stop':
      case 'destroy':
        if (entry.state === 'waking') return this.cutPause(entry);
        if (entry.state === 'ready') {
          const info = event.action === 'destroy' ? null : await this.runtime.inspect(event.id);
          if (info?.running || entry.state !== 'ready') return;
          const killedByHand = entry.lastKillAt !== null && this.clock.now() - entry.lastKillAt < KILL_WINDOW_MS;
          if (event.action !== 'die' || killedByHand) {
            this.becomeAsleep(entry, { kind: 'external' });
          } else {
            const logLines = await this.logTail(entry);
            if (entry.state !== 'ready') return;
            this.setFailed(entry, `the container ${info ? exitText(info) : 'was removed'}`, logLines);
            this.changed(entry);
          }
        }
        if (event.action === 'destroy' && entry.containerId === event.id) entry.containerId = null;
        return;
      case 'health':
        if (entry.state === 'waking') return this.cutPause(entry);
        if (entry.state === 'ready' && event.health === 'unhealthy') {
          const info = await this.runtime.inspect(event.id);
          if (!info || entry.state !== 'ready' || info.health !== 'unhealthy') return;
          if (effectiveHealth(entry.spec, info).kind !== 'docker') return;
          const logLines = await this.logTail(entry);
          if (entry.state !== 'ready') return;
          this.setFailed(entry, 'the container turned unhealthy', logLines);
          this.changed(entry);
        }
        return;
      default:
        assertNever(event.action);
    }
  }

  private cutPause(entry: ModelEntry): Promise<void> {
    entry.wake?.cutPause?.();
    return Promise.resolve();
  }

  /** Makes the model's state agree with its container (at start, for a new model, after the engine came back). */
  private async resync(entry: ModelEntry, quiet: boolean): Promise<void> {
    const info = await this.runtime.inspect(this.containerRef(entry));
    if (entry.removed) return;
    if (info) {
      entry.containerId = info.id;
      // Its GPUs (device requests) before its first wake: the VRAM scheduler admits it on them.
      entry.gpuIndexes = info.gpuIndexes;
    }
    switch (entry.state) {
      case 'asleep':
      case 'failed':
        // A failed model whose failed run still runs (it turned unhealthy) stays failed; a new run is adopted.
        if (info?.running && !entry.wake && !this.isRunThatFailed(entry, info)) {
          this.startWake(entry, { kind: 'external' }, { external: true, quiet });
        }
        return;
      case 'waking':
        return this.cutPause(entry);
      case 'ready':
        if (!info?.running) {
          this.becomeAsleep(entry, { kind: 'external' });
          return;
        }
        this.refreshUpstream(entry, info);
        return;
      case 'stopping':
        return;
      default:
        return assertNever(entry.state);
    }
  }

  private isRunThatFailed(entry: ModelEntry, info: ContainerInfo): boolean {
    if (entry.state !== 'failed' || !entry.failure) return false;
    return info.startedAt === null || info.startedAt <= entry.failure.at;
  }

    /** After an engine restart a running container may publish on a new host port. */
  private refreshUpstream(entry: ModelEntry, info: ContainerInfo): void {
    const port = hostPortFor(info, entry.spec.port);
    if (!port.ok || entry.upstream?.port === port.hostPort) return;
    entry.upstream = { host: '127.0.0.1', port: port.hostPort };
    this.changed(entry);
  }

  // ---- helpers ----

  private remove(entry: ModelEntry): void {
    entry.removed = true;
    this.cancelWake(entry, new WakeError('unknown-model', `"${entry.spec.name}" was removed from the configuration`, entry.spec.name));
    this.cancelIdle(entry);
    entry.sleepRequest?.resolve();
    entry.sleepRequest = null;
    this.models.delete(entry.spec.name);
  }

  private containerRef(entry: ModelEntry): string {
    return entry.containerId ?? entry.spec.container;
  }

  private async logTail(entry: ModelEntry): Promise<readonly string[]> {
    try {
      return await this.runtime.logTail(this.containerRef(entry), this.failureLogLines);
    } catch (error) {
      return [`(could not read the container's log: ${messageOf(error)})`];
    }
  }

  private changed(entry: ModelEntry): void {
    if (entry.removed) return;
    const status = entry.status();
    try {
      this.admission?.notify?.(status);
    } catch (error) {
      this.log(`admission.notify threw: ${messageOf(error)}`);
    }
    for (const listener of [...this.changeListeners]) {
      try {
        listener(status);
      } catch (error) {
        this.log(`an onChange listener threw: ${messageOf(error)}`);
      }
    }
  }

  private emit(event: LifecycleEvent): void {
    for (const listener of [...this.eventListeners]) {
      try {
        listener(event);
      } catch (error) {
        this.log(`an onEvent listener threw: ${messageOf(error)}`);
      }
    }
  }
}

function unknownModel(name: string): WakeError {
  return new WakeError('unknown-model', `no model named "${name}"`, name);
}

function exitText(info: ContainerInfo): string {
  const code = info.exitCode === null ? 'exited' : `exited with code ${info.exitCode}`;
  return info.oomKilled ? `${code} (killed: out of memory)` : code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sameSpec(a: ModelSpec, b: ModelSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
