// Unit tests of reading a sleep's drop and a wake's energy from raw readings, with hand-computed expectations.
import { describe, expect, it } from 'vitest';
import type { Reading } from './measure';
import { DEFAULT_MEASUREMENT, measureSleep, measureWake } from './measure';

const S = 1000;
/** 1 Hz readings for t = from..to-1 seconds with power p(t). */
function readings(fromS: number, toS: number, watts: (s: number) => number, util = 0): Reading[] {
  const out: Reading[] = [];
  for (let s = fromS; s < toS; s++)
    out.push({ at: s * S, powerWatts: watts(s), utilizationPercent: util });
  return out;
}

describe('a sleep’s power drop', () => {
  it('is the median before minus the median after settling: 124 W to 70 W drops 54 W', () => {
    const list = readings(0, 200, (s) => (s < 100 ? 124 : 70));
    const r = measureSleep(new Map([[0, list]]), 100 * S, DEFAULT_MEASUREMENT);
    expect(r).toEqual({
      wattsBefore: 124,
      wattsAfter: 70,
      droppedWatts: 54,
      maxUtilizationPercent: 0,
    });
  });

  it('shrugs off a transitional spike (median, not mean) and sums the model’s GPUs', () => {
    const gpu0 = readings(0, 200, (s) => (s === 99 ? 300 : s < 100 ? 124 : 70));
    const gpu1 = readings(0, 200, (s) => (s < 100 ? 80 : 76));
    const r = measureSleep(
      new Map([
        [0, gpu0],
        [1, gpu1],
      ]),
      100 * S,
      DEFAULT_MEASUREMENT,
    );
    expect(r?.wattsBefore).toBe(204);
    expect(r?.wattsAfter).toBe(146);
    expect(r?.droppedWatts).toBe(58);
  });

  it('cannot be read without readings after the sleep', () => {
    expect(
      measureSleep(new Map([[0, readings(0, 100, () => 124)]]), 100 * S, DEFAULT_MEASUREMENT),
    ).toBeNull();
    expect(measureSleep(new Map(), 100 * S, DEFAULT_MEASUREMENT)).toBeNull();
  });
});

describe('a wake’s energy E_wake', () => {
  it('integrates power above the asleep baseline from request to ready', () => {
    // Baseline 70 W; 190 W for readings 100..119 s; 124 W from 120 s (ready at 120 s).
    // Trapezoids inside [100, 120): 19 s at 190 W and (190 + 124) / 2 = 157 W for the last second.
    // Above 70 W: 19 * 120 + 87 = 2367 J (the exact wake drew 2400 J: the last reading pair straddles "ready").
    const list = readings(0, 200, (s) => (s < 100 ? 70 : s < 120 ? 190 : 124));
    const r = measureWake(new Map([[0, list]]), 100 * S, 120 * S, DEFAULT_MEASUREMENT);
    expect(r?.baselineWatts).toBe(70);
    expect(r?.energyJoules).toBeCloseTo(2367, 9);
  });

  it('is exact from the energy counter with a reading at each end: the energy the wake drew, to the joule', () => {
    // Requested at 100 s, the server loads at 190 W from 100.3 s (its container started) to the ready at 120.5 s;
    // the counter between 1 Hz readings, and a reading taken 10 ms after the request and after the ready.
    const truthWatts = (t: number): number => (t < 100_300 ? 70 : t < 120_500 ? 190 : 124);
    const changes = [100_300, 120_500];
    const times = [...readings(0, 200, () => 0).map((r) => r.at), 100_010, 120_510].sort(
      (a, b) => a - b,
    );
    let joules = 0;
    let lastAt = 0;
    const list: Reading[] = times.map((at) => {
      // The counter integrates the true power exactly.
      for (const edge of [...changes, at])
        if (edge > lastAt && edge <= at) {
          joules += (truthWatts(lastAt) * (edge - lastAt)) / 1000;
          lastAt = edge;
        }
      return { at, powerWatts: truthWatts(at), utilizationPercent: 0, energyJoules: joules };
    });
    const r = measureWake(new Map([[0, list]]), 100_000, 120_500, DEFAULT_MEASUREMENT);
    // 20.2 s at 120 W above the asleep 70 W: 2424 J; the 10 ms after the ready cost 0.65 J of it.
    expect(Math.abs((r?.energyJoules ?? NaN) - 2424)).toBeLessThan(1);
    expect(r?.exact).toBe(true);
    // Without the reading at the ready the last interval is cut inside: not exact.
    const noEdge = list.filter((p) => p.at !== 120_510);
    expect(measureWake(new Map([[0, noEdge]]), 100_000, 120_500, DEFAULT_MEASUREMENT)?.exact).toBe(
      false,
    );
    // Power readings alone are never exact.
    const noCounter = list.map(({ at, powerWatts, utilizationPercent }) => ({
      at,
      powerWatts,
      utilizationPercent,
    }));
    expect(
      measureWake(new Map([[0, noCounter]]), 100_000, 120_500, DEFAULT_MEASUREMENT)?.exact,
    ).toBe(false);
  });

  it('cannot be read when readings cover less than 90% of the wake', () => {
    const list = readings(0, 200, () => 70).filter((r) => r.at < 100 * S || r.at > 115 * S);
    expect(measureWake(new Map([[0, list]]), 100 * S, 120 * S, DEFAULT_MEASUREMENT)).toBeNull();
  });
});
