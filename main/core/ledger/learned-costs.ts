// What the ledger has learned from clean readings, cached in memory: each model's drop when it was the last resident
// or shared its GPU, its wake energy, and each GPU's shared drops; the fallbacks that credit what was not measured.
import type { SleepRecord } from './event-store';
import type { EventStore } from './event-store';
import type { CreditFallback } from './history-sums';
import type { GpuSet } from './residency';
import { gpusOverlap } from './residency';
import type { Average, Credit, LearnedCosts } from './savings';
import { NOTHING_LEARNED, NO_AVERAGE, averageOf, creditAfterTakeover } from './savings';

/** A kind of clean reading. */
export type LearnedKind = 'last-resident' | 'shared' | 'wake';

interface GpuShared {
  readonly gpus: GpuSet;
  readonly average: Average;
}

function averageOfKind(costs: LearnedCosts, kind: LearnedKind): Average {
  if (kind === 'wake') return costs.wakeJoules;
  return kind === 'last-resident' ? costs.lastResidentWatts : costs.sharedWatts;
}

/** The learned costs, read from the event store and refreshed after each clean reading. */
export class LearnedCostCache {
  private learned = new Map<string, LearnedCosts>();
  private gpuShared: GpuShared[] = [];

  constructor(
    private readonly store: EventStore,
    /** Called when earlier credits changed (a first clean reading replaced 'none' credits): cached sums are stale. */
    private readonly onCreditsChanged: () => void,
  ) {}

  /** What is learned of a model (nothing yet: zero counts). */
  of(model: string): LearnedCosts {
    return this.learned.get(model) ?? NOTHING_LEARNED;
  }

  /** The credit of a sleep that another model's wake ended: the shared drop, as learned on its GPUs. */
  takeoverCredit(sleep: SleepRecord): Credit {
    return creditAfterTakeover(this.of(sleep.model), this.gpuSharedFor(sleep.gpuIndexes));
  }

  /** Each model's learned figures and declared idle watts, for crediting what was not measured. */
  fallbacks(
    models: Iterable<string>,
    idleWattsOf: (model: string) => number | null,
  ): CreditFallback[] {
    return [...models].map((name) => {
      const learned = this.of(name);
      return {
        model: name,
        lastResidentWatts: averageOf(learned.lastResidentWatts),
        sharedWatts: averageOf(learned.sharedWatts),
        wakeJoules: averageOf(learned.wakeJoules),
        idleWatts: idleWattsOf(name),
      };
    });
  }

  /** Reads every learned row again. */
  refresh(): void {
    const learned = new Map<
      string,
      { lastResidentWatts: Average; sharedWatts: Average; wakeJoules: Average }
    >();
    const gpuShared: GpuShared[] = [];
    for (const row of this.store.learned()) {
      const entry = learned.get(row.model) ?? {
        lastResidentWatts: NO_AVERAGE,
        sharedWatts: NO_AVERAGE,
        wakeJoules: NO_AVERAGE,
      };
      const add = (a: Average): Average => ({ sum: a.sum + row.sum, count: a.count + row.count });
      if (row.kind === 'last-resident') entry.lastResidentWatts = add(entry.lastResidentWatts);
      else if (row.kind === 'shared') {
        entry.sharedWatts = add(entry.sharedWatts);
        gpuShared.push({ gpus: row.gpuIndexes, average: { sum: row.sum, count: row.count } });
      } else entry.wakeJoules = add(entry.wakeJoules);
      learned.set(row.model, entry);
    }
    this.learned = learned;
    this.gpuShared = gpuShared;
  }

  /** `refresh`, when the database can be read; otherwise the cache keeps its last state until the next success. */
  safeRefresh(): void {
    try {
      this.refresh();
    } catch {
      // The database cannot be read now; the cache is rebuilt on the next successful flush.
    }
  }

  /**
   * Refreshes what is learned after a clean reading. The model's first clean reading of a kind also
   * replaces its 'none' credits (nothing known then) with that value, and cached sums go.
   */
  learnedSomething(model: string, kind: LearnedKind): void {
    const hadNone = averageOfKind(this.of(model), kind).count === 0;
    this.refresh();
    if (!hadNone) return;
    const value = averageOf(averageOfKind(this.of(model), kind));
    if (value === null) return;
    const changed =
      kind === 'wake'
        ? this.store.promoteUnknownWakes(model, value)
        : this.store.promoteUnknownSleeps(model, kind === 'last-resident', value);
    if (changed > 0) this.onCreditsChanged();
  }

  private gpuSharedFor(gpus: GpuSet): Average {
    let avg = NO_AVERAGE;
    for (const row of this.gpuShared)
      if (gpusOverlap(row.gpus, gpus))
        avg = { sum: avg.sum + row.average.sum, count: avg.count + row.average.count };
    return avg;
  }
}
