// Memory on its way back after an eviction: the scheduler waits for it instead of evicting one model too many.
import { describe, expect, it } from 'vitest';
import { ReleaseTracker } from './release-tracker';
import { GIB } from './testdata/scheduler-fixtures';

const T0 = Date.UTC(2026, 0, 1);

describe('memory on its way back', () => {
  it('counts what an evicted model still holds until the reading shows it free', () => {
    const tracker = new ReleaseTracker(10_000);
    tracker.add(0, 4 * GIB, 14 * GIB, T0);
    expect(tracker.releasingBytes(0, 4 * GIB, T0 + 100)).toBe(14 * GIB);
    expect(tracker.releasingBytes(0, 10 * GIB, T0 + 200)).toBe(8 * GIB);
    expect(tracker.releasingBytes(0, 18 * GIB, T0 + 300)).toBe(0);
    // Once shown, the batch is over: later drops (another model loading) are not memory "coming back".
    expect(tracker.releasingBytes(0, 4 * GIB, T0 + 400)).toBe(0);
  });

  it('adds models evicted together on one GPU, and keeps GPUs apart', () => {
    const tracker = new ReleaseTracker(10_000);
    tracker.add(0, 0, 6 * GIB, T0);
    tracker.add(0, 0, 6 * GIB, T0);
    tracker.add(1, 2 * GIB, 10 * GIB, T0);
    expect(tracker.releasingBytes(0, 6 * GIB, T0 + 100)).toBe(6 * GIB);
    expect(tracker.releasingBytes(1, 2 * GIB, T0 + 100)).toBe(10 * GIB);
  });

  it('gives up waiting after the settle time, when the estimate was too high', () => {
    const tracker = new ReleaseTracker(10_000);
    tracker.add(0, 0, 14 * GIB, T0);
    expect(tracker.releasingBytes(0, 12 * GIB, T0 + 9_999)).toBe(2 * GIB);
    expect(tracker.releasingBytes(0, 12 * GIB, T0 + 10_000)).toBe(0);
  });

  it('waits an unknown amount for a model of unknown size until any memory comes back', () => {
    const tracker = new ReleaseTracker(10_000);
    tracker.add(0, 3 * GIB, null, T0);
    expect(tracker.releasingBytes(0, 3 * GIB, T0 + 100)).toBeNull();
    expect(tracker.releasingBytes(0, 7 * GIB, T0 + 200)).toBe(0);
  });

  it('has nothing to wait for without a reading', () => {
    const tracker = new ReleaseTracker(10_000);
    tracker.add(0, null, 14 * GIB, T0);
    expect(tracker.releasingBytes(0, 4 * GIB, T0)).toBe(0);
    tracker.add(1, 4 * GIB, 14 * GIB, T0);
    expect(tracker.releasingBytes(1, null, T0)).toBe(0);
  });
});
