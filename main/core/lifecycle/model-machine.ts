// One model's state machine (DESIGN.md, "Model states"): its transitions (uses, waiting callers, the wake, the stop,
// the idle timer). The state is assigned in one method (`enter`, model-record.ts); changes are told from `changed`.
import type { Clock } from '../clock/clock';
import { formatDuration } from '../config/duration';
import type { ModelSpec } from '../config/model-spec';
import type { ContainerInfo, ContainerRuntime } from '../docker/container-runtime';
import { assertNever } from '../shared/assert-never';
import type { IdlePolicy, WakeAdmission, WakeErrorCode } from './lifecycle-api';
import { WakeError } from './lifecycle-api';
import type { IdleDecisionView, WakeRun } from './machine-parts';
import { messageOf } from './machine-parts';
import type {
  Failure,
  Lease,
  LifecycleEvent,
  ModelStatus,
  SleepCause,
  Upstream,
  WakeCause,
} from './model-state';
import type { ReadinessChecker } from './readiness-checker';
import { ModelRecord } from './model-record';
import { runWake } from './wake-loop';

/** What every model's machine shares with the registry. */
export interface MachineContext {
  readonly clock: Clock;
  readonly runtime: ContainerRuntime;
  readonly readiness: ReadinessChecker;
  readonly admission: WakeAdmission | undefined;
  readonly idlePolicy: IdlePolicy | undefined;
  readonly stopGraceMs: number;
  readonly failureLogLines: number;
  readonly log: (message: string) => void;
  autoSleepPaused(): boolean;
  newLeaseId(): number;
  /** Sends a lifecycle event to its listeners. */
  emit(event: LifecycleEvent): void;
  /** Tells the admission hook and the change listeners a model's new status. */
  notify(status: ModelStatus): void;
}

/**
 * The state machine of one model; the registry (`Lifecycle`) only finds it. Its wake loop lives in wake-loop.ts and
 * its following of the engine's container events in engine-follower.ts; both drive it through the methods below.
 *
 * Why about 450 lines: every transition of one model (use, wait, wake, fail, stop, sleep, idle) is kept in this one
 * class so that the order of state change, event and notification is visible in one place; the parts that do not
 * change the state (wake loop, engine follower, waiters, idle timer, record) already live in their own files.
 */
export class ModelMachine extends ModelRecord {
  constructor(
    spec: ModelSpec,
    readonly ctx: MachineContext,
  ) {
    super(spec, ctx.clock, ctx.idlePolicy, (event) => ctx.emit(event));
  }

  /** The one place a change is told: to the admission hook and the registry's listeners (not once removed). */
  changed(): void {
    if (this.removed) return;
    this.ctx.notify(this.status());
  }

  /** Shows what a wake or readiness check is doing now; tells it only when it changed. */
  showDetail(detail: string): void {
    if (this.readinessDetail === detail) return;
    this.readinessDetail = detail;
    this.changed();
  }

  // ---- the API's calls ----

  acquire(cause: WakeCause, timeoutMs: number, signal: AbortSignal | undefined): Promise<Lease> {
    if (this.state === 'ready') return Promise.resolve(this.openLease());
    return this.waitReady(cause, true, timeoutMs, signal).then((lease) => {
      if (!lease) throw new Error('internal: acquire resolved without a lease');
      return lease;
    });
  }

  async wakeUp(cause: WakeCause): Promise<void> {
    if (this.state === 'ready') return;
    await this.waitReady(cause, false, this.spec.wakeTimeoutMs, undefined);
  }

  async sleep(cause: SleepCause): Promise<void> {
    const name = this.name;
    if ((cause.kind === 'evicted' || cause.kind === 'group') && this.pinned) {
      throw new Error(
        `"${name}" is pinned: it is never put to sleep for another model (${cause.forModel})`,
      );
    }
    switch (this.state) {
      case 'asleep':
        return;
      case 'stopping':
        return this.stopping ?? undefined;
      case 'waking':
        this.cancelWake(
          new WakeError('stopping', `"${name}" was put to sleep while it was waking`, name),
        );
        return this.stopContainer(cause);
      case 'failed': {
        const info = await this.ctx.runtime.inspect(this.containerRef());
        if (info?.running && this.state === 'failed') return this.stopContainer(cause);
        if (this.state === 'failed') {
          this.enter('asleep', {});
          this.changed();
        }
        return;
      }
      case 'ready':
        if (this.leases.size > 0) return this.requestSleep(cause);
        return this.stopContainer(cause);
      default:
        return assertNever(this.state);
    }
  }

  setPinned(pinned: boolean): void {
    this.pinOverride = pinned;
    if (pinned) this.cancelIdle();
    else this.armIdle();
    this.changed();
  }

  /** A new spec for the same container; the idle timer restarts when what decides it changed. */
  setSpec(spec: ModelSpec): void {
    const idleChanged =
      this.spec.idleMs !== spec.idleMs ||
      this.spec.policy !== spec.policy ||
      this.spec.pin !== spec.pin;
    this.spec = spec;
    if (idleChanged && this.state === 'ready') this.armIdle();
    this.changed();
  }

  /** The model left the configuration: its wake and timers end, a pending sleep resolves. */
  remove(): void {
    this.removed = true;
    this.cancelWake(
      new WakeError(
        'unknown-model',
        `"${this.name}" was removed from the configuration`,
        this.name,
      ),
    );
    this.cancelIdle();
    this.sleepRequest?.resolve();
    this.sleepRequest = null;
  }

  /** Siesta is stopping: waiting callers reject; the container is left as it is. */
  shutDown(): void {
    this.cancelWake(
      new WakeError('aborted', `Siesta is stopping; "${this.name}" was not woken`, this.name),
    );
    this.cancelIdle();
    this.sleepRequest?.reject(
      new WakeError(
        'aborted',
        `Siesta is stopping; "${this.name}" was not put to sleep`,
        this.name,
      ),
    );
    this.sleepRequest = null;
  }

  /** The idle time in effect and why. */
  idleDecision(): IdleDecisionView {
    const never = this.neverSleepsReason();
    if (never !== null) return { idleMs: 0, reason: never, decidedAt: null };
    return (
      this.idle.decision ?? {
        idleMs: this.spec.idleMs,
        reason: `idle time ${formatDuration(this.spec.idleMs)} from its spec (not idle yet)`,
        decidedAt: null,
      }
    );
  }

  // ---- uses ----

  private openLease(): Lease {
    const upstream = this.upstream;
    if (!upstream) throw new Error(`internal: "${this.name}" is ready without an upstream`);
    const id = this.ctx.newLeaseId();
    this.leases.add(id);
    this.cancelIdle();
    this.changed();
    return { model: this.name, upstream, release: () => this.releaseLease(id) };
  }

  private releaseLease(id: number): void {
    if (!this.leases.delete(id)) return;
    this.lastUsedAt = this.ctx.clock.now();
    if (this.leases.size === 0 && this.state === 'ready') {
      const request = this.sleepRequest;
      if (request) {
        this.stopContainer(request.cause).catch((error: unknown) =>
          this.ctx.log(`sleep of "${this.name}" failed: ${messageOf(error)}`),
        );
      } else {
        this.armIdle();
      }
    }
    this.changed();
  }

  private waitReady(
    cause: WakeCause,
    wantsUse: boolean,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Lease | null> {
    const waiting = this.waiters.add(
      cause,
      wantsUse,
      timeoutMs,
      signal,
      () => this.readinessDetail,
    );
    if (!signal?.aborted) this.demandWake(cause);
    return waiting;
  }

  /** Someone waits for the model: start a wake unless one runs or a stop is finishing (it wakes after). */
  private demandWake(cause: WakeCause): void {
    switch (this.state) {
      case 'asleep':
      case 'failed':
        this.startWake(cause, { external: false, quiet: false });
        return;
      case 'waking':
      case 'stopping':
        return;
      case 'ready':
        this.settleWaiters();
        return;
      default:
        assertNever(this.state);
    }
  }

  private settleWaiters(): void {
    this.waiters.settle(() => this.openLease());
  }

  private rejectWaiters(error: WakeError): void {
    this.waiters.rejectAll(error);
  }

  // ---- waking ----

  /** Starts the one wake of the model (`external`: started outside Siesta; `quiet`: adopted at start, no events). */
  startWake(cause: WakeCause, mode: { external: boolean; quiet: boolean }): void {
    const clock = this.ctx.clock;
    const now = clock.now();
    const run: WakeRun = {
      external: mode.external,
      quiet: mode.quiet,
      abort: new AbortController(),
      startedAt: now,
      deadlineAt: now + this.spec.wakeTimeoutMs,
      finished: false,
      startedContainer: false,
      deadlineTimer: null,
      pollTimer: null,
      cutPause: null,
    };
    this.wake = run;
    this.cancelIdle();
    this.enter(
      'waking',
      {
        wakeStartedAt: now,
        readyAt: null,
        failure: null,
        upstream: null,
        readinessDetail: mode.external
          ? 'started outside Siesta; waiting until it answers'
          : 'starting',
      },
      mode.quiet ? undefined : { kind: 'wake-requested', at: now, model: this.name, cause },
    );
    run.deadlineTimer = clock.setTimeout(() => {
      run.deadlineTimer = null;
      const detail = this.readinessDetail ? ` (last check: ${this.readinessDetail})` : '';
      void this.failWake(
        run,
        'timeout',
        `not ready after ${formatDuration(this.spec.wakeTimeoutMs)}${detail}`,
        true,
      );
    }, this.spec.wakeTimeoutMs);
    this.changed();
    runWake(this, run).catch((error: unknown) => {
      const code: WakeErrorCode = error instanceof WakeError ? error.code : 'failed';
      return this.failWake(run, code, messageOf(error), !(error instanceof WakeError));
    });
  }

  /** Whether `run` is still this model's wake (a cancelled or finished run stops touching the model). */
  isCurrent(run: WakeRun): boolean {
    return this.wake === run && !run.finished;
  }

  /** Ends the pause between readiness polls early (an engine event about the container came). */
  cutPause(): Promise<void> {
    this.wake?.cutPause?.();
    return Promise.resolve();
  }

  becomeReady(run: WakeRun, upstream: Upstream, info: ContainerInfo): void {
    this.finishRun(run);
    const now = this.ctx.clock.now();
    this.wake = null;
    this.enter(
      'ready',
      { upstream, readyAt: now, failure: null, readinessDetail: null, gpuIndexes: info.gpuIndexes },
      run.quiet
        ? undefined
        : { kind: 'ready', at: now, model: this.name, wakeMs: now - run.startedAt },
    );
    this.settleWaiters();
    if (this.leases.size === 0) this.armIdle();
    this.changed();
  }

  async failWake(
    run: WakeRun,
    code: WakeErrorCode,
    reason: string,
    withLogs: boolean,
  ): Promise<void> {
    if (run.finished || this.wake !== run) return;
    this.finishRun(run);
    const logLines = withLogs ? await this.logTail() : [];
    if (this.wake !== run) return;
    this.wake = null;
    this.setFailed(reason, logLines);
    const verb = code === 'timeout' ? 'did not wake' : 'failed to wake';
    this.rejectWaiters(
      new WakeError(code, `"${this.name}" ${verb}: ${reason}`, this.name, logLines),
    );
    this.changed();
    if (code === 'timeout' && run.startedContainer) {
      this.ctx.runtime
        .stop(this.containerRef(), this.ctx.stopGraceMs)
        .catch((error: unknown) =>
          this.ctx.log(
            `could not stop "${this.name}" after its wake timed out: ${messageOf(error)}`,
          ),
        );
    }
  }

  /** The model failed (a wake, a crash, unhealthy): the caller tells the change. */
  setFailed(reason: string, logLines: readonly string[]): void {
    const now = this.ctx.clock.now();
    this.cancelIdle();
    const failure: Failure = { reason, logLines, at: now };
    this.enter(
      'failed',
      { upstream: null, readinessDetail: null, failure },
      { kind: 'failed', at: now, model: this.name, failure },
    );
    const request = this.sleepRequest;
    this.sleepRequest = null;
    request?.resolve();
  }

  private finishRun(run: WakeRun): void {
    run.finished = true;
    if (run.deadlineTimer) this.ctx.clock.clearTimeout(run.deadlineTimer);
    run.deadlineTimer = null;
    run.cutPause?.();
    run.abort.abort();
  }

  /** Ends a wake without a result (user sleep, model removed, Siesta stopping). */
  private cancelWake(error: WakeError): void {
    const run = this.wake;
    if (run) {
      this.finishRun(run);
      this.wake = null;
    }
    this.rejectWaiters(error);
  }

  // ---- sleeping ----

  private requestSleep(cause: SleepCause): Promise<void> {
    if (this.sleepRequest) return this.sleepRequest.done;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.sleepRequest = { cause, done, resolve, reject };
    this.cancelIdle();
    this.changed();
    return done;
  }

  private stopContainer(cause: SleepCause): Promise<void> {
    if (this.stopping) return this.stopping;
    const request = this.sleepRequest;
    this.sleepRequest = null;
    this.enter('stopping', { readinessDetail: null });
    this.cancelIdle();
    this.changed();
    const stopping = this.runStop(cause).finally(() => {
      if (this.stopping === stopping) this.stopping = null;
    });
    this.stopping = stopping;
    stopping.then(
      () => request?.resolve(),
      (error: unknown) => request?.reject(error),
    );
    return stopping;
  }

  private async runStop(cause: SleepCause): Promise<void> {
    const runtime = this.ctx.runtime;
    try {
      await runtime.stop(this.containerRef(), this.ctx.stopGraceMs);
    } catch (error) {
      const info = await runtime.inspect(this.containerRef()).catch(() => null);
      if (info?.running && !this.removed && this.state === 'stopping') {
        this.enter('ready', {});
        this.settleWaiters();
        this.armIdle();
        this.changed();
        throw error;
      }
    }
    if (this.removed || this.state !== 'stopping') return;
    this.becomeAsleep(cause);
    const first = this.waiters.first();
    if (first) this.startWake(first.cause, { external: false, quiet: false });
  }

  becomeAsleep(cause: SleepCause): void {
    const now = this.ctx.clock.now();
    this.cancelIdle();
    this.enter(
      'asleep',
      { upstream: null, readyAt: null, readinessDetail: null },
      { kind: 'sleep', at: now, model: this.name, cause },
    );
    if (cause.kind === 'evicted')
      this.ctx.emit({ kind: 'evicted', at: now, model: this.name, forModel: cause.forModel });
    const request = this.sleepRequest;
    this.sleepRequest = null;
    request?.resolve();
    this.changed();
  }

  // ---- idle timer ----

  private neverSleepsReason(): string | null {
    if (this.pinned) return 'pinned: never sleeps';
    if (this.ctx.autoSleepPaused()) return 'auto-sleep is paused';
    if (this.spec.idleMs === 0) return 'idle 0: never sleeps';
    return null;
  }

  /** Starts the idle timer if the model is ready, unused and may sleep; replaces a running one. */
  armIdle(): void {
    this.idle.cancel();
    if (this.state !== 'ready' || this.leases.size > 0 || this.sleepRequest || this.removed) return;
    if (this.neverSleepsReason() !== null) return;
    this.idle.start(this.spec, (idleMs) => {
      if (this.state !== 'ready' || this.leases.size > 0 || this.neverSleepsReason() !== null)
        return;
      this.stopContainer({ kind: 'idle', idleMs }).catch((error: unknown) =>
        this.ctx.log(`idle sleep of "${this.name}" failed: ${messageOf(error)}`),
      );
    });
  }

  cancelIdle(): void {
    this.idle.cancel();
  }

  /** The container's last log lines, or a line saying why they could not be read. */
  async logTail(): Promise<readonly string[]> {
    try {
      return await this.ctx.runtime.logTail(this.containerRef(), this.ctx.failureLogLines);
    } catch (error) {
      return [`(could not read the container's log: ${messageOf(error)})`];
    }
  }
}
