// The registry of every model's state machine: adds, updates and removes models, hands the API's calls to each
// model's machine, dispatches the engine's events to them and tells the listeners (DESIGN.md, "Model states").
import type { Clock } from '../clock/clock';
import type { ModelSpec } from '../config/model-spec';
import type { ContainerRuntime, RuntimeEvent } from '../docker/container-runtime';
import { assertNever } from '../shared/assert-never';
import { followContainerEvent, resyncWithContainer } from './engine-follower';
import type {
  AcquireOptions,
  Dozer,
  IdlePolicy,
  LifecycleApi,
  WakeAdmission,
} from './lifecycle-api';
import { WakeError } from './lifecycle-api';
import type { IdleDecisionView } from './machine-parts';
import type { MachineContext } from './model-machine';
import { messageOf } from './machine-parts';
import { ModelMachine } from './model-machine';
import type { Lease, LifecycleEvent, ModelStatus, SleepCause, WakeCause } from './model-state';
import { NetworkReadiness, type ReadinessChecker } from './readiness-checker';

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
  /** Dozes and wakes servers through their own sleep APIs (issue 15); absent: every sleep is a stop. */
  readonly dozer?: Dozer;
  /** How long `docker stop` waits before killing. Default 10 s. */
  readonly stopGraceMs?: number;
  /** Log lines kept with a failure. Default 30. */
  readonly failureLogLines?: number;
  /** Where problems that reach no caller go (an idle sleep that failed, a broken listener). Default console.warn. */
  readonly log?: (message: string) => void;
}

/**
 * The lifecycle of every model: the registry that finds each model's state machine (model-machine.ts), hands
 * the API's calls to it, follows the engine's events and tells the listeners.
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
 * - A model with a doze (issue 15) and a dozer: the idle timer dozes it first (`dozeAfterMs` of the idle policy) and
 *   stops it at its idle time; a request to a dozed model wakes it through the server's own wake, or restarts it
 *   when that fails. A model with a request in flight, waiting or queued is never dozed.
 */
export class Lifecycle implements LifecycleApi {
  private readonly ctx: MachineContext;
  private readonly runtime: ContainerRuntime;
  private readonly log: (message: string) => void;
  private readonly models = new Map<string, ModelMachine>();
  private readonly changeListeners = new Set<(status: ModelStatus) => void>();
  private readonly eventListeners = new Set<(event: LifecycleEvent) => void>();
  private paused = false;
  private started = false;
  private unwatch: (() => void) | null = null;
  private nextLeaseId = 1;

  constructor(options: LifecycleOptions) {
    this.runtime = options.runtime;
    this.log = options.log ?? ((message) => console.warn(`[siesta lifecycle] ${message}`));
    const admission = options.admission;
    this.ctx = {
      clock: options.clock,
      runtime: options.runtime,
      readiness: options.readiness ?? new NetworkReadiness(),
      admission,
      idlePolicy: options.idlePolicy,
      dozer: options.dozer,
      stopGraceMs: options.stopGraceMs ?? 10_000,
      failureLogLines: options.failureLogLines ?? 30,
      log: this.log,
      autoSleepPaused: () => this.paused,
      newLeaseId: () => this.nextLeaseId++,
      emit: (event) => this.emit(event),
      notify: (status) => this.notify(status, admission),
    };
  }

  /** Adds, updates and removes models. Callable any time (labels change, siesta.yaml reloaded). */
  setSpecs(specs: readonly ModelSpec[]): void {
    const wanted = new Map(specs.map((spec) => [spec.name, spec]));
    for (const [name, machine] of this.models) {
      const next = wanted.get(name);
      if (!next || next.container !== machine.spec.container) {
        machine.remove();
        this.models.delete(name);
      }
    }
    for (const spec of specs) {
      const machine = this.models.get(spec.name);
      if (!machine) {
        const added = new ModelMachine(spec, this.ctx);
        this.models.set(spec.name, added);
        added.changed();
        if (this.started) void this.queue(added, () => resyncWithContainer(added, true));
        continue;
      }
      if (!sameSpec(machine.spec, spec)) machine.setSpec(spec);
    }
  }

  /** Reads the state of every model's container (adopting running ones quietly), then follows the engine's events. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.unwatch = this.runtime.watch((event) => this.onRuntimeEvent(event));
    await Promise.all(
      [...this.models.values()].map((m) => this.queue(m, () => resyncWithContainer(m, true))),
    );
  }

  /** Stops following the engine and every timer; waiting callers reject. Containers are left as they are. */
  stop(): Promise<void> {
    this.started = false;
    this.unwatch?.();
    this.unwatch = null;
    for (const machine of this.models.values()) machine.shutDown();
    return Promise.resolve();
  }

  list(): readonly ModelStatus[] {
    return [...this.models.values()]
      .map((m) => m.status())
      .sort((a, b) => a.spec.name.localeCompare(b.spec.name));
  }

  get(name: string): ModelStatus | undefined {
    return this.models.get(name)?.status();
  }

  /** The idle time in effect for a model and why (for the API), or undefined for an unknown model. */
  idleDecision(name: string): IdleDecisionView | undefined {
    return this.models.get(name)?.idleDecision();
  }

  acquire(name: string, options: AcquireOptions): Promise<Lease> {
    const machine = this.models.get(name);
    if (!machine) return Promise.reject(unknownModel(name));
    return machine.acquire(
      options.cause,
      options.timeoutMs ?? machine.spec.wakeTimeoutMs,
      options.signal,
    );
  }

  async wake(name: string, cause: WakeCause): Promise<void> {
    const machine = this.models.get(name);
    if (!machine) throw unknownModel(name);
    await machine.wakeUp(cause);
  }

  async sleep(name: string, cause: SleepCause): Promise<void> {
    const machine = this.models.get(name);
    if (!machine) throw unknownModel(name);
    await machine.sleep(cause);
  }

  async doze(name: string, cause: SleepCause): Promise<void> {
    const machine = this.models.get(name);
    if (!machine) throw unknownModel(name);
    await machine.doze(cause);
  }

  setPinned(name: string, pinned: boolean): void {
    const machine = this.models.get(name);
    if (!machine) throw unknownModel(name);
    machine.setPinned(pinned);
  }

  setAutoSleepPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    for (const machine of this.models.values()) {
      if (paused) machine.cancelIdle();
      else machine.armIdle();
      machine.changed();
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

  private onRuntimeEvent(event: RuntimeEvent): void {
    if (!this.started) return;
    switch (event.kind) {
      case 'container':
        for (const machine of this.models.values()) {
          if (machine.matches(event.id, event.name))
            void this.queue(machine, () => followContainerEvent(machine, event));
        }
        return;
      case 'disconnected':
        this.log(`lost the Docker event stream (${event.reason}); reconnecting`);
        return;
      case 'reconnected':
        this.log('the Docker event stream is back; re-reading the state of every model');
        for (const machine of this.models.values())
          void this.queue(machine, () => resyncWithContainer(machine, false));
        return;
      default:
        assertNever(event);
    }
  }

  /** Runs `task` after this model's earlier event handling; errors are logged. */
  private queue(machine: ModelMachine, task: () => Promise<void>): Promise<void> {
    return machine.queueEvent(
      async () => {
        if (machine.removed || !this.started) return;
        await task();
      },
      (error: unknown) => this.log(`following "${machine.spec.name}": ${messageOf(error)}`),
    );
  }

  private notify(status: ModelStatus, admission: WakeAdmission | undefined): void {
    try {
      admission?.notify?.(status);
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

function sameSpec(a: ModelSpec, b: ModelSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
