// What the lifecycle knows of one model: its state and the fields that go with it, its uses, waiters, wake run, idle
// timer and pending sleep, and the status snapshot built from them. The state is assigned only in `enter`; every
// field is read-only outside the record and its machine.
import type { Clock } from '../clock/clock';
import type { ModelSpec } from '../config/model-spec';
import { IdleTimer } from './idle-timer';
import type { IdlePolicy } from './lifecycle-api';
import type { SleepRequest, Waiter, WakeRun } from './machine-parts';
import type { Failure, LifecycleEvent, ModelState, ModelStatus, Upstream } from './model-state';
import { Waiters } from './waiters';

/** The fields that change together with the state. */
export interface StateFields {
  readonly upstream?: Upstream | null;
  readonly wakeStartedAt?: number | null;
  readonly readyAt?: number | null;
  readonly dozedAt?: number | null;
  readonly failure?: Failure | null;
  readonly readinessDetail?: string | null;
  readonly gpuIndexes?: readonly number[];
}

/** The record's fields: written only by the record and its machine (`this.fields`), read by everyone through getters. */
interface RecordFields {
  state: ModelState;
  spec: ModelSpec;
  pinOverride: boolean | null;
  containerId: string | null;
  upstream: Upstream | null;
  lastUsedAt: number | null;
  wakeStartedAt: number | null;
  readyAt: number | null;
  /** When it dozed, while dozing or dozed. */
  dozedAt: number | null;
  /** The doze under way (dozing), so a sleep can wait for it. */
  dozing: Promise<void> | null;
  failure: Failure | null;
  gpuIndexes: readonly number[];
  readinessDetail: string | null;
  wake: WakeRun | null;
  stopping: Promise<void> | null;
  sleepRequest: SleepRequest | null;
  lastKillAt: number | null;
  removed: boolean;
  eventChain: Promise<void>;
}

/**
 * One model's record; `ModelMachine` (model-machine.ts) adds its transitions. Every field is read-only from outside:
 * the wake loop, the engine follower and the registry change it through the named methods below.
 */
export class ModelRecord {
  protected readonly fields: RecordFields;
  /** The ids of the uses open now. */
  protected readonly leases = new Set<number>();
  protected readonly waiters: Waiters;
  protected readonly idle: IdleTimer;

  constructor(
    spec: ModelSpec,
    clock: Clock,
    idlePolicy: IdlePolicy | undefined,
    /** Where the events a state change makes, and the changes, are told. */
    private readonly listeners: {
      emit(event: LifecycleEvent): void;
      notify(status: ModelStatus): void;
    },
  ) {
    this.fields = {
      state: 'asleep',
      spec,
      pinOverride: null,
      containerId: null,
      upstream: null,
      lastUsedAt: null,
      wakeStartedAt: null,
      readyAt: null,
      dozedAt: null,
      dozing: null,
      failure: null,
      gpuIndexes: [],
      readinessDetail: null,
      wake: null,
      stopping: null,
      sleepRequest: null,
      lastKillAt: null,
      removed: false,
      eventChain: Promise.resolve(),
    };
    this.waiters = new Waiters(clock, spec.name);
    this.idle = new IdleTimer(clock, idlePolicy);
  }

  get state(): ModelState {
    return this.fields.state;
  }

  get spec(): ModelSpec {
    return this.fields.spec;
  }

  get name(): string {
    return this.fields.spec.name;
  }

  get pinned(): boolean {
    return this.fields.pinOverride ?? this.fields.spec.pin;
  }

  get containerId(): string | null {
    return this.fields.containerId;
  }

  get upstream(): Upstream | null {
    return this.fields.upstream;
  }

  get failure(): Failure | null {
    return this.fields.failure;
  }

  get readinessDetail(): string | null {
    return this.fields.readinessDetail;
  }

  /** The wake running now, or null. */
  get wake(): WakeRun | null {
    return this.fields.wake;
  }

  /** The stop running now, or null. */
  get stopping(): Promise<void> | null {
    return this.fields.stopping;
  }

  /** A user's sleep waiting for the open uses to end, or null. */
  get sleepRequest(): SleepRequest | null {
    return this.fields.sleepRequest;
  }

  /** The doze under way, or null. */
  get dozing(): Promise<void> | null {
    return this.fields.dozing;
  }

  /** Uses open now. */
  get inUse(): number {
    return this.leases.size;
  }

  /** Callers waiting for the model to be ready. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** The longest-waiting caller, if any. */
  firstWaiter(): Waiter | undefined {
    return this.waiters.first();
  }

  /** A stop begins (`stopping`) or ends (null, only when it is still this one). */
  trackStop(stopping: Promise<void>, running: boolean): void {
    if (running) this.fields.stopping = stopping;
    else if (this.fields.stopping === stopping) this.fields.stopping = null;
  }

  /** A doze begins (`dozing`) or ends (null, only when it is still this one). */
  trackDoze(dozing: Promise<void>, running: boolean): void {
    if (running) this.fields.dozing = dozing;
    else if (this.fields.dozing === dozing) this.fields.dozing = null;
  }

  /** Puts a user's sleep aside until the open uses end. */
  holdSleepRequest(request: SleepRequest): void {
    this.fields.sleepRequest = request;
  }

  /** The user's pending sleep, taken (it is then handled by the caller), or null. */
  takeSleepRequest(): SleepRequest | null {
    const request = this.fields.sleepRequest;
    this.fields.sleepRequest = null;
    return request;
  }

  /** When the engine last reported a `kill` of the container: a `die` soon after is a stop by hand, not a crash. */
  get lastKillAt(): number | null {
    return this.fields.lastKillAt;
  }

  /** The model left the configuration. */
  get removed(): boolean {
    return this.fields.removed;
  }

  /** The one place the state changes: the state and the fields that go with it, then the event it makes, if any. */
  enter(next: ModelState, fields: StateFields, event?: LifecycleEvent): void {
    const f = this.fields;
    f.state = next;
    if (fields.upstream !== undefined) f.upstream = fields.upstream;
    if (fields.wakeStartedAt !== undefined) f.wakeStartedAt = fields.wakeStartedAt;
    if (fields.readyAt !== undefined) f.readyAt = fields.readyAt;
    if (fields.dozedAt !== undefined) f.dozedAt = fields.dozedAt;
    if (fields.failure !== undefined) f.failure = fields.failure;
    if (fields.readinessDetail !== undefined) f.readinessDetail = fields.readinessDetail;
    if (fields.gpuIndexes !== undefined) f.gpuIndexes = fields.gpuIndexes;
    if (event) this.listeners.emit(event);
  }

  /** The one place a change is told: to the admission hook and the registry's listeners (not once removed). */
  changed(): void {
    if (this.fields.removed) return;
    this.listeners.notify(this.status());
  }

  /** Shows what a wake or readiness check is doing now; tells it only when it changed. */
  showDetail(detail: string): void {
    if (this.fields.readinessDetail === detail) return;
    this.fields.readinessDetail = detail;
    this.changed();
  }

  /** A ready model's container answers at a new address (an engine restart moved its port); tells it. */
  moveUpstream(upstream: Upstream): void {
    this.fields.upstream = upstream;
    this.changed();
  }

  /** What an inspect of the container found: its id, and the GPUs its device requests name. */
  seeContainer(info: { readonly id: string; readonly gpuIndexes: readonly number[] }): void {
    this.fields.containerId = info.id;
    this.fields.gpuIndexes = info.gpuIndexes;
  }

  /** The engine created this model's container (`id`), or removed one (`null`, only when it was this id). */
  containerCreated(id: string): void {
    this.fields.containerId = id;
  }

  containerDestroyed(id: string): void {
    if (this.fields.containerId === id) this.fields.containerId = null;
  }

  /** The engine reported a `kill` of the container (`at`), or a start that makes an earlier kill moot (null). */
  noteKill(at: number | null): void {
    this.fields.lastKillAt = at;
  }

  /** What a wake is doing now, without telling anyone (the next change tells it); `showDetail` tells it. */
  noteDetail(detail: string): void {
    this.fields.readinessDetail = detail;
  }

  /** Runs `task` after this model's earlier event handling; `onError` hears what it threw. */
  queueEvent(task: () => Promise<void>, onError: (error: unknown) => void): Promise<void> {
    const next = this.fields.eventChain.then(task);
    this.fields.eventChain = next.catch(onError);
    return this.fields.eventChain;
  }

  /** Whether `name` (an engine's container id or name) is this model's container. */
  matches(id: string, name: string): boolean {
    const wanted = this.spec.container.replace(/^\//, '');
    if (this.fields.containerId !== null && this.fields.containerId === id) return true;
    if (name !== '' && name === wanted) return true;
    return wanted.length >= 12 && /^[0-9a-f]+$/.test(wanted) && id.startsWith(wanted);
  }

  status(): ModelStatus {
    return {
      spec: this.spec,
      state: this.state,
      inFlight: this.leases.size,
      pinned: this.pinned,
      containerId: this.fields.containerId,
      upstream: this.fields.upstream,
      lastUsedAt: this.fields.lastUsedAt,
      sleepAt: this.idle.sleepAt,
      dozeAt: this.idle.dozeAt,
      dozedAt: this.state === 'dozed' ? this.fields.dozedAt : null,
      wakeFrom: this.state === 'waking' ? (this.fields.wake?.level ?? null) : null,
      wakeStartedAt: this.fields.wakeStartedAt,
      readyAt: this.fields.readyAt,
      failure: this.fields.failure,
      gpuIndexes: this.fields.gpuIndexes,
      sleepRequested: this.fields.sleepRequest?.cause ?? null,
      readinessDetail: this.state === 'waking' ? this.fields.readinessDetail : null,
    };
  }

  /** The container's id when known, else the name the spec gives. */
  containerRef(): string {
    return this.containerId ?? this.spec.container;
  }
}
