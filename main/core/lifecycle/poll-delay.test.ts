// The readiness poll's pacing: fast while a typical model starts, gentler for slow loaders, never slower than 250 ms.
import { describe, expect, it } from 'vitest';
import { pollDelayMs } from './poll-delay';

describe('readiness poll pacing', () => {
  it('polls every 25 ms for the first 10 seconds of a wake', () => {
    let elapsedMs = 0;
    let attempt = 0;
    while (elapsedMs < 10_000) {
      expect(pollDelayMs(attempt)).toBe(25);
      elapsedMs += pollDelayMs(attempt);
      attempt += 1;
    }
  });

  it('then backs off, never waiting more than 250 ms between attempts', () => {
    const later = Array.from({ length: 50 }, (_, i) => pollDelayMs(400 + i));
    expect(later[0]).toBeGreaterThan(25);
    expect(Math.max(...later)).toBe(250);
    expect(later.every((delay, i) => i === 0 || delay >= (later[i - 1] ?? 0))).toBe(true);
  });
});
