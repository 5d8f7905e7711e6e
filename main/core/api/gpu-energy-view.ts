// The history answer's GPUs: each GPU's measured energy over the range, its models' used energy and its own baseline.
import type { GpuEnergyFigures } from '../ledger/gpu-energy';
import type { HistoryResult } from '../ledger/ledger';
import { joulesToKwh } from '../ledger/power-math';
import type { GpuEnergy } from './contract';

/** What this needs of the ledger. */
interface GpuEnergySource {
  gpuEnergyFigures?(
    from: number,
    to: number,
    usedByModel: ReadonlyMap<string, number>,
  ): GpuEnergyFigures[];
}

/** The GPUs of a history answer, or undefined from a ledger that cannot say. */
export function gpuEnergyOf(
  ledger: GpuEnergySource,
  result: HistoryResult,
): GpuEnergy[] | undefined {
  if (!ledger.gpuEnergyFigures) return undefined;
  const usedByModel = new Map(result.models.map((m) => [m.model, m.usedJoules]));
  return ledger.gpuEnergyFigures(result.from, result.to, usedByModel).map((g) => ({
    gpuIndex: g.gpuIndex,
    measuredJoules: g.measuredJoules,
    measuredKwh: joulesToKwh(g.measuredJoules),
    measuredMoney: g.measuredMoney,
    coveredHours: g.coveredMs / 3_600_000,
    models: [...g.byModel].map(([model, usedJoules]) => ({ model, usedJoules })),
    modelsUsedJoules: g.modelsUsedJoules,
    baselineJoules: g.baselineJoules,
  }));
}
