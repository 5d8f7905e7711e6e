// Builds the costs answer (issue 16) from the ledger's requests this month, the settings' prices and the cost model:
// what each model's requests cost, the user's own request mix, and local, cloud and every API priced for it.
import type { CostOption, RequestMix } from '../ledger/cost-model';
import {
  apiOption,
  cheapestAt,
  cloudOption,
  costPerMillionTokens,
  costPerRequest,
  crossovers,
  localOption,
} from '../ledger/cost-model';
import type { ModelRequestTotals, RequestSummary } from '../ledger/request-log';
import type { SavedTotals } from '../ledger/ledger-types';
import type { Settings } from '../settings/settings-schema';
import type { CostModelRow, CostOptionView, CostsResponse } from './costs-contract';

const JOULES_PER_KWH = 3_600_000;

/** What the report reads. */
export interface CostsSource {
  readonly requests: { summary(fromAt: number, toAt: number): RequestSummary };
  savedSince(at: number): SavedTotals;
}

/** The first instant of `now`'s calendar month (local time) and the month's length in ms. */
export function monthOf(now: number): { startAt: number; lengthMs: number } {
  const d = new Date(now);
  const startAt = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
  const endAt = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
  return { startAt, lengthMs: endAt - startAt };
}

function rowOf(t: ModelRequestTotals, pricePerKwh: number): CostModelRow {
  const allInKwh = t.allInJoules / JOULES_PER_KWH;
  return {
    model: t.model,
    requests: t.requests,
    failed: t.failed,
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    estimatedRequests: t.estimated,
    marginalKwh: t.marginalJoules / JOULES_PER_KWH,
    allInKwh,
    energyMoney: allInKwh * pricePerKwh,
    firstByteMsMean: t.firstByteMsMean,
  };
}

function sumRows(
  rows: readonly CostModelRow[],
  models: readonly ModelRequestTotals[],
): CostsResponse['totals'] {
  const sum = (pick: (r: CostModelRow) => number): number => rows.reduce((n, r) => n + pick(r), 0);
  const timed = models.filter((m) => m.firstByteMsMean !== null);
  const firstByteMsMean =
    timed.length === 0
      ? null
      : timed.reduce((n, m) => n + (m.firstByteMsMean ?? 0) * m.requests, 0) /
        timed.reduce((n, m) => n + m.requests, 0);
  return {
    requests: sum((r) => r.requests),
    failed: sum((r) => r.failed),
    promptTokens: sum((r) => r.promptTokens),
    completionTokens: sum((r) => r.completionTokens),
    estimatedRequests: sum((r) => r.estimatedRequests),
    marginalKwh: sum((r) => r.marginalKwh),
    allInKwh: sum((r) => r.allInKwh),
    energyMoney: sum((r) => r.energyMoney),
    firstByteMsMean,
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function view(
  option: CostOption,
  mix: RequestMix,
  monthly: number,
  api: { asOf: string; source: string } | null,
): CostOptionView {
  return {
    kind: option.kind,
    name: option.name,
    fixedPerMonth: option.fixedPerMonth,
    perRequest: finiteOrNull(option.perRequest),
    perRequestNow: finiteOrNull(costPerRequest(option, Math.max(1, monthly))),
    perMillionTokensNow: finiteOrNull(costPerMillionTokens(option, mix, Math.max(1, monthly))),
    note: option.note,
    asOf: api?.asOf ?? null,
    source: api?.source ?? null,
  };
}

/** This month's costs as the API answers them. */
export function costsReport(source: CostsSource, settings: Settings, now: number): CostsResponse {
  const month = monthOf(now);
  const summary = source.requests.summary(month.startAt, now);
  const price = settings.pricePerKwh;
  const models = summary.models.map((t) => rowOf(t, price));
  const totals = sumRows(models, summary.models);
  const elapsedMs = Math.max(1, now - month.startAt);
  const monthlyRequests = (totals.requests * month.lengthMs) / elapsedMs;
  const durationMs = summary.models.reduce((n, m) => n + m.durationMs, 0);
  const measured = summary.models.reduce((n, m) => n + m.measured, 0);
  const allInJoules = summary.models.reduce((n, m) => n + m.allInJoules, 0);
  const count = totals.requests;
  const mix: RequestMix | null =
    count === 0
      ? null
      : {
          promptTokens: totals.promptTokens / count,
          completionTokens: totals.completionTokens / count,
          seconds: durationMs / count / 1000,
          joules: measured === 0 && summary.gpuJoules === 0 ? null : allInJoules / count,
        };
  const costs = settings.costs;
  const options: CostOption[] = [];
  const viewed: CostOptionView[] = [];
  if (mix !== null) {
    const local = localOption(mix, {
      pricePerKwh: price,
      hardwarePrice: costs.hardwarePrice,
      hardwareLifetimeMonths: costs.hardwareLifetimeMonths,
      upkeepPerMonth: costs.upkeepPerMonth,
    });
    options.push(local);
    viewed.push(view(local, mix, monthlyRequests, null));
    const cloud = cloudOption(mix, {
      pricePerMinute: costs.cloudPricePerMinute,
      fixedPerMonth: costs.cloudFixedPerMonth,
    });
    if (cloud !== null) {
      options.push(cloud);
      viewed.push(view(cloud, mix, monthlyRequests, null));
    }
    for (const api of costs.apiPrices) {
      const rate =
        api.currency.toUpperCase() === settings.currency.toUpperCase()
          ? 1
          : (costs.exchangeRates[api.currency] ?? null);
      const option = apiOption(mix, api, rate);
      options.push(option);
      viewed.push(view(option, mix, monthlyRequests, api));
    }
  }
  const saved = source.savedSince(month.startAt);
  const gpuKwh = summary.gpuJoules / JOULES_PER_KWH;
  return {
    currency: settings.currency,
    from: month.startAt,
    to: now,
    models,
    totals,
    mix:
      mix === null
        ? null
        : {
            promptTokens: mix.promptTokens,
            completionTokens: mix.completionTokens,
            seconds: mix.seconds,
            allInJoules: mix.joules,
          },
    monthlyRequests,
    options: viewed,
    crossovers: crossovers(options),
    cheapestNow: count === 0 ? null : (cheapestAt(options, monthlyRequests)?.name ?? null),
    sleeping: {
      savedKwh: saved.savedKwh,
      savedMoney: saved.savedKwh * price,
      gpuKwh,
      gpuMoney: gpuKwh * price,
    },
  };
}
