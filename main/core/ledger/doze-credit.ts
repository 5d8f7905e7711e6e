// What a doze record and the stop after a doze are credited from (issue 15, docs/energy.md "Dozes"): the GPU's fit of the
// model's watts awake, dozed and gone, and no stand-in that would claim the whole idle cost for a doze that freed less.
import type { SleepRecord } from './event-records';
import type { GpuPowerFits } from './gpu-power-fits';
import type { Estimate } from './power-fit';
import { dozedName } from './residency';
import type { LearnedCosts } from './savings';
import { NOTHING_LEARNED } from './savings';

/**
 * What the fit says the sleep dropped, beside the models resident just before it: a stop, the model's marginal watts;
 * a doze, its watts awake less its watts dozed; a stop after a doze, its dozed watts. Null where the fit cannot tell.
 */
export function fittedDropOf(
  fits: GpuPowerFits,
  sleep: Pick<SleepRecord, 'model' | 'at' | 'level'>,
  gpus: readonly number[],
): Estimate | null {
  const before = sleep.at - 1;
  switch (sleep.level) {
    case 'doze':
      return fits.dozeDropEstimateAt(sleep.model, gpus, before);
    case 'stop-after-doze':
      return fits.marginalEstimateAt(dozedName(sleep.model), gpus, before);
    case 'stop':
      return fits.marginalEstimateAt(sleep.model, gpus, before);
  }
}

/**
 * The stand-ins a sleep may fall back to: a stop's learned idle cost and declared idle watts; none for a doze or the
 * stop after it (the whole idle cost would overstate what a doze freed), which keep their own reading or nothing.
 */
export function standInsOf(
  sleep: Pick<SleepRecord, 'level'>,
  learned: LearnedCosts,
  idleWatts: number | null,
): { learned: LearnedCosts; idleWatts: number | null } {
  return sleep.level === 'stop'
    ? { learned, idleWatts }
    : { learned: NOTHING_LEARNED, idleWatts: null };
}
