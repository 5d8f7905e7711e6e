// The tick loop on a virtual clock: reads at a fixed rate, and `readNow` reads at once and moves the next tick on.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { startTickLoop } from './tick-loop';

/** A loop of 1 s whose plain reads record when they ran, ms from the start. */
function recordingLoop() {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const reads: number[] = [];
  const loop = startTickLoop(
    clock,
    1000,
    () => void reads.push(clock.now() - t0),
    () => undefined,
  );
  return { clock, reads, loop };
}

describe('startTickLoop', () => {
  it('reads at once, then every interval', async () => {
    const { clock, reads, loop } = recordingLoop();
    await clock.advance(2500);
    expect(reads).toEqual([0, 1000, 2000]);
    loop.stop();
  });

  it('readNow reads at once and resolves after that read; the next tick comes an interval later', async () => {
    const { clock, reads, loop } = recordingLoop();
    await clock.advance(1300);
    await loop.readNow();
    expect(reads).toEqual([0, 1000, 1300]);
    await clock.advance(1500);
    expect(reads).toEqual([0, 1000, 1300, 2300]);
    loop.stop();
    await loop.readNow();
    expect(reads).toHaveLength(4);
  });

  it('readNow during a slow read waits for it, then reads once more', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const reads: number[] = [];
    const loop = startTickLoop(
      clock,
      1000,
      async () => {
        await clock.sleep(200);
        reads.push(clock.now() - t0);
      },
      () => undefined,
    );
    await clock.advance(100);
    const now = loop.readNow();
    await clock.advance(300);
    await now;
    expect(reads).toEqual([200, 400]);
    loop.stop();
  });
});
