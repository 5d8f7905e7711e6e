// Unit tests of the ledger's power arithmetic, with hand-computed expectations.
import { describe, expect, it } from 'vitest';
import {
  counterMeanWatts,
  integrateJoules,
  joulesToKwh,
  mean,
  median,
  percentile,
} from './power-math';

describe('energy integration', () => {
  it('integrates a ramp from 100 W to 200 W over one second as 150 J', () => {
    const r = integrateJoules(
      [
        { at: 0, powerWatts: 100 },
        { at: 1000, powerWatts: 200 },
      ],
      0,
      1000,
      5000,
    );
    expect(r.energyJoules).toBeCloseTo(150, 10);
    expect(r.coveredMs).toBe(1000);
  });

  it('interpolates where the span cuts a reading pair: the second half of that ramp is 87.5 J', () => {
    // P(500 ms) = 150 W; (150 + 200) / 2 * 0.5 s = 87.5 J
    const r = integrateJoules(
      [
        { at: 0, powerWatts: 100 },
        { at: 1000, powerWatts: 200 },
      ],
      500,
      2000,
      5000,
    );
    expect(r.energyJoules).toBeCloseTo(87.5, 10);
    expect(r.coveredMs).toBe(500);
  });

  it('leaves a gap longer than maxGapMs out rather than counting it', () => {
    const points = [
      { at: 0, powerWatts: 100 },
      { at: 1000, powerWatts: 100 },
      { at: 20_000, powerWatts: 100 },
      { at: 21_000, powerWatts: 300 },
    ];
    // 100 J for the first second, nothing for the 19 s gap, (100 + 300) / 2 = 200 J for the last second.
    const r = integrateJoules(points, 0, 21_000, 5000);
    expect(r.energyJoules).toBeCloseTo(300, 10);
    expect(r.coveredMs).toBe(2000);
  });

  it('takes the energy between two readings from the GPU counter where both carry it: a load between them is counted whole', () => {
    // Both readings say 60 W, but the card drew 120 W for 1.6 s of the 2 s between them: 120 * 1.6 + 60 * 0.4 = 216 J.
    const points = [
      { at: 0, powerWatts: 60, energyJoules: 5_000 },
      { at: 2000, powerWatts: 60, energyJoules: 5_216 },
    ];
    expect(integrateJoules(points, 0, 2000, 5000).energyJoules).toBeCloseTo(216, 10);
    // The trapezoid over the same readings sees none of the load.
    expect(
      integrateJoules(
        points.map(({ at, powerWatts }) => ({ at, powerWatts })),
        0,
        2000,
        5000,
      ).energyJoules,
    ).toBeCloseTo(120, 10);
    // A span that cuts the interval gets its share of the interval's mean: 108 W for 1 s.
    expect(integrateJoules(points, 1000, 3000, 5000).energyJoules).toBeCloseTo(108, 10);
  });

  it('falls back to the trapezoid where the counter went back (a driver reload) or did not move while the card drew power (a stale exporter)', () => {
    const reset = [
      { at: 0, powerWatts: 100, energyJoules: 9_000 },
      { at: 1000, powerWatts: 200, energyJoules: 3 },
    ];
    expect(integrateJoules(reset, 0, 1000, 5000).energyJoules).toBeCloseTo(150, 10);
    const stale = [
      { at: 0, powerWatts: 100, energyJoules: 9_000 },
      { at: 1000, powerWatts: 100, energyJoules: 9_000 },
    ];
    expect(integrateJoules(stale, 0, 1000, 5000).energyJoules).toBeCloseTo(100, 10);
    expect(counterMeanWatts(stale[0]!, stale[1]!)).toBeNull();
    // An idle card whose counter stands still draws nothing indeed.
    expect(
      counterMeanWatts(
        { at: 0, powerWatts: 0, energyJoules: 10 },
        { at: 1000, powerWatts: 0, energyJoules: 10 },
      ),
    ).toBe(0);
  });

  it('converts 3.6 MJ to 1 kWh', () => {
    expect(joulesToKwh(3_600_000)).toBe(1);
  });
});

describe('medians and percentiles', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(mean([1, 2, 6])).toBe(3);
  });

  it('uses the nearest rank: p50 of 1..4 is 2, p95 of 1..20 is 19, p95 of three values is the largest', () => {
    expect(percentile([4, 3, 2, 1], 50)).toBe(2);
    expect(
      percentile(
        Array.from({ length: 20 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(19);
    expect(percentile([100, 300, 200], 95)).toBe(300);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 0)).toThrow(/percentile/);
  });
});
