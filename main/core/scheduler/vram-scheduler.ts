// VRAM-aware admission of wakes (issue 8): makes room by putting idle models to sleep, LRU first; queues wakes that must wait.
//
// How the composition root (main/core/siesta.ts) wires it:
//
//   let lifecycleRef: Lifecycle | null = null;
//   let latestSamples: readonly GpuSample[] = [];          // set in probe.start((samples) => ...)
//   const sampleOf = (gpu: number) => latestSamples.find((s) => s.index === gpu);
//   const scheduler = new VramScheduler({
//     clock,
//     // The lifecycle takes the scheduler as its `admission`, so it is handed over lazily.
//     lifecycle: () => lifecycleRef ?? fail('the scheduler ran before the lifecycle was built'),
//     // Free and total VRAM from the GPU probe's latest tick (null without a reading: no VRAM check).
//     freeVramBytes: (gpu) => { const s = sampleOf(gpu); return s?.vramTotalBytes != null && s.vramUsedBytes != null ? s.vramTotalBytes - s.vramUsedBytes : null; },
//     totalVramBytes: (gpu) => sampleOf(gpu)?.vramTotalBytes ?? null,
//     // Learned VRAM: the ledger's figure, fed by VramTracker (gpu/vram-tracker.ts), which maps the probe's
//     // GPU processes to each ready model's container PIDs (`runtime.pids`) and calls `ledger.recordVram`.
//     learnedVramBytes: (model) => ledger.learnedVramBytes(model),
//     // Read at every decision, so a settings change applies to the next wake.
//     settings: () => ({ vramMarginBytes: s.vramMarginBytes, minResidencyMs: s.minResidencyMs }),
//   });
//   const lifecycle = new Lifecycle({ clock, runtime, admission: scheduler, ... });
//   lifecycleRef = lifecycle;
//
// - Statuses: the scheduler reads `list()`/`get()` of the lifecycle at each decision (state, inFlight, pinned,
//   lastUsedAt, readyAt, gpuIndexes from the container's device requests) and evicts through `sleep(name,
//   { kind: 'evicted' | 'group', forModel })`; the lifecycle records that as `sleep` + `evicted` events, which the
//   ledger, the API, the tray and notifications show (words in scheduler-messages.ts).
// - The lifecycle calls `admit(spec, { signal, deadlineAt })` before it starts a container and `notify(status)` on
//   every change, which wakes waiting decisions at once; between changes they poll (`pollMs`, default 100 ms)
//   because free VRAM changes with samples, not events.
// - Need of a model: declared `spec.vramBytes` (label siesta.vram) wins, else the learned figure, else unknown
//   (tried when at least the margin is free; VramTracker then learns it). Only a declared need is refused
//   outright as never-fits; a learned one ran on that card before.
// - `waiting()` lists the wakes queued for room and what blocks each, for the API and dashboard.
import type { Clock } from '../clock/clock';
import type { ModelSpec } from '../config/model-spec';
import type { LifecycleApi, WakeAdmission } from '../lifecycle/lifecycle-api';
import { WakeError } from '../lifecycle/lifecycle-api';
import type { ModelStatus } from '../lifecycle/model-state';
import { assertNever } from '../shared/assert-never';
import type {
  AdmissionPlan,
  Blocker,
  GpuMemory,
  PlanModel,
  SchedulerSettings,
  Victim,
} from './admission-plan';
import { accountedFreeBytes, planAdmission } from './admission-plan';
import type { InnerModels, InnerUnload } from './inner-unload-plan';
import { planInnerUnloads } from './inner-unload-plan';
import { ReleaseTracker } from './release-tracker';
import { admissionTimeoutMessage, neverFitsMessage, waitingMessage } from './scheduler-messages';
import { dozedHolding, dozeForRoom, wakeNeedAfterDoze } from './doze-room';
import { gpusOf, perGpuBytes, vramNeedOf } from './vram-need';

/** The part of the lifecycle the scheduler uses: the models, and putting one to sleep (or dozing it, where it can). */
export type SchedulerLifecycle = Pick<LifecycleApi, 'list' | 'get' | 'sleep'> &
  Partial<Pick<LifecycleApi, 'doze'>>;

/** What the scheduler is built from. */
export interface VramSchedulerOptions {
  readonly clock: Clock;
  /**
   * The lifecycle, or a function returning it: the lifecycle takes the scheduler as its admission
   * hook, so the composition root may build the scheduler first and hand it the lifecycle later.
   */
  readonly lifecycle: SchedulerLifecycle | (() => SchedulerLifecycle);
  /** Free VRAM of a GPU from the latest sample, or null without a reading. */
  readonly freeVramBytes: (gpuIndex: number) => number | null;
  /** Total VRAM of a GPU, or null when unknown. */
  readonly totalVramBytes: (gpuIndex: number) => number | null;
  /** What a model used in its last run (ledger/attribution), or null. */
  readonly learnedVramBytes: (model: string) => number | null;
  readonly settings: () => SchedulerSettings;
  /**
   * Takes a fresh GPU reading (the probe's `readNow`), called once evicted models have stopped so the wake sees their
   * memory back at once instead of at the next tick (1 s by default). Absent: the next tick.
   */
  readonly readNow?: () => Promise<void>;
  /** How often a waiting wake looks at the GPU again (free VRAM changes with samples, not events). Default 100 ms. */
  readonly pollMs?: number;
  /** How long memory of an evicted model may take to show as free before the scheduler stops waiting for it. Default 10 s. */
  readonly releaseSettleMs?: number;
  /** How long an admitted model counts as arriving before its container has started. Default 30 s. */
  readonly admittedGraceMs?: number;
  /** Servers of many models (Ollama): making room may unload some of their models instead of stopping them. Default: none. */
  readonly innerModels?: InnerModels;
  /**
   * What a dozed model still holds (issue 15, the doze meter): bytes once measured, null when not measurable (its
   * whole need counts), undefined while its doze is measured (its memory counts as coming back). Default: null.
   */
  readonly dozeKeptBytes?: (model: string) => number | null | undefined;
  /** Whether making room may doze this model instead of stopping it (host RAM allowing); default never. */
  readonly mayDozeForRoom?: (model: string) => boolean;
}

/** A wake waiting for room, for the API and the dashboard. */
export interface WaitingWake {
  readonly model: string;
  /** When it started waiting (epoch ms). */
  readonly since: number;
  /** What it waits for now. */
  readonly blockers: readonly Blocker[];
}

type Waiter = {
  readonly model: string;
  readonly gpus: readonly number[];
  readonly since: number;
  blockers: readonly Blocker[];
  kick: () => void;
};

type Context = {
  readonly signal: AbortSignal;
  readonly deadlineAt: number;
  readonly onWaiting?: (detail: string) => void;
};

const DEFAULT_POLL_MS = 100;
const DEFAULT_RELEASE_SETTLE_MS = 10_000;
const DEFAULT_ADMITTED_GRACE_MS = 30_000;

/**
 * The lifecycle's `WakeAdmission` for many models on one or several GPUs. Before a wake it compares
 * the model's VRAM need (+ margin) with its GPUs' free memory; when short it puts idle, unpinned models
 * that have had their minimum residency to sleep, least recently used first, and waits for the memory
 * to come back. Wakes that cannot go ahead yet wait in a FIFO queue (per GPU) until a change or the
 * deadline; requests for models already awake never pass through here, so the resident model keeps
 * serving while another waits (batches, not a swap per request).
 */
export class VramScheduler implements WakeAdmission {
  private readonly queue: Waiter[] = [];
  /** Admitted, container not started yet: name -> when. */
  private readonly admitted = new Map<string, number>();
  /** Being put to sleep by this scheduler. */
  private readonly leaving = new Set<string>();
  private readonly releases: ReleaseTracker;
  private readonly pollMs: number;
  private readonly admittedGraceMs: number;

  constructor(private readonly options: VramSchedulerOptions) {
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.admittedGraceMs = options.admittedGraceMs ?? DEFAULT_ADMITTED_GRACE_MS;
    this.releases = new ReleaseTracker(options.releaseSettleMs ?? DEFAULT_RELEASE_SETTLE_MS);
  }

  /** Resolves when `model` may start; rejects with WakeError 'never-fits' at once, 'timeout' at the deadline, 'aborted'. */
  async admit(model: ModelSpec, context: Context): Promise<void> {
    const name = model.name;
    this.admitted.delete(name);
    const first = this.decide(model);
    if (first.kind === 'never-fits')
      throw new WakeError('never-fits', neverFitsMessage({ model: name, ...first }), name);

    const waiter: Waiter = {
      model: name,
      gpus: gpusOf(this.lifecycle().get(name)),
      since: this.options.clock.now(),
      blockers: [],
      kick: noop,
    };
    this.queue.push(waiter);
    try {
      for (;;) {
        this.throwIfOver(waiter, context);
        const ahead = this.aheadOf(waiter);
        if (ahead) {
          waiter.blockers = [
            { reason: 'queued', model: ahead.model, gpuIndex: null, group: null, detail: null },
          ];
          await this.pause(waiter, context);
          continue;
        }
        const plan = this.decide(model);
        switch (plan.kind) {
          case 'admit':
            this.admitted.set(name, this.options.clock.now());
            return;
          case 'never-fits':
            throw new WakeError('never-fits', neverFitsMessage({ model: name, ...plan }), name);
          case 'sleep': {
            const unloads = this.innerUnloadsFor(plan);
            if (unloads !== null) {
              waiter.blockers = unloads.map((u) => ({
                reason: 'stopping',
                model: u.server,
                gpuIndex: null,
                group: null,
                detail: null,
              }));
              if (!(await this.unloadInner(unloads, name, context)))
                await this.pause(waiter, context);
              break;
            }
            waiter.blockers = plan.victims.map((v) => ({
              reason: 'stopping',
              model: v.model,
              gpuIndex: null,
              group: null,
              detail: null,
            }));
            if (!(await this.putToSleep(plan.victims, context))) await this.pause(waiter, context);
            break;
          }
          case 'wait':
            waiter.blockers = plan.blockers;
            await this.pause(waiter, context);
            break;
          default:
            assertNever(plan);
        }
      }
    } finally {
      const index = this.queue.indexOf(waiter);
      if (index >= 0) this.queue.splice(index, 1);
      this.kickAll();
    }
  }

  /** A model changed (ready, asleep, a use ended...): waiting wakes decide again now instead of at the next poll. */
  notify(status: ModelStatus): void {
    const name = status.spec.name;
    switch (status.state) {
      case 'ready':
      case 'failed':
      case 'asleep':
        // Ready: the lifecycle's state counts it now. Failed or asleep: the admitted wake ended.
        this.admitted.delete(name);
        break;
      case 'waking':
      case 'stopping':
      case 'dozing':
      case 'dozed':
        break;
      default:
        assertNever(status.state);
    }
    this.kickAll();
  }

  /** The wakes waiting for room now, oldest first. */
  waiting(): readonly WaitingWake[] {
    return this.queue.map((w) => ({ model: w.model, since: w.since, blockers: w.blockers }));
  }

  /** The decision for `model` now, without acting on it (for the API's "why is it waiting" and tests). */
  decide(model: ModelSpec): AdmissionPlan {
    const { clock, learnedVramBytes, settings } = this.options;
    const now = clock.now();
    const statuses = this.lifecycle().list();
    const self = statuses.find((s) => s.spec.name === model.name);
    return planAdmission({
      candidate: model,
      candidateGpus: gpusOf(self),
      need: wakeNeedAfterDoze(
        self,
        vramNeedOf(model, learnedVramBytes(model.name)),
        this.options.dozeKeptBytes,
      ),
      others: this.planModels(statuses, now).filter((m) => m.status.spec.name !== model.name),
      gpu: (gpuIndex) => this.gpuMemory(gpuIndex, now),
      now,
      settings: settings(),
    });
  }

  /**
   * Every model as the plan sees it: its GPUs, its need, and whether the scheduler counts it as arriving, leaving or
   * queued. A dozed model holds what its doze kept (measured), and counts as leaving until that is measured.
   */
  private planModels(statuses: readonly ModelStatus[], now: number): PlanModel[] {
    const { learnedVramBytes } = this.options;
    return statuses.map((s) => {
      const held = dozedHolding(
        s,
        vramNeedOf(s.spec, learnedVramBytes(s.spec.name)),
        this.options.dozeKeptBytes,
      );
      return {
        status: s,
        gpus: gpusOf(s),
        need: held.need,
        admitted: this.isAdmitted(s, now),
        leaving: this.leaving.has(s.spec.name) || held.measuring,
        queued: this.queue.some((w) => w.model === s.spec.name),
      };
    });
  }

  private gpuMemory(gpuIndex: number, now: number): GpuMemory {
    const freeBytes = this.options.freeVramBytes(gpuIndex);
    return {
      gpuIndex,
      freeBytes,
      totalBytes: this.options.totalVramBytes(gpuIndex),
      releasingBytes: this.releases.releasingBytes(gpuIndex, freeBytes, now),
    };
  }

  private isAdmitted(status: ModelStatus, now: number): boolean {
    const at = this.admitted.get(status.spec.name);
    if (at === undefined) return false;
    if (now - at > this.admittedGraceMs) {
      this.admitted.delete(status.spec.name);
      return false;
    }
    return true;
  }

  /**
   * Puts the victims to sleep together and waits until they have stopped; records the memory they
   * will give back. Returns false when a sleep failed (decide again after a pause).
   */
  private async putToSleep(victims: readonly Victim[], context: Context): Promise<boolean> {
    const lifecycle = this.lifecycle();
    const { clock, freeVramBytes, totalVramBytes, learnedVramBytes } = this.options;
    // Free memory before the sleeps, by the reading and by the books (the victims still counted): a
    // reading taken before a victim's memory showed would make its release look like nothing came back.
    const models = this.planModels(lifecycle.list(), clock.now());
    const freeBefore = (g: number): number | null =>
      minKnown(freeVramBytes(g), accountedFreeBytes(g, totalVramBytes(g), models));
    const sleeps = victims.map(async (victim) => {
      const status = lifecycle.get(victim.model);
      const gpus = gpusOf(status);
      const baselines = gpus.map((g) => freeBefore(g));
      const totalBytes = status
        ? vramNeedOf(status.spec, learnedVramBytes(victim.model)).totalBytes
        : null;
      this.leaving.add(victim.model);
      try {
        // A doze frees the room in seconds and wakes in seconds; its memory counts once the doze meter measured it.
        if (await dozeForRoom(lifecycle, victim, this.options.mayDozeForRoom)) return true;
        await lifecycle.sleep(victim.model, victim.cause);
        gpus.forEach((g, i) =>
          this.releases.add(
            g,
            baselines[i] ?? null,
            perGpuBytes(totalBytes, gpus.length),
            clock.now(),
          ),
        );
        return true;
      } catch {
        // A request reached it first, or it was already going to sleep: the next decision sees its state.
        return false;
      } finally {
        this.leaving.delete(victim.model);
        this.kickAll();
      }
    });
    const all = Promise.all(sleeps).then(async (results) => {
      // The containers have exited, so the driver has freed their memory: read it now rather than at the next tick.
      await this.options.readNow?.().catch(() => undefined);
      this.kickAll();
      return results.every(Boolean);
    });
    // The sleeps go on if this wake gives up; it stops waiting for them at its deadline or on abort.
    return (await this.untilOver(all, context)) === true;
  }

  /** Models to unload inside servers instead of stopping this plan's victims, or null (see inner-unload-plan.ts). */
  private innerUnloadsFor(plan: Extract<AdmissionPlan, { kind: 'sleep' }>): InnerUnload[] | null {
    const inner = this.options.innerModels;
    if (inner === undefined) return null;
    const lifecycle = this.lifecycle();
    return planInnerUnloads(
      plan.victims,
      plan.shortBytesByGpu,
      (server) => gpusOf(lifecycle.get(server)),
      (server) => inner.loaded(server),
    );
  }

  /** Unloads the models inside their servers and records the memory they give back; false when one failed. */
  private async unloadInner(
    unloads: readonly InnerUnload[],
    forModel: string,
    context: Context,
  ): Promise<boolean> {
    const inner = this.options.innerModels;
    if (inner === undefined) return false;
    const lifecycle = this.lifecycle();
    const { clock, freeVramBytes, totalVramBytes } = this.options;
    const models = this.planModels(lifecycle.list(), clock.now());
    const work = unloads.map(async (u) => {
      const gpus = gpusOf(lifecycle.get(u.server));
      const baselines = gpus.map((g) =>
        minKnown(freeVramBytes(g), accountedFreeBytes(g, totalVramBytes(g), models)),
      );
      try {
        await inner.unload(u.server, u.model, forModel);
        gpus.forEach((g, i) =>
          this.releases.add(
            g,
            baselines[i] ?? null,
            perGpuBytes(u.vramBytes, gpus.length),
            clock.now(),
          ),
        );
        return true;
      } catch {
        return false;
      } finally {
        this.kickAll();
      }
    });
    const all = Promise.all(work).then((results) => results.every(Boolean));
    return (await this.untilOver(all, context)) === true;
  }

  /** `work`'s result, or 'over' at the deadline or on abort, whichever comes first; never leaves a timer behind. */
  private untilOver<T>(work: Promise<T>, context: Context): Promise<T | 'over'> {
    const { clock } = this.options;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(
        () => finish('over'),
        Math.max(0, context.deadlineAt - clock.now()),
      );
      const onAbort = (): void => finish('over');
      context.signal.addEventListener('abort', onAbort, { once: true });
      function finish(value: T | 'over'): void {
        clock.clearTimeout(timer);
        context.signal.removeEventListener('abort', onAbort);
        resolve(value);
      }
      work.then(finish, () => finish('over'));
    });
  }

  /** Waits for a change (notify, another wake leaving the queue), a poll tick, the deadline or an abort. */
  private pause(waiter: Waiter, context: Context): Promise<void> {
    const { clock } = this.options;
    context.onWaiting?.(waitingMessage(waiter.blockers));
    return new Promise((resolve) => {
      const delayMs = Math.max(0, Math.min(this.pollMs, context.deadlineAt - clock.now()));
      const timer = clock.setTimeout(done, delayMs);
      context.signal.addEventListener('abort', done, { once: true });
      waiter.kick = done;
      function done(): void {
        clock.clearTimeout(timer);
        context.signal.removeEventListener('abort', done);
        waiter.kick = noop;
        resolve();
      }
    });
  }

  private throwIfOver(waiter: Waiter, context: Context): void {
    if (context.signal.aborted) {
      throw new WakeError(
        'aborted',
        `The wake of ${waiter.model} was cancelled while it waited for room on its GPU.`,
        waiter.model,
      );
    }
    const now = this.options.clock.now();
    if (now >= context.deadlineAt) {
      throw new WakeError(
        'timeout',
        admissionTimeoutMessage(waiter.model, now - waiter.since, waiter.blockers),
        waiter.model,
      );
    }
  }

  /** The earliest waiting wake that shares a GPU with this one: first come, first served on each GPU. */
  private aheadOf(waiter: Waiter): Waiter | undefined {
    for (const other of this.queue) {
      if (other === waiter) return undefined;
      if (other.gpus.some((g) => waiter.gpus.includes(g))) return other;
    }
    return undefined;
  }

  private kickAll(): void {
    for (const waiter of [...this.queue]) waiter.kick();
  }

  private lifecycle(): SchedulerLifecycle {
    const { lifecycle } = this.options;
    return typeof lifecycle === 'function' ? lifecycle() : lifecycle;
  }
}

function noop(): void {}

function minKnown(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
