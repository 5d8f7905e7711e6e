// The replay probe other tests drive: timed frames from a capture, a function of time, overrides, and outages.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import type { GpuSample } from './gpu-sample';
import { capturedProcesses, capturedSamples } from './nvidia-smi-capture';
import { gpuSample, ReplayProbe } from './replay-probe';
import { CAPTURES, readFixture } from './testdata/gpu-fixtures';

const GIB = 1024 ** 3;

function record(probe: ReplayProbe): (readonly GpuSample[])[] {
  const ticks: (readonly GpuSample[])[] = [];
  void probe.start((s) => ticks.push(s));
  return ticks;
}

describe('replay probe', () => {
  it('plays the H100 capture idle, then under load, on the virtual clock', async () => {
    const text = readFixture(CAPTURES.h100);
    const clock = new VirtualClock();
    const probe = new ReplayProbe({
      clock,
      frames: [
        { atOffsetMs: 0, gpus: capturedSamples(text, 'idle', 0) },
        { atOffsetMs: 3000, gpus: capturedSamples(text, 'load', 0) },
      ],
      processes: capturedProcesses(text, 'load'),
    });
    const ticks = record(probe);
    expect(ticks).toHaveLength(1);
    await clock.advance(4000);
    expect(ticks.map((t) => t[0]!.powerWatts)).toEqual([69.85, 69.85, 69.85, 631.95, 631.95]);
    expect(ticks.map((t) => t[0]!.at - ticks[0]![0]!.at)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect((await probe.processes()).map((p) => p.pid)).toEqual([11327, 11328, 11345]);
    expect(probe.status()).toEqual({
      backend: 'replay',
      gpuCount: 1,
      lastError: null,
      lastSampleAt: clock.now(),
    });
    await probe.stop();
    await clock.advance(5000);
    expect(ticks).toHaveLength(5);
  });

  it('lets a test set the VRAM and power it reports, until it clears them', async () => {
    const clock = new VirtualClock();
    const probe = new ReplayProbe({
      clock,
      gpus: [
        {
          index: 0,
          vramTotalBytes: 24 * GIB,
          vramUsedBytes: 1 * GIB,
          powerWatts: 20,
          powerKind: 'average',
        },
        { index: 1 },
      ],
    });
    const ticks = record(probe);
    probe.setVramUsedBytes(0, 18 * GIB);
    probe.setPowerWatts(1, 55);
    await clock.advance(1000);
    expect(ticks[1]!.map((s) => [s.index, s.vramUsedBytes, s.powerWatts, s.powerKind])).toEqual([
      [0, 18 * GIB, 20, 'average'],
      [1, null, 55, 'average'],
    ]);
    expect(probe.emitNow()[0]!.vramUsedBytes).toBe(18 * GIB);
    expect(ticks).toHaveLength(3);
    probe.clearOverrides();
    expect(probe.current()[0]!.vramUsedBytes).toBe(1 * GIB);
  });

  it('follows a script of time, and loops frames', async () => {
    const clock = new VirtualClock();
    const scripted = new ReplayProbe({
      clock,
      intervalMs: 500,
      script: (_at, tick) => [{ index: 0, powerWatts: 10 + tick }],
    });
    const ticks = record(scripted);
    await clock.advance(1000);
    expect(ticks.map((t) => t[0]!.powerWatts)).toEqual([10, 11, 12]);

    const looping = new ReplayProbe({
      clock,
      loop: true,
      frames: [
        { atOffsetMs: 0, gpus: [{ index: 0, powerWatts: 1 }] },
        { atOffsetMs: 1000, gpus: [{ index: 0, powerWatts: 2 }] },
      ],
    });
    const loops = record(looping);
    await clock.advance(4000);
    expect(loops.map((t) => t[0]!.powerWatts)).toEqual([1, 2, 1, 2, 1]);
  });

  it('goes quiet while failing, so its samples turn stale, and comes back', async () => {
    const clock = new VirtualClock();
    const probe = new ReplayProbe({ clock, gpus: [{ index: 0, powerWatts: 30 }] });
    const ticks = record(probe);
    const firstAt = clock.now();
    probe.fail('nvidia-smi exited with code 15: GPU is lost');
    await clock.advance(3000);
    expect(ticks).toHaveLength(1);
    expect(probe.status()).toMatchObject({
      lastError: 'nvidia-smi exited with code 15: GPU is lost',
      lastSampleAt: firstAt,
    });
    await expect(probe.processes()).rejects.toThrow(/GPU is lost/);
    probe.recover();
    await clock.advance(1000);
    expect(ticks).toHaveLength(2);
    expect(probe.status().lastError).toBeNull();
  });

  it('fills a reading into a full sample and refuses an ambiguous set-up', () => {
    expect(gpuSample({ index: 2, powerWatts: 5 }, 123)).toEqual({
      at: 123,
      index: 2,
      uuid: 'GPU-replay-2',
      name: 'Replay GPU 2',
      vendor: 'nvidia',
      vramUsedBytes: null,
      vramTotalBytes: null,
      powerWatts: 5,
      powerKind: null,
      energyJoules: null,
      powerLimitWatts: null,
      pstate: null,
      utilizationPercent: null,
      temperatureC: null,
    });
    expect(() => new ReplayProbe({ clock: new VirtualClock() })).toThrow(
      /exactly one of gpus, frames or script \(got 0\)/,
    );
  });
});
