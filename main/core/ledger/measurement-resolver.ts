// Measures the sleeps and wakes whose reading windows the power samples now cover (or gives them up): what each one
// dropped or cost, whether the GPU was otherwise idle, and the credit that follows; clean readings teach the costs.
import type { EventStore } from './event-store';
import type { LearnedCostCache } from './learned-costs';
import type { MeasurementSettings } from './measure';
import { measureSleep, measureWake, sleepWindowEndAt } from './measure';
import type { PowerSamples } from './power-samples';
import type { GpuSet } from './residency';
import { gpusOverlap } from './residency';
import { creditSleep, creditWake } from './savings';

/** Resolves pending measurements inside the flush's transaction. */
export class MeasurementResolver {
  constructor(
    private readonly store: EventStore,
    private readonly samples: PowerSamples,
    private readonly learned: LearnedCostCache,
    private readonly idleWattsOf: (model: string) => number | null,
    private readonly settings: MeasurementSettings,
  ) {}

  /** Measures what is due; returns when to look again (Infinity when nothing waits). */
  resolve(now: number): number {
    return Math.min(this.resolveSleeps(now), this.resolveWakes(now));
  }

  private resolveSleeps(now: number): number {
    const m = this.settings;
    let nextDueAt = Infinity;
    for (const sleep of this.store.pendingSleeps()) {
      const gpus = this.samples.gpusToRead(sleep.gpuIndexes);
      const windowEndAt = sleepWindowEndAt(sleep.at, m);
      const giveUpAt = windowEndAt + m.giveUpAfterMs;
      if (!this.samples.covered(gpus, windowEndAt) && now < giveUpAt) {
        nextDueAt = Math.min(nextDueAt, giveUpAt);
        continue;
      }
      const reading = measureSleep(this.samples.readingsOf(gpus, sleep.at - m.beforeWindowMs, windowEndAt), sleep.at, m);
      const otherwiseIdle =
        reading === null
          ? null
          : !sleep.othersActive &&
            this.utilizationLow(reading.maxUtilizationPercent) &&
            !this.disturbed(sleep.gpuIndexes, sleep.at - m.beforeWindowMs, windowEndAt, (t) => t.id === sleep.eventId);
      const status = reading === null ? 'unmeasured' : 'measured';
      const credit = creditSleep(
        { status, lastResident: sleep.lastResident, droppedWatts: reading?.droppedWatts ?? null, otherwiseIdle },
        this.learned.of(sleep.model),
        this.idleWattsOf(sleep.model),
      );
      this.store.setSleepMeasurement(sleep.id, {
        status,
        wattsBefore: reading?.wattsBefore ?? null,
        wattsAfter: reading?.wattsAfter ?? null,
        droppedWatts: reading?.droppedWatts ?? null,
        maxUtilizationPercent: reading?.maxUtilizationPercent ?? null,
        otherwiseIdle,
        credit,
      });
      if (otherwiseIdle) this.learned.learnedSomething(sleep.model, sleep.lastResident ? 'last-resident' : 'shared');
    }
    return nextDueAt;
  }

  private resolveWakes(now: number): number {
    const m = this.settings;
    let nextDueAt = Infinity;
    for (const wake of this.store.pendingWakes()) {
      if (wake.outcome === null || wake.endedAt === null) continue;
      const gpus = this.samples.gpusToRead(wake.gpuIndexes);
      const giveUpAt = wake.endedAt + m.maxGapMs + m.giveUpAfterMs;
      if (!this.samples.covered(gpus, wake.endedAt) && now < giveUpAt) {
        nextDueAt = Math.min(nextDueAt, giveUpAt);
        continue;
      }
      const fromAt = wake.requestedAt - m.beforeWindowMs - m.maxGapMs;
      const reading = measureWake(
        this.samples.readingsOf(gpus, fromAt, wake.endedAt + m.maxGapMs),
        wake.requestedAt,
        wake.endedAt,
        m,
      );
      const endedAt = wake.endedAt;
      const otherwiseIdle =
        reading === null
          ? null
          : !wake.othersActive &&
            this.utilizationLow(reading.maxUtilizationPercent) &&
            !this.disturbed(
              wake.gpuIndexes,
              wake.requestedAt - m.beforeWindowMs,
              endedAt,
              (t) => t.model === wake.model && t.at >= wake.requestedAt,
            );
      const status = reading === null ? 'unmeasured' : 'measured';
      const credit = creditWake(
        { status, energyJoules: reading?.energyJoules ?? null, otherwiseIdle },
        this.learned.of(wake.model),
      );
      this.store.setWakeMeasurement(wake.id, {
        status,
        baselineWatts: reading?.baselineWatts ?? null,
        energyJoules: reading?.energyJoules ?? null,
        maxUtilizationPercent: reading?.maxUtilizationPercent ?? null,
        otherwiseIdle,
        credit,
      });
      if (otherwiseIdle && wake.outcome === 'ready') this.learned.learnedSomething(wake.model, 'wake');
    }
    return nextDueAt;
  }

  /** Another transition on the same GPUs in [fromAt, toAt], other than the events in `own`. */
  private disturbed(
    gpus: GpuSet,
    fromAt: number,
    toAt: number,
    own: (t: { id: number; at: number; model: string }) => boolean,
  ): boolean {
    return this.store.transitions(fromAt, toAt).some((t) => !own(t) && gpusOverlap(t.gpuIndexes, gpus));
  }

  private utilizationLow(maxUtilizationPercent: number | null): boolean {
    return maxUtilizationPercent === null || maxUtilizationPercent <= this.settings.idleUtilizationPercent;
  }
}
