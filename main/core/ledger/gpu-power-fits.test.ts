// Per-GPU fits fed from the residency timeline: who held each GPU when, and which samples are left out.
import { describe, expect, it } from 'vitest';
import { GpuPowerFits, stateOn } from './gpu-power-fits';

describe('GpuPowerFits', () => {
  it('tells who held a GPU at any moment, a model on unknown GPUs counting on every GPU', () => {
    const fits = new GpuPowerFits();
    fits.noteResidency(1000, [
      { name: 'a', residency: 'ready', gpus: [0] },
      { name: 'b', residency: 'waking', gpus: [1] },
      { name: 'c', residency: 'ready', gpus: null },
    ]);
    fits.noteResidency(5000, [{ name: 'a', residency: 'down', gpus: [0] }]);
    expect(fits.stateAt(0, 500)).toBeNull();
    expect(fits.stateAt(0, 1000)).toEqual({ resident: ['a', 'c'], loading: [] });
    expect(fits.stateAt(1, 4999)).toEqual({ resident: ['c'], loading: ['b'] });
    expect(fits.stateAt(0, 6000)).toEqual({ resident: [], loading: [] });
    expect(fits.changesBetween(0, 6000)).toEqual([1000, 5000]);
    expect(stateOn([{ name: 'x', residency: 'unknown', gpus: [0] }], 0)).toEqual({
      resident: [],
      loading: [],
    });
  });

  it('leaves out samples while a GPU settles after a model left it, and while it serves', () => {
    const fits = new GpuPowerFits(() => true, {
      settleMs: 2000,
      keepTimelineMs: 60_000,
      idleUtilizationPercent: 10,
    });
    fits.noteResidency(0, [{ name: 'a', residency: 'ready', gpus: [0] }]);
    for (let t = 500; t < 10_000; t += 1000) fits.addSample(0, t, 130, 0);
    fits.noteResidency(10_000, [{ name: 'a', residency: 'down', gpus: [0] }]);
    fits.addSample(0, 10_500, 100, 0); // still settling: left out
    fits.addSample(0, 11_500, 90, 0); // still settling: left out
    for (let t = 12_500; t < 20_000; t += 1000) fits.addSample(0, t, 70, 0);
    fits.addSample(0, 20_500, 400, 95); // serving: left out
    expect(fits.fitOf(0)?.samples).toBe(10 + 8);
    expect(fits.marginalAt('a', [0], 20_000) ?? NaN).toBeCloseTo(60, 0);
    expect(fits.marginalAt('a', [0, 1], 20_000)).toBeNull(); // GPU 1 has no fit
  });

  it('takes back a sample read just before a model left: its container stopped before the sleep was recorded', () => {
    const fits = new GpuPowerFits(() => true, {
      settleMs: 2000,
      leadMs: 1000,
      keepTimelineMs: 60_000,
      idleUtilizationPercent: 10,
    });
    fits.noteResidency(0, [{ name: 'a', residency: 'ready', gpus: [0] }]);
    for (let t = 500; t < 9_000; t += 1000) fits.addSample(0, t, 130, 0);
    // The container is gone at 9.2 s (70 W read at 9.5 s), the stop returns and the sleep is recorded at 9.8 s.
    fits.addSample(0, 9_500, 70, 0);
    fits.noteResidency(9_800, [{ name: 'a', residency: 'down', gpus: [0] }]);
    for (let t = 12_500; t < 20_000; t += 1000) fits.addSample(0, t, 70, 0);
    expect(fits.fitOf(0)?.samples).toBe(9 + 8);
    expect(fits.marginalAt('a', [0], 20_000) ?? NaN).toBeCloseTo(60, 0); // 54 W had it stayed in
  });

  it("leaves out a reading taken at a change's very moment: a server told to start has not begun to load", () => {
    const fits = new GpuPowerFits(() => true, {
      settleMs: 2000,
      keepTimelineMs: 60_000,
      idleUtilizationPercent: 10,
    });
    fits.noteResidency(0, [{ name: 'a', residency: 'down', gpus: [0] }]);
    for (let t = 500; t < 5_000; t += 1000) fits.addSample(0, t, 70, 0);
    fits.noteResidency(5_000, [{ name: 'a', residency: 'waking', gpus: [0] }]);
    fits.addSample(0, 5_010, 70, 0); // the wake's edge reading: still the asleep power, left out
    for (let t = 5_500; t < 7_000; t += 400) fits.addSample(0, t, 190, 0);
    fits.noteResidency(7_000, [{ name: 'a', residency: 'ready', gpus: [0] }]);
    fits.addSample(0, 7_005, 190, 0); // the ready's edge reading: left out
    for (let t = 7_500; t < 12_000; t += 1000) fits.addSample(0, t, 130, 0);
    expect(fits.fitOf(0)?.samples).toBe(5 + 4 + 5);
    expect(fits.fitOf(0)?.loadingWatts('a') ?? NaN).toBeCloseTo(120, -1); // 96 W had the edge been fitted
  });

  it('forgets residency older than it keeps', () => {
    const fits = new GpuPowerFits(() => true, {
      settleMs: 0,
      keepTimelineMs: 10_000,
      idleUtilizationPercent: 10,
    });
    fits.noteResidency(0, [{ name: 'a', residency: 'ready', gpus: [0] }]);
    fits.noteResidency(5_000, [{ name: 'a', residency: 'down', gpus: [0] }]);
    fits.noteResidency(20_000, [{ name: 'a', residency: 'ready', gpus: [0] }]);
    expect(fits.stateAt(0, 1_000)).toBeNull();
    expect(fits.stateAt(0, 12_000)).toEqual({ resident: [], loading: [] });
  });
});
