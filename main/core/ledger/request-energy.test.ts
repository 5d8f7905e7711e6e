// Energy per request on scripted readings: conservation (the shares add up to the energy above idle), sharing by
// tokens between concurrent requests, the idle baseline, and requests no reading covers.
import { describe, expect, it } from 'vitest';
import { gpuSample } from '../gpu/replay-probe';
import { RequestEnergy } from './request-energy';

const tick = (at: number, watts: number | null, index = 0) =>
  gpuSample({ index, powerWatts: watts, powerKind: 'average' }, at);

describe('RequestEnergy', () => {
  it('gives a lone request the energy above idle of the intervals it ran in', () => {
    const meter = new RequestEnergy();
    expect(meter.samples([tick(0, 60)])).toEqual([]);
    expect(meter.samples([tick(1000, 60)])).toEqual([]);
    const id = meter.begin({ startedAt: 1200, gpuIndexes: [0] });
    meter.samples([tick(2000, 260)]);
    expect(meter.end(id, 2500, 10)).toEqual([]);
    // Its end is not covered by a reading yet; the next one settles it: 2 intervals of 200 W above 60 W idle.
    expect(meter.samples([tick(3000, 260)])).toEqual([{ id, marginalJoules: 400 }]);
    expect(meter.pending).toBe(0);
  });

  it('shares an interval between concurrent requests by their token rates, and the shares add up', () => {
    const meter = new RequestEnergy();
    meter.samples([tick(0, 50)]);
    const a = meter.begin({ startedAt: 100, gpuIndexes: null });
    const b = meter.begin({ startedAt: 100, gpuIndexes: null });
    meter.samples([tick(1000, 150)]);
    expect(meter.end(a, 1000, 300)).toEqual([]);
    expect(meter.end(b, 1000, 100)).toEqual([]);
    // The next reading settles the interval (its own has no request in it).
    const settled = meter.samples([tick(2000, 50)]);
    const byId = new Map(settled.map((s) => [s.id, s.marginalJoules]));
    expect(byId.get(a)).toBeCloseTo(75, 6);
    expect(byId.get(b)).toBeCloseTo(25, 6);
  });

  it('learns the idle baseline from intervals with no request and gives a provisional receipt meanwhile', () => {
    const meter = new RequestEnergy();
    meter.samples([tick(0, 20)]);
    meter.samples([tick(1000, 80)]);
    const id = meter.begin({ startedAt: 1000, gpuIndexes: [0] });
    meter.samples([tick(2000, 180)]);
    expect(meter.joulesNow(id, 2500)).toBeCloseTo(150, 6);
    meter.end(id, 2500, 5);
    expect(meter.samples([tick(3000, 80)])[0]?.marginalJoules).toBeCloseTo(100, 6);
  });

  it('says null for a request on a GPU with no power reading', () => {
    const meter = new RequestEnergy();
    meter.samples([tick(0, null)]);
    const id = meter.begin({ startedAt: 10, gpuIndexes: [0] });
    meter.end(id, 500, 3);
    expect(meter.samples([tick(1000, null)])).toEqual([{ id, marginalJoules: null }]);
    const none = new RequestEnergy();
    const lone = none.begin({ startedAt: 0, gpuIndexes: null });
    expect(none.end(lone, 10, 1)).toEqual([{ id: lone, marginalJoules: null }]);
  });

  it('settles a request whose GPU went quiet a minute after it ended as unmeasured: no reading covered its end', () => {
    const meter = new RequestEnergy();
    meter.samples([tick(0, 50)]);
    const id = meter.begin({ startedAt: 100, gpuIndexes: [0] });
    meter.samples([tick(1000, 150)]);
    meter.end(id, 1500, 10);
    expect(meter.sweep(30_000)).toEqual([]);
    expect(meter.sweep(62_000)).toEqual([{ id, marginalJoules: null }]);
    expect(meter.pending).toBe(0);
  });

  it("takes no idle baseline from a wake's readings: the first request after it is measured against the GPU before", () => {
    const meter = new RequestEnergy();
    meter.samples([tick(0, 30)]);
    // Loading weights at 250 W, no request yet: not idle.
    meter.samples([tick(1000, 250)], new Set([0]));
    meter.samples([tick(2000, 250)], 'all');
    const id = meter.begin({ startedAt: 2000, gpuIndexes: [0] });
    meter.samples([tick(3000, 300)]);
    meter.end(id, 3000, 10);
    expect(meter.samples([tick(4000, 80)])).toEqual([{ id, marginalJoules: 270 }]);
  });
});
