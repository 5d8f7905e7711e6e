// Builds the API's history answer from the ledger's buckets, with totals over the whole range.
import type { HistoryBucket as LedgerBucket } from '../ledger/history';
import type { HistoryQuery as LedgerQuery, HistoryResult } from '../ledger/ledger';
import type { WakeRecord } from '../ledger/event-store';
import type { GpuEnergyFigures } from '../ledger/gpu-energy';
import { percentile } from '../ledger/power-math';
import type { HistoryFigures, HistoryQuery, HistoryResponse } from './contract';
import { gpuEnergyOf } from './gpu-energy-view';

/** What this needs of the ledger. */
export interface HistorySource {
  history(query: LedgerQuery): HistoryResult;
  wakeRecords(from: number, to: number, model?: string): WakeRecord[];
  /** Each GPU's measured energy split into its models' parts and its own baseline. */
  gpuEnergyFigures?(
    from: number,
    to: number,
    usedByModel: ReadonlyMap<string, number>,
  ): GpuEnergyFigures[];
}

/** The ledger's history for `query` as a `HistoryResponse`; totals sum the buckets, wake times come from the wakes themselves. */
export function historyResponseFromLedger(
  ledger: HistorySource,
  query: HistoryQuery,
): HistoryResponse {
  const result = ledger.history({
    from: query.from,
    to: query.to,
    bucket: query.bucket,
    model: query.model,
  });
  const wakeMs = ledger
    .wakeRecords(query.from, query.to, query.model)
    .filter(
      (w) =>
        w.requestedAt >= query.from &&
        w.requestedAt < query.to &&
        w.outcome === 'ready' &&
        w.endedAt !== null,
    )
    .map((w) => (w.endedAt as number) - w.requestedAt);
  const buckets = result.buckets.map((b) => ({
    startAt: b.startAt,
    endAt: b.endAt,
    total: figures(b.total),
    models: b.models.map((m) => ({ model: m.model, ...figures(m) })),
  }));
  return {
    from: result.from,
    to: result.to,
    bucket: result.bucket,
    currency: currencyOf(result.buckets),
    buckets,
    totals: totalsOf(
      buckets.map((b) => b.total),
      wakeMs,
    ),
    gpus: gpuEnergyOf(ledger, result),
  };
}

/** Sums bucket figures; wake percentiles come from `wakeMs` (nearest rank), as the ledger computes them per bucket. */
export function totalsOf(
  figuresList: readonly HistoryFigures[],
  wakeMs: readonly number[],
): HistoryFigures {
  const sum = (pick: (f: HistoryFigures) => number): number =>
    figuresList.reduce((acc, f) => acc + pick(f), 0);
  const sumNullable = (pick: (f: HistoryFigures) => number | null): number | null =>
    figuresList.some((f) => pick(f) !== null)
      ? figuresList.reduce((acc, f) => acc + (pick(f) ?? 0), 0)
      : null;
  return {
    savedJoules: sum((f) => f.savedJoules),
    savedKwh: sum((f) => f.savedKwh),
    money: sumNullable((f) => f.money),
    co2Grams: sumNullable((f) => f.co2Grams),
    wakes: sum((f) => f.wakes),
    failedWakes: sum((f) => f.failedWakes),
    wakeP50Ms: percentile(wakeMs, 50),
    wakeP95Ms: percentile(wakeMs, 95),
    hoursAwake: sum((f) => f.hoursAwake),
    hoursAsleep: sum((f) => f.hoursAsleep),
    estimated: figuresList.some((f) => f.estimated),
    savedUncertaintyJoules: sum((f) => f.savedUncertaintyJoules ?? 0),
    dozeSavedJoules: sum((f) => f.dozeSavedJoules ?? 0),
    usedJoules: sum((f) => f.usedJoules ?? 0),
    usedKwh: sum((f) => f.usedKwh ?? 0),
    usedMoney: sumNullable((f) => f.usedMoney ?? null),
    awakeUsedJoules: sum((f) => f.awakeUsedJoules ?? 0),
    wakingUsedJoules: sum((f) => f.wakingUsedJoules ?? 0),
    usedUncertaintyJoules: sum((f) => f.usedUncertaintyJoules ?? 0),
  };
}

function figures(f: LedgerBucket['total']): HistoryFigures {
  return {
    savedJoules: f.savedJoules,
    savedKwh: f.savedKwh,
    money: f.money,
    co2Grams: f.co2Grams,
    wakes: f.wakes,
    failedWakes: f.failedWakes,
    wakeP50Ms: f.wakeP50Ms,
    wakeP95Ms: f.wakeP95Ms,
    hoursAwake: f.hoursAwake,
    hoursAsleep: f.hoursAsleep,
    estimated: f.estimated,
    savedUncertaintyJoules: f.savedUncertaintyJoules,
    dozeSavedJoules: f.dozeSavedJoules,
    usedJoules: f.usedJoules,
    usedKwh: f.usedKwh,
    usedMoney: f.usedMoney,
    awakeUsedJoules: f.awakeUsedJoules,
    wakingUsedJoules: f.wakeJoules,
    usedUncertaintyJoules: f.usedUncertaintyJoules,
  };
}

function currencyOf(buckets: readonly LedgerBucket[]): string | null {
  for (const b of buckets) if (b.total.currency !== null) return b.total.currency;
  return null;
}
