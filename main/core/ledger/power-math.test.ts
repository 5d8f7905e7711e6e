// Unit tests of the ledger's power arithmetic, with hand-computed expectations.
import { describe, expect, it } from 'vitest';
import { integrateJoules, joulesToKwh, mean, median, percentile } from './power-math';

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
