// rocm-smi --json from ROCm 4.3, 6.0 and 6.1: string values, changing key spellings, four MI100s.
import { describe, expect, it } from 'vitest';
import { parseRocmSmiJson } from './rocm-smi-json';
import { readFixture } from './testdata/gpu-fixtures';

const AT = Date.UTC(2026, 0, 1);

describe('rocm-smi --json', () => {
  it('reads the RX 6700 XT on ROCm 6.1.2: 12868124672 B total, 1572745216 B used, 6.0 W', () => {
    const [card] = parseRocmSmiJson(readFixture('rocm-smi-json__rx6700xt__rocm6.1.2.json'), AT);
    expect(card).toEqual({
      at: AT,
      index: 0,
      uuid: 'pci-0000:07:00.0',
      name: 'Navi 22 [Radeon RX 6700/6700 XT / 6800M]',
      vendor: 'amd',
      vramUsedBytes: 1572745216,
      vramTotalBytes: 12868124672,
      powerWatts: 6,
      powerKind: 'average',
      energyJoules: null,
      powerLimitWatts: 211,
      pstate: null,
      utilizationPercent: 0,
      temperatureC: 45,
    });
  });

  it('reads the same card on ROCm 4.3, whose "Card series" is a bare PCI id, not a name', () => {
    const text = readFixture('rocm-smi-json__rx6700xt__rocm4.3.0.json');
    expect(text).toContain('"Card series": "0x1002"');
    const [card] = parseRocmSmiJson(text, AT);
    expect(card).toMatchObject({
      name: 'AMD GPU 0x73df',
      vramTotalBytes: 12868124672,
      vramUsedBytes: 1622728704,
      powerWatts: 6,
      powerKind: 'average',
      temperatureC: 45,
    });
  });

  it('reads four MI100s idling at 36-44 W and ignores the empty "system" object', () => {
    const cards = parseRocmSmiJson(readFixture('rocm-smi-json__mi100x4__rocm6.0.2.json'), AT);
    expect(cards.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(cards.map((c) => c.name)).toEqual(Array(4).fill('Arcturus GL-XL [Instinct MI100]'));
    expect(cards.map((c) => c.powerWatts)).toEqual([36, 44, 43, 39]);
    expect(cards.map((c) => c.vramTotalBytes)).toEqual(Array(4).fill(34342961152));
    expect(cards.map((c) => c.vramUsedBytes)).toEqual(Array(4).fill(6750208));
    expect(cards.map((c) => c.temperatureC)).toEqual([53, 55, 54, 51]);
    expect(new Set(cards.map((c) => c.uuid)).size).toBe(4);
    expect(cards[0]?.uuid).toBe('0x79ccd55167a2124a');
  });

  it('orders card10 after card2, and says what is wrong with output that is not JSON', () => {
    const text = JSON.stringify({
      card10: { 'GPU use (%)': '5' },
      card2: { 'GPU use (%)': '7' },
      system: {},
    });
    expect(parseRocmSmiJson(text, AT).map((c) => c.utilizationPercent)).toEqual([7, 5]);
    expect(() =>
      parseRocmSmiJson('WARNING: AMD GPU device(s) is/are in a low-power state', AT),
    ).toThrow(/rocm-smi --json output is not JSON/);
  });
});
