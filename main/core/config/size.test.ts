// Sizes as users write them for siesta.vram / vram.
import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize } from './size';

describe('parseSize', () => {
  it.each([
    ['512MiB', 512 * 2 ** 20],
    ['20GiB', 20 * 2 ** 30],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['20GB', 20e9],
    ['2TiB', 2 * 2 ** 40],
    ['4KiB', 4096],
    ['3kb', 3000],
    ['20 gib', 20 * 2 ** 30],
    ['1048576', 1_048_576],
    ['100B', 100],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'GiB', '20G', '20 gigs', '-1GiB', '1e3', '20GiB ram', '99999999999TiB'])(
    'refuses %j',
    (text) => {
      expect(parseSize(text)).toBeNull();
    },
  );
});

describe('formatBytes', () => {
  it.each([
    [999, '999B'],
    [512 * 2 ** 20, '512MiB'],
    [1.5 * 2 ** 30, '1.5GiB'],
    [14 * 2 ** 30, '14GiB'],
    [2 * 2 ** 40, '2TiB'],
  ])('writes %d as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('writes what parseSize reads back', () => {
    for (const bytes of [4096, 3 * 2 ** 20, 20 * 2 ** 30, 2 ** 41])
      expect(parseSize(formatBytes(bytes))).toBe(bytes);
  });
});
