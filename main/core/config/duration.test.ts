// Durations as users write them for idle and wake timeouts.
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['0', 0],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'ten minutes', '10 parsecs', 'm'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('writes what it reads back', () => {
    for (const ms of [500, 90_000, 600_000, 5_400_000])
      expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
