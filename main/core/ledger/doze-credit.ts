// What a doze record and the stop after a doze are credited from (issue 15, docs/energy.md "Dozes"): the GPU's fit of the
// model's watts awake, dozed and gone, and no stand-in that would claim the whole idle cost for a doze that freed less.
import type { SleepRecord } from './event-records';
import type { GpuPowerFits } from './gpu-power-fits';
import type { Estimate } from './power-fit';
import { dozedName } from './residency';
import type { Credit, LearnedCosts } from './savings';
import { NOTHING_LEARNED, withUncertainty } from './savings';

/** What the doze meter read of a model's last doze: when it judged it, and the GPU power it freed. */
export interface DozeMeterReading {
  readonly at: number;
  readonly freedWatts: number;
}

/** How long after a doze the meter's judgement may come and still be that doze's (it takes a fresh reading). */
const METER_MATCH_MS = 30_000;

/**
 * A doze's credit where neither a clean reading nor the fit tells it: the doze meter's reading of this doze (a fresh
 * reading just before the doze call and once dozed; their noise as its sampling part, the whole figure as its
 * attribution part when another model was busy on the GPU) rather than a window a transition disturbed.
 */
export function withDozeMeter(
  sleep: Pick<SleepRecord, 'level' | 'at' | 'othersActive'>,
  meter: DozeMeterReading | null,
  noiseWatts: number,
): (credit: Credit) => Credit {
  return (credit) => {
    if (sleep.level !== 'doze' || (credit.source !== 'unclean' && credit.source !== 'none'))
      return credit;
    if (meter === null || meter.at < sleep.at || meter.at > sleep.at + METER_MATCH_MS)
      return credit;
    return withUncertainty(
      { value: Math.max(0, meter.freedWatts), source: 'doze-meter' },
      { sampling: noiseWatts * Math.SQRT2, attribution: sleep.othersActive ? null : 0 },
    );
  };
}

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
