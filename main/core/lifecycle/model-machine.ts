// One model's state machine (DESIGN.md, "Model states"): its transitions (uses, waiting callers, the wake, the stop,
// the idle timer). The state is assigned in one method (`enter`, model-record.ts); changes are told from `changed`.
import type { Clock } from '../clock/clock';
import { formatDuration } from '../config/duration';
import type { ModelSpec } from '../config/model-spec';
import type { ContainerInfo, ContainerRuntime } from '../docker/container-runtime';
import { assertNever } from '../shared/assert-never';
import type { FailureCause } from '../shared/causes';
import { afterFoundDozed, dozeRefusal, idleDoze, runDoze } from './doze-steps';
import { failureText } from './failure-text';
import { requestSleep, stopContainer } from './stop-steps';
import type { Dozer, IdlePolicy, WakeAdmission, WakeErrorCode } from './lifecycle-api';
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
  /** Dozes and wakes servers through their own sleep APIs (issue 15); absent: every sleep is a stop. */
  readonly dozer: Dozer | undefined;
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
 * Why about 450 lines: the transitions of one model (use, wait, wake, fail, sleep, idle) are kept in this one class
 * so that the order of state change, event and notification is visible in one place; the longer runs of steps live
 * in their own files (wake-loop.ts, stop-steps.ts, doze-steps.ts), as do the engine follower, waiters and record.
 */
export class ModelMachine extends ModelRecord {
  constructor(
    spec: ModelSpec,
    readonly ctx: MachineContext,
  ) {
    super(spec, ctx.clock, ctx.idlePolicy, ctx);
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
      case 'dozing':
        await this.dozing;
        return this.sleep(cause);
      case 'dozed':
        return stopContainer(this, cause);
      case 'waking':
        this.cancelWake(
          new WakeError('stopping', `"${name}" was put to sleep while it was waking`, name),
        );
        return stopContainer(this, cause);
      case 'failed': {
        const info = await this.ctx.runtime.inspect(this.containerRef());
        if (info?.running && this.state === 'failed') return stopContainer(this, cause);
        if (this.state === 'failed') {
          this.enter('asleep', {});
          this.changed();
        }
        return;
      }
      case 'ready':
        if (this.leases.size > 0) return requestSleep(this, cause);
        return stopContainer(this, cause);
      default:
        return assertNever(this.state);
    }
  }

  /** Dozes the model now (the idle ladder, the scheduler, a user): see `LifecycleApi.doze`. */
  doze(cause: SleepCause): Promise<void> {
    if (this.state === 'dozed') return Promise.resolve();
    if (this.state === 'dozing') return this.dozing ?? Promise.resolve();
    const refusal = dozeRefusal(this);
    if (refusal !== null)
      return Promise.reject(new Error(`"${this.name}" cannot doze: ${refusal}`));
    return runDoze(this, cause);
  }

  setPinned(pinned: boolean): void {
    this.fields.pinOverride = pinned;
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
    this.fields.spec = spec;
    if (idleChanged && this.state === 'ready') this.armIdle();
    this.changed();
  }

  /** The model left the configuration: its wake and timers end, a pending sleep resolves. */
  remove(): void {
    this.fields.removed = true;
    this.cancelWake(
      new WakeError(
        'unknown-model',
        `"${this.name}" was removed from the configuration`,
        this.name,
      ),
    );
    this.cancelIdle();
    this.sleepRequest?.resolve();
    this.fields.sleepRequest = null;
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
    this.fields.sleepRequest = null;
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
    this.fields.lastUsedAt = this.ctx.clock.now();
    if (this.leases.size === 0 && this.state === 'ready') {
      const request = this.sleepRequest;
      if (request) {
        stopContainer(this, request.cause).catch((error: unknown) =>
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
      case 'dozed':
        this.startWake(cause, { external: false, quiet: false });
        return;
      case 'waking':
      case 'stopping':
      case 'dozing':
        return;
      case 'ready':
        this.settleWaiters();
        return;
      default:
        assertNever(this.state);
    }
  }

  settleWaiters(): void {
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
    const level = this.state === 'dozed' && !mode.external ? 'dozed' : 'asleep';
    const run: WakeRun = {
      external: mode.external,
      quiet: mode.quiet,
      level,
      abort: new AbortController(),
      startedAt: now,
      deadlineAt: now + this.spec.wakeTimeoutMs,
      finished: false,
      startedContainer: false,
      deadlineTimer: null,
      pollTimer: null,
      cutPause: null,
    };
    this.fields.wake = run;
    this.cancelIdle();
    this.enter(
      'waking',
      {
        wakeStartedAt: now,
        readyAt: null,
        failure: null,
        // A dozed server is woken at the address it has.
        upstream: level === 'dozed' ? this.upstream : null,
        readinessDetail: mode.external
          ? 'started outside Siesta; waiting until it answers'
          : level === 'dozed'
            ? 'waking from its doze'
            : 'starting',
      },
      mode.quiet
        ? undefined
        : { kind: 'wake-requested', at: now, model: this.name, cause, from: level },
    );
    run.deadlineTimer = clock.setTimeout(() => {
      run.deadlineTimer = null;
      void this.failWake(
        run,
        'timeout',
        { kind: 'timeout', afterMs: this.spec.wakeTimeoutMs, lastCheck: this.readinessDetail },
        true,
      );
    }, this.spec.wakeTimeoutMs);
    this.changed();
    runWake(this, run).catch((error: unknown) => {
      const code: WakeErrorCode = error instanceof WakeError ? error.code : 'failed';
      const cause = { kind: 'error', detail: messageOf(error) } as const;
      return this.failWake(run, code, cause, !(error instanceof WakeError));
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

  becomeReady(run: WakeRun, upstream: Upstream, info: ContainerInfo, dozed = false): void {
    this.finishRun(run);
    const now = this.ctx.clock.now();
    this.fields.wake = null;
    const { gpuIndexes } = info;
    this.enter(
      dozed ? 'dozed' : 'ready',
      {
        upstream,
        readyAt: now,
        failure: null,
        readinessDetail: null,
        gpuIndexes,
        dozedAt: dozed ? now : null,
      },
      run.quiet
        ? undefined
        : {
            kind: 'ready',
            at: now,
            model: this.name,
            wakeMs: now - run.startedAt,
            from: run.level,
          },
    );
    if (dozed) afterFoundDozed(this);
    else this.settleWaiters();
    if (this.leases.size === 0 && !dozed) this.armIdle();
    this.changed();
  }

  async failWake(
    run: WakeRun,
    code: WakeErrorCode,
    cause: FailureCause,
    withLogs: boolean,
  ): Promise<void> {
    if (run.finished || this.wake !== run) return;
    this.finishRun(run);
    const logLines = withLogs ? await this.logTail() : [];
    if (this.wake !== run) return;
    this.fields.wake = null;
    const failure = this.setFailed(cause, logLines);
    const verb = code === 'timeout' ? 'did not wake' : 'failed to wake';
    this.rejectWaiters(
      new WakeError(code, `"${this.name}" ${verb}: ${failure.reason}`, this.name, logLines),
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
  setFailed(cause: FailureCause, logLines: readonly string[]): Failure {
    const now = this.ctx.clock.now();
    this.cancelIdle();
    const failure: Failure = { reason: failureText(cause), cause, logLines, at: now };
    this.enter(
      'failed',
      { upstream: null, readinessDetail: null, failure },
      { kind: 'failed', at: now, model: this.name, failure },
    );
    const request = this.sleepRequest;
    this.fields.sleepRequest = null;
    request?.resolve();
    return failure;
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
      this.fields.wake = null;
    }
    this.rejectWaiters(error);
  }

  // ---- sleeping ----

  /** The container stopped; `fromDoze` when the model was dozed (or stopping from a doze) before. */
  becomeAsleep(cause: SleepCause, fromDoze = this.state === 'dozed'): void {
    const now = this.ctx.clock.now();
    this.cancelIdle();
    const from = fromDoze ? { from: 'dozed' as const } : {};
    this.enter(
      'asleep',
      { upstream: null, readyAt: null, readinessDetail: null, dozedAt: null },
      { kind: 'sleep', at: now, model: this.name, cause, ...from },
    );
    if (cause.kind === 'evicted')
      this.ctx.emit({ kind: 'evicted', at: now, model: this.name, forModel: cause.forModel });
    const request = this.sleepRequest;
    this.fields.sleepRequest = null;
    request?.resolve();
    this.changed();
  }

  // ---- idle timer ----

  neverSleepsReason(): string | null {
    if (this.pinned) return 'pinned: never sleeps';
    if (this.ctx.autoSleepPaused()) return 'auto-sleep is paused';
    if (this.spec.idleMs === 0) return 'idle 0: never sleeps';
    return null;
  }

  /** Starts the idle timer if the model is ready (or dozed: to its stop), unused and may sleep; replaces a running one. */
  armIdle(): void {
    this.idle.cancel();
    const dozed = this.state === 'dozed';
    if ((this.state !== 'ready' && !dozed) || this.leases.size > 0) return;
    if (this.sleepRequest || this.removed || this.neverSleepsReason() !== null) return;
    const onStop = (idleMs: number): void => this.idleStop(idleMs);
    const onDoze = (idleMs: number): void => idleDoze(this, idleMs);
    // A dozed model (found dozing at start, or pinned and unpinned while dozed) goes on to its stop.
    this.idle.start(this.spec, this.spec.doze && !dozed ? { onDoze, onStop } : { onStop });
  }

  cancelIdle(): void {
    this.idle.cancel();
  }

  /** The idle timer's stop: a ready, unused model or a dozed one goes to sleep. */
  idleStop(idleMs: number): void {
    const idle = this.state === 'dozed' || (this.state === 'ready' && this.leases.size === 0);
    if (!idle || this.neverSleepsReason() !== null) return;
    stopContainer(this, { kind: 'idle', idleMs }).catch((error: unknown) =>
      this.ctx.log(`idle sleep of "${this.name}" failed: ${messageOf(error)}`),
    );
  }

  /** After a doze (or a doze not taken): the idle timer's stop runs at its time. */
  continueToStop(): void {
    this.idle.continueToStop((idleMs) => this.idleStop(idleMs));
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
