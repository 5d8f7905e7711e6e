// The keep-alive policies of every model behind one IdlePolicy: dispatches by spec.policy, learns idle gaps
// from the lifecycle, keeps each model's current decision for the API, and emits pre-warm decisions.
//
// Wiring (main/core/siesta.ts, the composition root):
//
//   const policies = new KeepAlivePolicies({
//     clock,                                        // the same Clock the lifecycle runs on
//     energyStats: ledgerEnergyStats(ledger),       // ./ledger-energy-stats: Ledger.learnedEnergy -> dP, E_wake, wake time
//     settings: { coldStartCostJoules: settingsStore.get().coldStartCostJoules }, // other knobs: keep-alive-settings.ts
//   });
//   const lifecycle = new Lifecycle({ clock, runtime, readiness, admission, idlePolicy: policies });
//   const detach = policies.attach(lifecycle);      // before lifecycle.start(), so no idle gap is missed
//   policies.onPrewarm((p) => {                     // a pre-warm fell due for a sleeping adaptive model
//     ledger.recordEvent({ kind: 'prewarm', at: p.at, model: p.model, detail: p.detail });
//     lifecycle.wake(p.model, { kind: 'prewarm', detail: p.detail }).catch(log);
//   });
//   settingsStore change -> policies.updateSettings({ coldStartCostJoules });
//   shutdown -> detach(); policies.dispose();        // cancels planned pre-warm timers
//
// What it needs fed: `attach` is all. From the lifecycle's onChange it sees each model's in-flight count
// (0 -> >0 ends an idle gap, >0 -> 0 starts one, at lastUsedAt), from onEvent the request wakes (an arrival while
// asleep ends the gap), idle sleeps (an adaptive model then plans its next pre-warm) and other wakes (cancel the
// plan). The lifecycle calls `idleTimeFor` each time a model's idle timer starts. Without a lifecycle (imported
// history, another gateway), `noteIdle` / `noteArrival` / `observeGap` feed the same gaps by hand.
// Energy figures are read per decision, so what the ledger learns after each sleep and wake counts at once;
// until a wake is measured, break-even and adaptive use the spec's idle time and say so in the reason.
// For the API and dashboard: `currentDecision(model)` / `currentDecisions()` (policy, idle time, reason, planned
// pre-warm), `onDecision` for SSE, `preview(spec)` for a model that has not been idle yet, `gapsOf` for a histogram.
import type { Clock, TimerHandle } from '../clock/clock';
import type { ModelSpec } from '../config/model-spec';
import type { IdlePolicy, LifecycleApi } from '../lifecycle/lifecycle-api';
import { assertNever } from '../shared/assert-never';
import type { LifecycleEvent, ModelStatus } from '../lifecycle/model-state';
import { adaptiveDecision } from './adaptive-policy';
import { breakEvenDecision, usableStats } from './break-even-policy';
import type { EnergyStatsSource } from './energy-stats';
import { fixedDecision } from './fixed-policy';
import { formatMs } from './format-units';
import { GapHistory, type IdleGap } from './gap-history';
import type { IdleDecision } from './idle-decision';
import { keepAliveSettings, type KeepAliveSettings } from './keep-alive-settings';
import { ladderCostsOf, ladderDecision } from './ladder-decision';
import { LadderExperts } from './ladder-learners';
import { planPrewarm, type PrewarmPlan } from './prewarm-planner';

/** A model's latest idle decision, as the API and the dashboard show it. */
export interface CurrentIdleDecision extends IdleDecision {
  readonly model: string;
  readonly policy: ModelSpec['policy'];
  /** When the decision was taken (the idle timer started then). */
  readonly decidedAt: number;
  /** A pre-warm planned while the model sleeps, or null. */
  readonly prewarm: PrewarmPlan | null;
}

/** A pre-warm that is due now: the composition root wakes the model and logs a 'prewarm' ledger event. */
export interface PrewarmDecision {
  readonly model: string;
  readonly at: number;
  readonly detail: string;
  readonly plan: PrewarmPlan;
}

/** What `attach` needs of the lifecycle. */
export type LifecycleObservable = Pick<LifecycleApi, 'get' | 'onChange' | 'onEvent'>;

/** Construction arguments of `KeepAlivePolicies`. */
export interface KeepAlivePoliciesOptions {
  readonly clock: Clock;
  /** The ledger's learned figures per model (dP, E_wake, wake time). */
  readonly energyStats: EnergyStatsSource;
  readonly settings?: Partial<KeepAliveSettings>;
  /** While no pre-warm is planned for a sleeping adaptive model, look again this often. Default 1 h. */
  readonly replanEveryMs?: number;
}

interface ModelTrack {
  spec: ModelSpec | null;
  history: GapHistory;
  /** The ladder's learners and what each would have cost over the gaps so far (models with a doze). */
  ladder: LadderExperts;
  /** Start of the open idle gap (the last use ended then), or null while in use or unknown. */
  idleSince: number | null;
  lastStatus: ModelStatus | null;
  decision: CurrentIdleDecision | null;
  plan: PrewarmPlan | null;
  timer: TimerHandle | null;
  /** A pre-warm woke the model: keep it awake until then unless a request came. */
  holdUntil: number | null;
  holdDetail: string | null;
}

/** The composite keep-alive policy handed to `Lifecycle` as its `idlePolicy`. */
export class KeepAlivePolicies implements IdlePolicy {
  private settingsNow: KeepAliveSettings;
  private readonly clock: Clock;
  private readonly energyStats: EnergyStatsSource;
  private readonly replanEveryMs: number;
  private readonly tracks = new Map<string, ModelTrack>();
  private readonly prewarmListeners = new Set<(decision: PrewarmDecision) => void>();
  private readonly decisionListeners = new Set<(decision: CurrentIdleDecision) => void>();

  constructor(options: KeepAlivePoliciesOptions) {
    this.clock = options.clock;
    this.energyStats = options.energyStats;
    this.settingsNow = keepAliveSettings(options.settings);
    this.replanEveryMs = options.replanEveryMs ?? 3_600_000;
    if (!(this.replanEveryMs > 0))
      throw new Error(`KeepAlivePolicies: replanEveryMs must be > 0, got ${this.replanEveryMs}`);
  }

  /** The settings in force. */
  get settings(): KeepAliveSettings {
    return this.settingsNow;
  }

  /** Replaces some settings (the user changed the cold-start cost); checked as at construction, used from the next decision. */
  updateSettings(overrides: Partial<KeepAliveSettings>): void {
    this.settingsNow = keepAliveSettings({ ...this.settingsNow, ...overrides });
  }

  /** IdlePolicy: the idle time of `model` whose idle timer starts at `now`, by its spec's policy. */
  idleTimeFor(model: ModelSpec, now: number): IdleDecision {
    const track = this.track(model.name);
    track.spec = model;
    if (track.idleSince === null) track.idleSince = now;
    let decision = this.decide(model, now, track);
    if (track.holdUntil !== null && now < track.holdUntil && model.idleMs !== 0) {
      const holdMs = track.holdUntil - now;
      if (holdMs > decision.idleMs) {
        decision = {
          idleMs: holdMs,
          reason: `pre-warmed: ${track.holdDetail ?? ''}; staying awake ${formatMs(holdMs)} for it`,
        };
      }
    }
    const current: CurrentIdleDecision = {
      ...decision,
      model: model.name,
      policy: model.policy,
      decidedAt: now,
      prewarm: null,
    };
    track.decision = current;
    for (const listener of this.decisionListeners) listener(current);
    return decision;
  }

  /** What the policy would answer now, without recording anything (for a model that has not been idle yet). */
  preview(model: ModelSpec, now: number = this.clock.now()): IdleDecision {
    return this.decide(model, now, this.tracks.get(model.name) ?? null);
  }

  /** The latest decision of one model (null before its first idle timer). */
  currentDecision(model: string): CurrentIdleDecision | null {
    return this.tracks.get(model)?.decision ?? null;
  }

  /** The latest decision of every model that has one, in name order. */
  currentDecisions(): readonly CurrentIdleDecision[] {
    return [...this.tracks.values()]
      .map((t) => t.decision)
      .filter((d): d is CurrentIdleDecision => d !== null)
      .sort((a, b) => a.model.localeCompare(b.model));
  }

  /** The idle gaps learned for a model, oldest first. */
  gapsOf(model: string): readonly IdleGap[] {
    return this.tracks.get(model)?.history.all() ?? [];
  }

  /** Feeds one idle gap that ended at `endedAt` (default now): imported history, or a gateway that measures gaps itself. */
  observeGap(model: string, gapMs: number, endedAt: number = this.clock.now()): void {
    this.track(model).history.add({ startAt: endedAt - gapMs, endAt: endedAt });
  }

  /** A use of the model ended and nothing else is in flight: an idle gap starts. */
  noteIdle(model: string, at: number): void {
    const track = this.track(model);
    if (track.idleSince === null) track.idleSince = at;
  }

  /** A request arrived for the model: closes the open idle gap, ends a pre-warm hold, cancels a planned pre-warm. */
  noteArrival(model: string, at: number): void {
    const track = this.track(model);
    if (track.idleSince !== null) {
      track.history.add({ startAt: track.idleSince, endAt: at });
      track.idleSince = null;
    }
    track.holdUntil = null;
    track.holdDetail = null;
    this.cancelPlan(track);
  }

  /** Called for every pre-warm that falls due. Returns an unsubscribe function. */
  onPrewarm(listener: (decision: PrewarmDecision) => void): () => void {
    this.prewarmListeners.add(listener);
    return () => this.prewarmListeners.delete(listener);
  }

  /** Called for every new idle decision. Returns an unsubscribe function. */
  onDecision(listener: (decision: CurrentIdleDecision) => void): () => void {
    this.decisionListeners.add(listener);
    return () => this.decisionListeners.delete(listener);
  }

  /**
   * Learns from a lifecycle: a model whose in-flight count drops to 0 starts an idle gap, one that rises
   * from 0 (or a wake for a request) ends it; an idle sleep of an adaptive model plans a pre-warm.
   * Returns a function that detaches.
   */
  attach(lifecycle: LifecycleObservable): () => void {
    const offChange = lifecycle.onChange((status) => this.onStatus(status));
    const offEvent = lifecycle.onEvent((event) => this.onEvent(event, lifecycle));
    return () => {
      offChange();
      offEvent();
    };
  }

  /** Cancels every planned pre-warm. */
  dispose(): void {
    for (const track of this.tracks.values()) this.cancelPlan(track);
  }

  private decide(model: ModelSpec, now: number, track: ModelTrack | null): IdleDecision {
    const base = this.decideSingle(model, now, track);
    if (!model.doze) return base;
    const costs = ladderCostsOf(
      this.energyStats.energyStatsFor(model.name),
      this.energyStats.dozeStatsFor?.(model.name) ?? null,
      this.settings.coldStartCostJoules,
    );
    const learned =
      costs === null || track === null
        ? null
        : track.ladder.decide(track.history.all(), now, costs, this.settings);
    return ladderDecision(model, base, costs, learned, this.settings);
  }

  /** The single-level decision (when to stop) of the model's policy. */
  private decideSingle(model: ModelSpec, now: number, track: ModelTrack | null): IdleDecision {
    const policy = model.policy;
    switch (policy) {
      case 'fixed':
        return fixedDecision(model);
      case 'break-even':
        return breakEvenDecision(model, this.energyStats.energyStatsFor(model.name), this.settings);
      case 'adaptive':
        return adaptiveDecision(
          model,
          this.energyStats.energyStatsFor(model.name),
          track?.history ?? this.emptyHistory(),
          now,
          this.settings,
        );
      default:
        return assertNever(policy);
    }
  }

  private onStatus(status: ModelStatus): void {
    const track = this.track(status.spec.name);
    track.spec = status.spec;
    const before = track.lastStatus;
    track.lastStatus = status;
    const now = this.clock.now();
    if (status.inFlight > 0 && (before === null || before.inFlight === 0))
      this.noteArrival(status.spec.name, now);
    else if (status.inFlight === 0 && before !== null && before.inFlight > 0) {
      this.noteIdle(status.spec.name, status.lastUsedAt ?? now);
    }
  }

  private onEvent(event: LifecycleEvent, lifecycle: LifecycleObservable): void {
    const kind = event.kind;
    switch (kind) {
      case 'wake-requested':
        if (event.cause.kind === 'request') this.noteArrival(event.model, event.at);
        else this.cancelPlan(this.track(event.model));
        return;
      case 'sleep':
        if (event.cause.kind === 'idle') this.schedulePlan(event.model, event.at, lifecycle);
        return;
      case 'ready':
      case 'failed':
      case 'evicted':
      case 'prewarm':
      case 'doze':
        return;
      default:
        assertNever(kind);
    }
  }

  private schedulePlan(model: string, now: number, lifecycle: LifecycleObservable): void {
    const track = this.track(model);
    this.cancelPlan(track);
    const spec = lifecycle.get(model)?.spec ?? track.spec;
    if (!spec || spec.policy !== 'adaptive' || !this.settings.prewarm) return;
    const stats = this.energyStats.energyStatsFor(model);
    if (
      stats === null ||
      !usableStats(stats) ||
      track.history.size() < this.settings.minGapsForAdaptive
    )
      return;
    const plan = planPrewarm(track.history, now, stats, this.settings);
    track.plan = plan;
    if (track.decision) track.decision = { ...track.decision, prewarm: plan };
    if (plan === null) {
      track.timer = this.clock.setTimeout(() => {
        track.timer = null;
        const state = lifecycle.get(model)?.state;
        if (state === 'asleep') this.schedulePlan(model, this.clock.now(), lifecycle);
      }, this.replanEveryMs);
      return;
    }
    track.timer = this.clock.setTimeout(
      () => {
        track.timer = null;
        track.plan = null;
        if (lifecycle.get(model)?.state !== 'asleep') return;
        track.holdUntil = plan.holdUntil;
        track.holdDetail = plan.detail;
        const decision: PrewarmDecision = {
          model,
          at: this.clock.now(),
          detail: plan.detail,
          plan,
        };
        for (const listener of this.prewarmListeners) listener(decision);
      },
      Math.max(0, plan.wakeAt - now),
    );
  }

  private cancelPlan(track: ModelTrack): void {
    if (track.timer) this.clock.clearTimeout(track.timer);
    track.timer = null;
    track.plan = null;
    if (track.decision?.prewarm) track.decision = { ...track.decision, prewarm: null };
  }

  private track(model: string): ModelTrack {
    let track = this.tracks.get(model);
    if (!track) {
      track = {
        spec: null,
        history: this.emptyHistory(),
        ladder: new LadderExperts(),
        idleSince: null,
        lastStatus: null,
        decision: null,
        plan: null,
        timer: null,
        holdUntil: null,
        holdDetail: null,
      };
      this.tracks.set(model, track);
    }
    return track;
  }

  private emptyHistory(): GapHistory {
    return new GapHistory({
      maxAgeMs: this.settings.historyMaxAgeMs,
      maxGaps: this.settings.historyMaxGaps,
    });
  }
}
