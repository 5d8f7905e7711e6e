// What the ledger has learned of one model (dP, wake energy and times, VRAM) and what its sleeping saved so far:
// the figures the policies, the waiting page and the model cards read, from the ledger's parts.
import type { EventStore } from './event-store';
import type { HistoryQueries } from './history-query';
import type { LearnedCostCache } from './learned-costs';
import type { LearnedEnergy, ModelStats } from './ledger-types';
import type { ModelFacts } from './model-facts';
import { percentile } from './power-math';
import type { Average } from './savings';
import { averageOf } from './savings';

/** Wake-time percentiles are taken over a model's most recent wakes. */
const RECENT_WAKES = 500;

/** Reads a model's learned figures; the ledger checks it is open before each call. */
export class ModelStatsReader {
  constructor(
    private readonly store: EventStore,
    private readonly learned: LearnedCostCache,
    private readonly facts: ModelFacts,
    private readonly queries: HistoryQueries,
  ) {}

  /** The median of the model's recent wake times (ms), or null before its first: for the waiting page's estimate. */
  wakeEstimateMs(model: string): number | null {
    return percentile(this.store.recentWakeMs(model, RECENT_WAKES), 50);
  }

  /**
   * The figures the keep-alive policies read once per idle period: dP, the mean wake energy and the median wake time,
   * as `modelStats` gives them, without summing the model's savings history.
   */
  learnedEnergy(model: string): LearnedEnergy {
    const { dpWatts, learned, wakeMs } = this.learnedFigures(model);
    return {
      dpWatts,
      wakeJoules: averageOf(learned.wakeJoules),
      wakeJoulesCount: learned.wakeJoules.count,
      wakeP50Ms: percentile(wakeMs, 50),
    };
  }

  /** What the ledger has learned of a model, and what its sleeping saved so far (sums its whole history: not per poll). */
  modelStats(model: string): ModelStats {
    const { dpWatts, clean, measured, spec, learned, wakeMs } = this.learnedFigures(model);
    const { total } = this.queries.modelTotal(model);
    return {
      model,
      dpWatts,
      dpCount: clean.count,
      dpSource: measured !== null ? 'measured' : spec !== null ? 'spec' : 'none',
      dpLastResidentWatts: averageOf(learned.lastResidentWatts),
      dpLastResidentCount: learned.lastResidentWatts.count,
      dpSharedWatts: averageOf(learned.sharedWatts),
      dpSharedCount: learned.sharedWatts.count,
      wakeJoules: averageOf(learned.wakeJoules),
      wakeJoulesCount: learned.wakeJoules.count,
      wakeP50Ms: percentile(wakeMs, 50),
      wakeP95Ms: percentile(wakeMs, 95),
      wakeCount: wakeMs.length,
      vramBytes: this.store.vramBytes(model),
      savedJoules: total.savedJoules,
      savedIsEstimate: total.estimated,
      savedUncertaintyJoules: total.savedUncertaintyJoules,
      usedJoules: total.usedJoules,
      usedUncertaintyJoules: total.usedUncertaintyJoules,
      usedMoney: total.usedMoney,
      usedCurrency: total.currency,
    };
  }

  /** dP (measured over clean sleeps, else the spec's idle-watts) and the raw figures behind it and the wake times. */
  private learnedFigures(model: string) {
    const learned = this.learned.of(model);
    const clean: Average = {
      sum: learned.lastResidentWatts.sum + learned.sharedWatts.sum,
      count: learned.lastResidentWatts.count + learned.sharedWatts.count,
    };
    const spec = this.facts.idleWattsOf(model);
    const measured = averageOf(clean);
    const wakeMs = this.store.recentWakeMs(model, RECENT_WAKES);
    return { dpWatts: measured ?? spec, clean, measured, spec, learned, wakeMs };
  }
}
