// One model as the API shows it: the lifecycle's status joined with what the ledger learned and the idle decision.
import type { ModelStats } from '../ledger/ledger';
import type { ModelStatus } from '../lifecycle/model-state';
import type { ModelView, ServedModelView } from './contract';

/** The idle time in force and why, as the lifecycle reports it. */
export interface IdleView {
  readonly idleMs: number;
  readonly reason: string;
}

/** What the last doze of a model measured (the doze meter's verdict). */
export interface DozeMeasureView {
  readonly measured: boolean;
  readonly keptBytes: number;
  readonly warning: string | null;
  /** The usual wake time from a doze (learned from the ledger), or null. */
  readonly wakeEstimateMs?: number | null;
}

/** Builds the API's view of one model. Declared VRAM wins over measured; measured comes from GPU attribution. */
export function modelViewOf(
  status: ModelStatus,
  stats: ModelStats,
  idle: IdleView,
  serves?: readonly ServedModelView[],
  dozeMeasure: DozeMeasureView | null = null,
): ModelView {
  const spec = status.spec;
  const vram =
    spec.vramBytes !== null
      ? { vramBytes: spec.vramBytes, vramSource: 'declared' as const }
      : stats.vramBytes !== null
        ? { vramBytes: stats.vramBytes, vramSource: 'measured' as const }
        : { vramBytes: null, vramSource: 'unknown' as const };
  return {
    name: spec.name,
    container: spec.container,
    models: [...spec.models],
    state: status.state,
    inFlight: status.inFlight,
    pinned: status.pinned,
    group: spec.group,
    listenPort: spec.listenPort,
    ...vram,
    gpuIndexes: [...status.gpuIndexes],
    lastUsedAt: status.lastUsedAt,
    sleepAt: status.sleepAt,
    idle: { policy: spec.policy, idleMs: idle.idleMs, reason: idle.reason },
    wakeStartedAt: status.wakeStartedAt,
    wakeDetail: status.readinessDetail ?? null,
    readyAt: status.readyAt,
    wakeEstimateMs: stats.wakeP50Ms,
    failure: status.failure
      ? {
          reason: status.failure.reason,
          cause: status.failure.cause,
          logLines: [...status.failure.logLines],
          at: status.failure.at,
        }
      : null,
    savedJoules: stats.savedJoules,
    savedIsEstimate: stats.savedIsEstimate,
    savedUncertaintyJoules: stats.savedUncertaintyJoules,
    usedJoules: stats.usedJoules,
    usedUncertaintyJoules: stats.usedUncertaintyJoules,
    usedMoney: stats.usedMoney,
    usedCurrency: stats.usedCurrency,
    ...(serves === undefined ? {} : { serves: [...serves] }),
    ...(status.wakeFrom ? { wakeFrom: status.wakeFrom } : {}),
    ...(spec.doze
      ? {
          doze: {
            kind: spec.doze.kind,
            dozeAt: status.dozeAt ?? null,
            dozedAt: status.dozedAt ?? null,
            wakeEstimateMs: dozeMeasure?.wakeEstimateMs ?? null,
            keptBytes: dozeMeasure?.measured ? dozeMeasure.keptBytes : null,
            warning: dozeMeasure?.warning ?? null,
          },
        }
      : {}),
  };
}
