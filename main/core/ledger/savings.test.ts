// Unit tests of the savings arithmetic: credits, the sum over time asleep, money and CO2.
import { describe, expect, it } from 'vitest';
import type { LearnedCosts } from './savings';
import {
  NOTHING_LEARNED,
  NO_AVERAGE,
  addToAverage,
  averageOf,
  co2GramsOf,
  creditAfterTakeover,
  creditSleep,
  creditWake,
  isEstimate,
  moneyOf,
} from './savings';

const learned = (last: number[], shared: number[], wakes: number[] = []): LearnedCosts => ({
  lastResidentWatts: last.reduce(addToAverage, NO_AVERAGE),
  sharedWatts: shared.reduce(addToAverage, NO_AVERAGE),
  wakeJoules: wakes.reduce(addToAverage, NO_AVERAGE),
});

describe('idle cost dP', () => {
  it('averages clean drops: 50, 54 and 58 W give 54 W over 3 sleeps', () => {
    const avg = [50, 54, 58].reduce(addToAverage, NO_AVERAGE);
    expect(avg).toEqual({ sum: 162, count: 3 });
    expect(averageOf(avg)).toBe(54);
    expect(averageOf(NO_AVERAGE)).toBeNull();
  });

  it('credits a clean sleep with what the GPU really dropped', () => {
    const c = creditSleep(
      { status: 'measured', lastResident: false, droppedWatts: 4.2, otherwiseIdle: true },
      learned([54], []),
      30,
    );
    expect(c).toMatchObject({ value: 4.2, source: 'measured' });
  });

  it('gives each credit its uncertainty: sensor, sampling and attribution, none for an estimate', () => {
    // Measured 60 W drop, 0.4 W of sampling noise: 5% sensor gain (3 W) and the noise, in quadrature.
    const measured = creditSleep(
      {
        status: 'measured',
        lastResident: true,
        droppedWatts: 60,
        otherwiseIdle: true,
        samplingWatts: 0.4,
      },
      NOTHING_LEARNED,
      null,
    );
    expect(measured.uncertainty).toBeCloseTo(Math.hypot(3, 0.4), 9);
    // Fitted 20 W with a 1.5 W standard error: the fit's error is the attribution's part.
    const fitted = creditSleep(
      {
        status: 'measured',
        lastResident: false,
        droppedWatts: 60,
        otherwiseIdle: false,
        fittedWatts: 20,
        fittedErrorWatts: 1.5,
        samplingWatts: 0.4,
      },
      NOTHING_LEARNED,
      null,
    );
    expect(fitted).toMatchObject({ value: 20, source: 'fitted' });
    expect(fitted.uncertainty).toBeCloseTo(Math.hypot(1, 1.5), 9);
    // A disturbed reading may be another model's drop entirely: its whole value.
    const unclean = creditSleep(
      { status: 'measured', lastResident: true, droppedWatts: 10, otherwiseIdle: false },
      NOTHING_LEARNED,
      null,
    );
    expect(unclean.uncertainty).toBeCloseTo(Math.hypot(0.5, 10), 9);
    // The spec's idle watts: an estimate, marked so, with no range.
    const spec = creditSleep(
      { status: 'unmeasured', lastResident: true, droppedWatts: null, otherwiseIdle: null },
      NOTHING_LEARNED,
      30,
    );
    expect(spec.uncertainty).toBeNull();
    // A wake from the fit: its loading watts' error times the wake's length.
    const wake = creditWake(
      {
        status: 'measured',
        energyJoules: 300,
        otherwiseIdle: false,
        fittedJoules: 240,
        fittedErrorJoules: 8,
      },
      NOTHING_LEARNED,
    );
    expect(wake.uncertainty).toBeCloseTo(Math.hypot(12, 8), 9);
  });

  it('credits a disturbed sleep with the learned average of the same case', () => {
    const facts = {
      status: 'measured' as const,
      lastResident: true,
      droppedWatts: 190,
      otherwiseIdle: false,
    };
    expect(creditSleep(facts, learned([50, 58], [4]), null)).toMatchObject({
      value: 54,
      source: 'learned',
    });
    expect(
      creditSleep({ ...facts, lastResident: false }, learned([50, 58], [4]), null),
    ).toMatchObject({
      value: 4,
      source: 'learned',
    });
  });

  it('falls back to the disturbed reading (never below zero), then the spec idleWatts, then zero', () => {
    expect(
      creditSleep(
        { status: 'measured', lastResident: true, droppedWatts: -3, otherwiseIdle: false },
        NOTHING_LEARNED,
        30,
      ),
    ).toMatchObject({
      value: 0,
      source: 'unclean',
    });
    const spec = creditSleep(
      { status: 'unmeasured', lastResident: true, droppedWatts: null, otherwiseIdle: null },
      NOTHING_LEARNED,
      30,
    );
    expect(spec).toMatchObject({ value: 30, source: 'spec' });
    expect(isEstimate(spec.source)).toBe(true);
    const none = creditSleep(
      { status: 'unmeasured', lastResident: true, droppedWatts: null, otherwiseIdle: null },
      NOTHING_LEARNED,
      null,
    );
    expect(none).toMatchObject({ value: 0, source: 'none' });
    expect(isEstimate('learned')).toBe(false);
  });

  it('after a takeover credits the model its own shared cost, else the GPU’s, else zero', () => {
    expect(creditAfterTakeover(learned([54], [3, 5]), NO_AVERAGE)).toMatchObject({
      value: 4,
      source: 'learned',
    });
    expect(creditAfterTakeover(NOTHING_LEARNED, { sum: 12, count: 2 })).toMatchObject({
      value: 6,
      source: 'gpu-learned',
    });
    expect(creditAfterTakeover(NOTHING_LEARNED, NO_AVERAGE)).toMatchObject({
      value: 0,
      source: 'none',
    });
  });
});

describe('wake energy E_wake', () => {
  it('charges a clean wake its own reading, a disturbed one the learned mean', () => {
    expect(
      creditWake(
        { status: 'measured', energyJoules: 2400, otherwiseIdle: true },
        learned([], [], [1000]),
      ),
    ).toMatchObject({
      value: 2400,
      source: 'measured',
    });
    expect(
      creditWake(
        { status: 'measured', energyJoules: 9000, otherwiseIdle: false },
        learned([], [], [2000, 3000]),
      ),
    ).toMatchObject({
      value: 2500,
      source: 'learned',
    });
    expect(
      creditWake(
        { status: 'unmeasured', energyJoules: null, otherwiseIdle: null },
        NOTHING_LEARNED,
      ),
    ).toMatchObject({ value: 0, source: 'none' });
  });
});

describe('wake energy from the GPU counter', () => {
  it("charges what the counter says the wake drew before the fit's average, with the sensor's range alone", () => {
    const facts = {
      status: 'measured',
      energyJoules: 191.2,
      otherwiseIdle: false,
      fittedJoules: 176,
      fittedErrorJoules: 12,
      samplingJoules: 0,
      attributionJoules: 0,
    } as const;
    const exact = creditWake({ ...facts, exact: true }, learned([], [], [150]));
    expect(exact).toMatchObject({ value: 191.2, source: 'measured' });
    expect(exact.uncertainty ?? NaN).toBeCloseTo(0.05 * 191.2, 9);
    // Not exact (power readings, or an end inside a reading interval): the fit's average, as before.
    expect(creditWake(facts, learned([], [], [150]))).toMatchObject({
      value: 176,
      source: 'fitted',
    });
  });
});

describe('money and CO2', () => {
  it('turns 1 kWh into money and CO2 from the settings, and null where they are not set', () => {
    const pricing = { pricePerKwh: 0.3, currency: 'EUR', gridCo2GramsPerKwh: 400 };
    expect(moneyOf(3_600_000, pricing)).toBeCloseTo(0.3, 12);
    expect(co2GramsOf(3_600_000, pricing)).toBe(400);
    expect(moneyOf(3_600_000, { ...pricing, pricePerKwh: null })).toBeNull();
    expect(co2GramsOf(3_600_000, { ...pricing, gridCo2GramsPerKwh: null })).toBeNull();
  });
});
