// Measures the sleeps and wakes whose reading windows the power samples now cover (or gives them up): what each one
// dropped or cost, whether the GPU was otherwise idle, and the credit that follows; clean readings teach the costs.
import type { EventStore } from './event-store';
import type { GpuPowerFits } from './gpu-power-fits';
import type { LearnedCostCache } from './learned-costs';
import type { MeasurementSettings } from './measure';
import { measureSleep, measureWake, sleepWindowEndAt } from './measure';
import type { Attribution } from './power-math';
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
    private readonly fits: GpuPowerFits,
  ) {}

  /** Measures what is due; returns when to look again (Infinity when nothing waits). */
  resolve(now: number): number {
    this.refitTakeovers(now);
    return Math.min(this.resolveSleeps(now), this.resolveWakes(now));
  }

  /**
   * A takeover the fit could not tell when it happened (the model's watts beside the others not yet separable from
   * the context step) is credited from the fit once later samples tell it, while the residency timeline reaches back.
   */
  private refitTakeovers(now: number): void {
    for (const sleep of this.store.unfittedTakeovers(now - this.fits.timelineMs)) {
      if (sleep.takeoverAt === null) continue;
      const gpus = this.samples.gpusToRead(sleep.gpuIndexes);
      const watts = this.fits.marginalAt(sleep.model, gpus, sleep.takeoverAt);
      if (watts !== null)
        this.store.setTakeover(sleep.id, sleep.takeoverAt, {
          value: Math.max(0, watts),
          source: 'fitted',
        });
    }
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
      const reading = measureSleep(
        this.samples.readingsOf(gpus, sleep.at - m.beforeWindowMs, windowEndAt),
        sleep.at,
        m,
      );
      const otherwiseIdle =
        reading === null
          ? null
          : !sleep.othersActive &&
            this.utilizationLow(reading.maxUtilizationPercent) &&
            !this.disturbed(
              sleep.gpuIndexes,
              sleep.at - m.beforeWindowMs,
              windowEndAt,
              (t) => t.id === sleep.eventId,
            );
      const status = reading === null ? 'unmeasured' : 'measured';
      const credit = creditSleep(
        {
          status,
          lastResident: sleep.lastResident,
          droppedWatts: reading?.droppedWatts ?? null,
          otherwiseIdle,
          fittedWatts: this.fits.marginalAt(sleep.model, gpus, sleep.at - 1),
        },
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
      if (otherwiseIdle)
        this.learned.learnedSomething(sleep.model, sleep.lastResident ? 'last-resident' : 'shared');
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
      const endedAt = wake.endedAt;
      const reading = measureWake(
        this.samples.readingsOf(gpus, fromAt, wake.endedAt + m.maxGapMs),
        wake.requestedAt,
        wake.endedAt,
        m,
        (gpuIndex, baselineWatts) => {
          return this.wakeAttribution(
            wake.model,
            gpuIndex,
            wake.requestedAt,
            endedAt,
            baselineWatts,
          );
        },
      );
      // Only a wake alone on its GPU teaches the learned wake energy; a shared one is credited its attributed share.
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
        {
          status,
          energyJoules: reading === null ? null : Math.max(0, reading.energyJoules),
          otherwiseIdle,
          fittedJoules: this.fittedWakeJoules(wake.model, gpus, wake.requestedAt, endedAt),
        },
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
      if (otherwiseIdle && wake.outcome === 'ready')
        this.learned.learnedSomething(wake.model, 'wake');
    }
    return nextDueAt;
  }

  /**
   * What a wake drew on one GPU by the fit: its fitted loading watts over the wake, which 1 Hz readings of a
   * seconds-long wake cannot resolve better (docs/energy.md). Null while the fit has not seen the model load.
   */
  private fittedWakeJoules(
    model: string,
    gpus: readonly number[],
    requestedAt: number,
    endedAt: number,
  ): number | null {
    if (gpus.length === 0) return null;
    let watts = 0;
    for (const g of gpus) {
      const loading = this.fits.fitOf(g)?.loadingWatts(model);
      if (loading === null || loading === undefined) return null;
      watts += Math.max(0, loading);
    }
    return (watts * Math.max(0, endedAt - requestedAt)) / 1000;
  }

  /**
   * A wake's share of one GPU's power where the fit has not seen the model load: the power above the asleep
   * baseline, less what others' residency changed since the request and what others' loading draws (both from the
   * fit where it tells them), split evenly among the models loading whose loading watts the fit cannot tell.
   * Null without a fit or a residency timeline for the wake.
   */
  private wakeAttribution(
    model: string,
    gpuIndex: number,
    requestedAt: number,
    endedAt: number,
    baselineWatts: number,
  ): Attribution | null {
    const fit = this.fits.fitOf(gpuIndex);
    const atRequest = this.fits.stateAt(gpuIndex, requestedAt);
    if (!fit || !atRequest) return null;
    const residentAtRequest = fit.predict({ resident: atRequest.resident, loading: [] });
    return {
      breaks: this.fits.changesBetween(requestedAt, endedAt),
      at: (t) => {
        const state = this.fits.stateAt(gpuIndex, t) ?? atRequest;
        const residentNow = fit.predict({ resident: state.resident, loading: [] });
        let offsetWatts =
          baselineWatts +
          (residentNow !== null && residentAtRequest !== null
            ? residentNow - residentAtRequest
            : 0);
        let unknown = 1;
        for (const other of state.loading) {
          if (other === model) continue;
          const w = fit.loadingWatts(other);
          if (w === null) unknown += 1;
          else offsetWatts += w;
        }
        return { share: 1 / unknown, offsetWatts };
      },
    };
  }

  /** Another transition on the same GPUs in [fromAt, toAt], other than the events in `own`. */
  private disturbed(
    gpus: GpuSet,
    fromAt: number,
    toAt: number,
    own: (t: { id: number; at: number; model: string }) => boolean,
  ): boolean {
    return this.store
      .transitions(fromAt, toAt)
      .some((t) => !own(t) && gpusOverlap(t.gpuIndexes, gpus));
  }

  private utilizationLow(maxUtilizationPercent: number | null): boolean {
    return (
      maxUtilizationPercent === null ||
      maxUtilizationPercent <= this.settings.idleUtilizationPercent
    );
  }
}
