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
    expect(c).toEqual({ value: 4.2, source: 'measured' });
  });

  it('credits a disturbed sleep with the learned average of the same case', () => {
    const facts = {
      status: 'measured' as const,
      lastResident: true,
      droppedWatts: 190,
      otherwiseIdle: false,
    };
    expect(creditSleep(facts, learned([50, 58], [4]), null)).toEqual({
      value: 54,
      source: 'learned',
    });
    expect(creditSleep({ ...facts, lastResident: false }, learned([50, 58], [4]), null)).toEqual({
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
    ).toEqual({
      value: 0,
      source: 'unclean',
    });
    const spec = creditSleep(
      { status: 'unmeasured', lastResident: true, droppedWatts: null, otherwiseIdle: null },
      NOTHING_LEARNED,
      30,
    );
    expect(spec).toEqual({ value: 30, source: 'spec' });
    expect(isEstimate(spec.source)).toBe(true);
    const none = creditSleep(
      { status: 'unmeasured', lastResident: true, droppedWatts: null, otherwiseIdle: null },
      NOTHING_LEARNED,
      null,
    );
    expect(none).toEqual({ value: 0, source: 'none' });
    expect(isEstimate('learned')).toBe(false);
  });

  it('after a takeover credits the model its own shared cost, else the GPU’s, else zero', () => {
    expect(creditAfterTakeover(learned([54], [3, 5]), NO_AVERAGE)).toEqual({
      value: 4,
      source: 'learned',
    });
    expect(creditAfterTakeover(NOTHING_LEARNED, { sum: 12, count: 2 })).toEqual({
      value: 6,
      source: 'gpu-learned',
    });
    expect(creditAfterTakeover(NOTHING_LEARNED, NO_AVERAGE)).toEqual({ value: 0, source: 'none' });
  });
});

describe('wake energy E_wake', () => {
  it('charges a clean wake its own reading, a disturbed one the learned mean', () => {
    expect(
      creditWake(
        { status: 'measured', energyJoules: 2400, otherwiseIdle: true },
        learned([], [], [1000]),
      ),
    ).toEqual({
      value: 2400,
      source: 'measured',
    });
    expect(
      creditWake(
        { status: 'measured', energyJoules: 9000, otherwiseIdle: false },
        learned([], [], [2000, 3000]),
      ),
    ).toEqual({
      value: 2500,
      source: 'learned',
    });
    expect(
      creditWake(
        { status: 'unmeasured', energyJoules: null, otherwiseIdle: null },
        NOTHING_LEARNED,
      ),
    ).toEqual({ value: 0, source: 'none' });
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
