// Measures the sleeps and wakes whose reading windows the power samples now cover (or gives them up): what each one
// dropped or cost, whether the GPU was otherwise idle, and the credit that follows; clean readings teach the costs.
import { fittedDropOf, standInsOf, withDozeMeter, type DozeMeterReading } from './doze-credit';
import type { EventStore, WakeRecord } from './event-store';
import type { GpuPowerFits } from './gpu-power-fits';
import type { Estimate } from './power-fit';
import type { LearnedCostCache } from './learned-costs';
import type { MeasurementSettings } from './measure';
import { measureSleep, measureWake, sleepWindowEndAt } from './measure';
import type { Attribution } from './power-math';
import type { PowerSamples } from './power-samples';
import type { GpuSet } from './residency';
import { gpusOverlap } from './residency';
import { creditSleep, creditWake, fittedCredit, withUncertainty } from './savings';

/** Resolves pending measurements inside the flush's transaction. */
export class MeasurementResolver {
  constructor(
    private readonly store: EventStore,
    private readonly samples: PowerSamples,
    private readonly learned: LearnedCostCache,
    private readonly idleWattsOf: (model: string) => number | null,
    private readonly settings: MeasurementSettings,
    private readonly fits: GpuPowerFits,
    /** The doze meter's reading of a model's last doze (issue 15), or null. */
    private readonly dozeMeterOf: (model: string) => DozeMeterReading | null = () => null,
  ) {}

  /** Measures what is due; returns when to look again (Infinity when nothing waits). */
  resolve(now: number): number {
    this.refitTakeovers(now);
    return Math.min(this.resolveSleeps(now), this.resolveWakes(now));
  }

  /**
   * A takeover the fit could not tell when it happened (the model's watts beside the others not yet separable from
   * the context step) is credited from the fit once later samples tell it, while the residency timeline reaches back;
   * one with no figure at all gets the `unidentified` bound once the fit knows the model's cost alone.
   */
  private refitTakeovers(now: number): void {
    for (const sleep of this.store.unfittedTakeovers(now - this.fits.timelineMs)) {
      if (sleep.takeoverAt === null) continue;
      const gpus = this.samples.gpusToRead(sleep.gpuIndexes);
      const fitted = this.fits.marginalEstimateAt(sleep.model, gpus, sleep.takeoverAt);
      if (fitted !== null) {
        this.store.setTakeover(sleep.id, sleep.takeoverAt, fittedCredit(fitted));
        continue;
      }
      // Nothing at all at the time: once the fit knows its cost alone, say it is not yet identifiable with that bound.
      const alone =
        sleep.takeoverSource === 'none' ? this.fits.aloneWatts(sleep.model, gpus) : null;
      if (alone !== null)
        this.store.setTakeover(
          sleep.id,
          sleep.takeoverAt,
          withUncertainty({ value: Math.max(0, alone), source: 'unidentified' }),
        );
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
      const fitted = fittedDropOf(this.fits, sleep, gpus);
      const standIns = standInsOf(
        sleep,
        this.learned.of(sleep.model),
        this.idleWattsOf(sleep.model),
      );
      const credit = withDozeMeter(
        sleep,
        this.dozeMeterOf(sleep.model),
        this.fits.noiseWatts(gpus),
      )(
        creditSleep(
          {
            status,
            lastResident: sleep.lastResident,
            droppedWatts: reading?.droppedWatts ?? null,
            otherwiseIdle,
            fittedWatts: fitted?.watts ?? null,
            fittedErrorWatts: fitted?.standardErrorWatts ?? null,
            samplingWatts: this.fits.noiseWatts(gpus) * MEDIANS_NOISE_FACTOR,
          },
          standIns.learned,
          standIns.idleWatts,
        ),
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
    const pending = this.store.pendingWakes();
    for (const wake of pending) {
      if (wake.outcome === null || wake.endedAt === null) continue;
      const gpus = this.samples.gpusToRead(wake.gpuIndexes);
      const giveUpAt = wake.endedAt + m.maxGapMs + m.giveUpAfterMs;
      if (!this.samples.covered(gpus, wake.endedAt) && now < giveUpAt) {
        nextDueAt = Math.min(nextDueAt, giveUpAt);
        continue;
      }
      // Wakes that loaded side by side are split by the same fit: one resolved before the others' loading reached
      // the fit would be split by what the fit knew then, and the shares would not add up to the rise.
      if (now < giveUpAt && this.sideBySideUnfinished(wake, pending)) {
        nextDueAt = Math.min(nextDueAt, giveUpAt, now + FIT_RECHECK_MS);
        continue;
      }
      // Its GPU's power with the models resident at the request, from the fit rather than a window a transition
      // may have disturbed: wait for the fit to tell it (a state seen only since), up to the give-up time.
      if (now < giveUpAt && gpus.some((g) => this.fits.predictsAt(g, wake.requestedAt) === false)) {
        nextDueAt = Math.min(nextDueAt, giveUpAt, now + FIT_RECHECK_MS);
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
      const shared =
        reading !== null && this.sharedEvenly(wake.model, gpus, wake.requestedAt, endedAt);
      const credit = creditWake(
        {
          status,
          energyJoules: reading === null ? null : Math.max(0, reading.energyJoules),
          otherwiseIdle,
          ...this.fittedWake(wake.model, gpus, wake.requestedAt, endedAt),
          // From the counter with a reading at each end and split by what the fit knows, it is what this wake drew.
          exact: reading !== null && reading.exact && !shared,
          // Read from the counter with a reading at each end, the integral is the energy drawn: no sampling part.
          samplingJoules:
            reading === null || reading.exact
              ? 0
              : endsNoiseJoules(reading.energyJoules, endedAt - wake.requestedAt),
          // Split by the fit: even among loading models it does not know, which may be off by half the figure.
          ...(reading === null
            ? {}
            : { attributionJoules: shared ? 0.5 * Math.abs(reading.energyJoules) : 0 }),
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
   * What a wake drew on its GPUs by the fit, with the fit's standard error: its fitted loading watts over the wake,
   * which 1 Hz readings of a seconds-long wake cannot resolve better (docs/energy.md). Nulls while the fit has not
   * seen the model load.
   */
  private fittedWake(
    model: string,
    gpus: readonly number[],
    requestedAt: number,
    endedAt: number,
  ): { fittedJoules: number | null; fittedErrorJoules: number | null } {
    const unknown = { fittedJoules: null, fittedErrorJoules: null };
    if (gpus.length === 0) return unknown;
    let watts = 0;
    let errorWatts = 0;
    for (const g of gpus) {
      const loading = this.fits.fitOf(g)?.loading(model);
      if (loading === null || loading === undefined) return unknown;
      watts += Math.max(0, loading.watts);
      errorWatts += loading.standardErrorWatts ?? 0;
    }
    const seconds = Math.max(0, endedAt - requestedAt) / 1000;
    return { fittedJoules: watts * seconds, fittedErrorJoules: errorWatts * seconds };
  }

  /**
   * A wake's share of one GPU's power where the fit has not seen the model load: the power above what the models
   * resident at each moment draw (the fit's prediction; else the asleep baseline) and above what others' loading draws where the fit knows it. The rest is split among the loading
   * models the fit does not know, evenly, but for a model whose residency the fit shows costs the GPU nothing: holding
   * no context there, it draws nothing loading either (docs/energy.md).
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
    return {
      breaks: this.fits.changesBetween(requestedAt, endedAt),
      at: (t) => {
        const state = this.fits.stateAt(gpuIndex, t) ?? atRequest;
        const resident = { resident: state.resident, loading: [] };
        const residentNow = fit.predict(resident) ?? fit.pointPredict(resident);
        let offsetWatts = residentNow ?? baselineWatts;
        const unknown = [model];
        for (const other of state.loading) {
          if (other === model) continue;
          const w = fit.loadingWatts(other);
          if (w === null) unknown.push(other);
          else offsetWatts += w;
        }
        // A model the fit shows costs the GPU nothing resident (beside the others loading, else alone) weighs 0.
        const weightOf = (m: string): number => {
          const others = unknown.filter((o) => o !== m);
          const cost = fit.marginal(m, others) ?? fit.marginal(m, []);
          return cost === null || costsSomething(cost) ? 1 : 0;
        };
        return { share: shareOf(unknown, weightOf), offsetWatts };
      },
    };
  }

  /**
   * Whether a wake shared its GPUs' rise evenly with another loading model the fit could not tell apart (one that
   * costs something resident beside it, or unknown); no fit or timeline counts as shared.
   */
  private sharedEvenly(
    model: string,
    gpus: readonly number[],
    requestedAt: number,
    endedAt: number,
  ): boolean {
    return gpus.some((g) => {
      const fit = this.fits.fitOf(g);
      const moments = [requestedAt, ...this.fits.changesBetween(requestedAt, endedAt)];
      const states = moments.map((t) => this.fits.stateAt(g, t));
      if (!fit || states.some((state) => state === null)) return true;
      return states.some((state) =>
        (state?.loading ?? []).some((other) => {
          if (other === model || fit.loadingWatts(other) !== null) return false;
          const cost = fit.marginal(other, [model]) ?? fit.marginal(other, []);
          return cost === null || costsSomething(cost);
        }),
      );
    });
  }

  /** Whether another wake loaded on the same GPUs during `wake` and has not ended, or its readings not arrived yet. */
  private sideBySideUnfinished(wake: WakeRecord, pending: readonly WakeRecord[]): boolean {
    const endedAt = wake.endedAt ?? Infinity;
    return pending.some(
      (other) =>
        other.id !== wake.id &&
        other.requestedAt < endedAt &&
        (other.endedAt ?? Infinity) > wake.requestedAt &&
        gpusOverlap(other.gpuIndexes, wake.gpuIndexes) &&
        (other.endedAt === null ||
          !this.samples.covered(this.samples.gpusToRead(other.gpuIndexes), other.endedAt)),
    );
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

/** How often a wake waiting for the fit to tell its GPU's resident power looks again. */
const FIT_RECHECK_MS = 10_000;

/**
 * The noise of a drop read as the difference of two windows' medians (30 and 20 readings at 1 Hz), per watt of the
 * readings' noise: a median's standard error is about 1.25 sigma / sqrt(n).
 */
const MEDIANS_NOISE_FACTOR = 1.25 * Math.sqrt(1 / 30 + 1 / 20);

/**
 * The sampling uncertainty of a wake's integral over 1 Hz readings: each end may be misplaced by up to half a reading
 * interval of the wake's mean rise (two independent ends), never more than the energy itself.
 */
function endsNoiseJoules(energyJoules: number, spanMs: number): number {
  const magnitude = Math.abs(energyJoules);
  if (spanMs <= 0) return magnitude;
  const meanRiseWatts = magnitude / (spanMs / 1000);
  return Math.min(magnitude, meanRiseWatts * 0.5 * Math.SQRT2);
}

/** Whether a fitted cost is clearly above zero: over 1 W and over two standard errors. */
function costsSomething(cost: Estimate): boolean {
  return cost.watts > Math.max(1, 2 * (cost.standardErrorWatts ?? 0));
}

/**
 * The first of `models`' share of what they draw together, in proportion to each one's weight (negative counts as
 * zero; an unknown weight as the known ones' mean); evenly when no weight is known or all are zero.
 */
export function shareOf(
  models: readonly string[],
  weightOf: (model: string) => number | null,
): number {
  if (models.length === 0) return 0;
  const weights = models.map((m) => {
    const w = weightOf(m);
    return w === null ? null : Math.max(0, w);
  });
  const known = weights.filter((w): w is number => w !== null);
  const mean = known.length === 0 ? 1 : known.reduce((a, b) => a + b, 0) / known.length;
  const filled = weights.map((w) => w ?? mean);
  const total = filled.reduce((a, b) => a + b, 0);
  return total > 0 ? (filled[0] ?? 0) / total : 1 / models.length;
}
