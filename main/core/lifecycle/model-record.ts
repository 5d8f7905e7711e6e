// What the lifecycle knows of one model: its state and the fields that go with it, its uses, waiters, wake run, idle
// timer and pending sleep, and the status snapshot built from them. The state is assigned only in `enter`.
import type { Clock } from '../clock/clock';
import type { ModelSpec } from '../config/model-spec';
import { IdleTimer } from './idle-timer';
import type { IdlePolicy } from './lifecycle-api';
import type { SleepRequest, WakeRun } from './machine-parts';
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

/** One model's record; `ModelMachine` (model-machine.ts) adds its transitions. */
export class ModelRecord {
  private currentState: ModelState = 'asleep';
  readonly leases = new Set<number>();
  pinOverride: boolean | null = null;
  containerId: string | null = null;
  upstream: Upstream | null = null;
  lastUsedAt: number | null = null;
  wakeStartedAt: number | null = null;
  readyAt: number | null = null;
  /** When it dozed, while dozing or dozed. */
  dozedAt: number | null = null;
  /** The doze under way (dozing), so a sleep or a wake can wait for it. */
  dozing: Promise<void> | null = null;
  failure: Failure | null = null;
  gpuIndexes: readonly number[] = [];
  readinessDetail: string | null = null;
  readonly waiters: Waiters;
  wake: WakeRun | null = null;
  stopping: Promise<void> | null = null;
  protected readonly idle: IdleTimer;
  sleepRequest: SleepRequest | null = null;
  /** When the engine last reported a `kill` of the container: a `die` soon after is a stop by hand, not a crash. */
  lastKillAt: number | null = null;
  removed = false;
  /** Container events of this model are handled one after another. */
  eventChain: Promise<void> = Promise.resolve();

  constructor(
    public spec: ModelSpec,
    clock: Clock,
    idlePolicy: IdlePolicy | undefined,
    /** Emits the event a state change makes. */
    private readonly emit: (event: LifecycleEvent) => void,
  ) {
    this.waiters = new Waiters(clock, spec.name);
    this.idle = new IdleTimer(clock, idlePolicy);
  }

  get state(): ModelState {
    return this.currentState;
  }

  get name(): string {
    return this.spec.name;
  }

  get pinned(): boolean {
    return this.pinOverride ?? this.spec.pin;
  }

  /** The one place the state changes: the state and the fields that go with it, then the event it makes, if any. */
  enter(next: ModelState, fields: StateFields, event?: LifecycleEvent): void {
    this.currentState = next;
    if (fields.upstream !== undefined) this.upstream = fields.upstream;
    if (fields.wakeStartedAt !== undefined) this.wakeStartedAt = fields.wakeStartedAt;
    if (fields.readyAt !== undefined) this.readyAt = fields.readyAt;
    if (fields.dozedAt !== undefined) this.dozedAt = fields.dozedAt;
    if (fields.failure !== undefined) this.failure = fields.failure;
    if (fields.readinessDetail !== undefined) this.readinessDetail = fields.readinessDetail;
    if (fields.gpuIndexes !== undefined) this.gpuIndexes = fields.gpuIndexes;
    if (event) this.emit(event);
  }

  /** Whether `name` (an engine's container id or name) is this model's container. */
  matches(id: string, name: string): boolean {
    const wanted = this.spec.container.replace(/^\//, '');
    if (this.containerId !== null && this.containerId === id) return true;
    if (name !== '' && name === wanted) return true;
    return wanted.length >= 12 && /^[0-9a-f]+$/.test(wanted) && id.startsWith(wanted);
  }

  status(): ModelStatus {
    return {
      spec: this.spec,
      state: this.state,
      inFlight: this.leases.size,
      pinned: this.pinned,
      containerId: this.containerId,
      upstream: this.upstream,
      lastUsedAt: this.lastUsedAt,
      sleepAt: this.idle.sleepAt,
      dozeAt: this.idle.dozeAt,
      dozedAt: this.state === 'dozed' ? this.dozedAt : null,
      wakeFrom: this.state === 'waking' ? (this.wake?.level ?? null) : null,
      wakeStartedAt: this.wakeStartedAt,
      readyAt: this.readyAt,
      failure: this.failure,
      gpuIndexes: this.gpuIndexes,
      sleepRequested: this.sleepRequest?.cause ?? null,
      readinessDetail: this.state === 'waking' ? this.readinessDetail : null,
    };
  }

  /** The container's id when known, else the name the spec gives. */
  containerRef(): string {
    return this.containerId ?? this.spec.container;
  }
}
