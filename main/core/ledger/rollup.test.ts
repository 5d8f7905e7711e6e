// Unit tests of the minute and hour roll-ups, with hand-computed expectations.
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS, rollUpInto, rollUpMinutes } from './rollup';

describe('power roll-ups', () => {
  it('rolls 1 Hz readings into a minute: min, mean, max and the joules between them', () => {
    // 100 W for the first 30 readings, 200 W for the last 30; one reading on each side of the minute.
    const points = [{ at: -1000, powerWatts: 100 }];
    for (let s = 0; s < 60; s++) points.push({ at: s * 1000, powerWatts: s < 30 ? 100 : 200 });
    points.push({ at: 60_000, powerWatts: 200 });
    const [row, ...rest] = rollUpMinutes(0, points, 0, MINUTE_MS, 10_000);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      gpuIndex: 0,
      startAt: 0,
      sampleCount: 60,
      minWatts: 100,
      avgWatts: 150,
      maxWatts: 200,
      coveredMs: 60_000,
    });
    // 29 s at 100 W, the ramp 29 -> 30 s at 150 W, 30 s at 200 W = 2900 + 150 + 6000
    expect(row?.energyJoules).toBeCloseTo(9050, 9);
  });

  it('splits a reading pair that straddles two minutes and skips minutes without readings', () => {
    const points = [
      { at: 59_500, powerWatts: 100 },
      { at: 60_500, powerWatts: 300 },
    ];
    const rows = rollUpMinutes(0, points, 0, 3 * MINUTE_MS, 10_000);
    expect(rows.map((r) => r.startAt)).toEqual([0, MINUTE_MS]);
    // P(60 s) = 200 W: first minute gets (100 + 200) / 2 * 0.5 = 75 J, the second (200 + 300) / 2 * 0.5 = 125 J.
    expect(rows[0]?.energyJoules).toBeCloseTo(75, 9);
    expect(rows[1]?.energyJoules).toBeCloseTo(125, 9);
  });

  it('combines minutes into an hour weighting the mean by reading count', () => {
    const minute = (startAt: number, sampleCount: number, avgWatts: number) => ({
      gpuIndex: 1,
      startAt,
      sampleCount,
      minWatts: avgWatts - 5,
      avgWatts,
      maxWatts: avgWatts + 5,
      energyJoules: avgWatts * 60,
      coveredMs: 60_000,
    });
    const [hour] = rollUpInto(
      [minute(0, 60, 100), minute(MINUTE_MS, 30, 160), minute(HOUR_MS, 60, 1)],
      HOUR_MS,
    );
    // (60 * 100 + 30 * 160) / 90 = 120
    expect(hour).toEqual({
      gpuIndex: 1,
      startAt: 0,
      sampleCount: 90,
      minWatts: 95,
      avgWatts: 120,
      maxWatts: 165,
      energyJoules: 15_600,
      coveredMs: 120_000,
    });
  });

  it('refuses bounds that are not whole minutes', () => {
    expect(() => rollUpMinutes(0, [], 1, MINUTE_MS, 1000)).toThrow(/minute-aligned/);
  });
});
