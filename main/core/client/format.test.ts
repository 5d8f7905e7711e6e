// The spellings the dashboard, the tray, the CLI and the notifications all show, from one module.
import { describe, expect, it } from 'vitest';
import {
  formatCost,
  STATE_WORDS,
  formatAgo,
  formatBytes,
  formatCo2,
  formatDuration,
  formatEnergyKwh,
  formatEnergyMoney,
  formatKwh,
  formatMoney,
  formatVram,
  formatWatts,
  truncate,
} from './format';

const GIB = 1024 ** 3;

describe('the shared formatters', () => {
  it('spell bytes and a GPU memory in GiB with one decimal, MiB under one GiB', () => {
    expect([formatBytes(8 * GIB), formatBytes(20.06 * GIB), formatBytes(512 * 1024 ** 2)]).toEqual([
      '8.0 GiB',
      '20.1 GiB',
      '512 MiB',
    ]);
    expect(formatBytes(null)).toBe('unknown');
    expect(formatVram(20.1 * GIB, 24 * GIB)).toBe('20.1 / 24.0 GiB');
    expect(formatVram(null, 24 * GIB)).toBe('? / 24.0 GiB');
    expect(formatVram(null, null)).toBe('VRAM unknown');
  });

  it('spell watts whole from 10 W, with one decimal below, and a dash without a reading', () => {
    expect([formatWatts(215.4), formatWatts(8.5), formatWatts(8), formatWatts(null)]).toEqual([
      '215 W',
      '8.5 W',
      '8.0 W',
      '–',
    ]);
  });

  it('spell durations to a tenth of a second under 10 s, then in s, min and h', () => {
    const cases: [number, string][] = [
      [850, '0.9 s'],
      [3_000, '3.0 s'],
      [12_400, '12 s'],
      [60_000, '1 min'],
      [125_000, '2 min 5 s'],
      [3_600_000, '1 h'],
      [3_780_000, '1 h 3 min'],
      [-5, '0.0 s'],
    ];
    for (const [ms, text] of cases) expect(formatDuration(ms)).toBe(text);
    expect([formatAgo(null, 10_000), formatAgo(8_000, 10_000), formatAgo(0, 180_000)]).toEqual([
      'never',
      'just now',
      '3 min ago',
    ]);
  });

  it('spell energy in kWh, money and CO2, never as a negative zero', () => {
    expect([formatKwh(0.125), formatKwh(12.44), formatKwh(-0.0001)]).toEqual([
      '0.125 kWh',
      '12.4 kWh',
      '0.000 kWh',
    ]);
    expect(formatEnergyKwh(0.42 * 3_600_000)).toBe('0.420 kWh');
    expect(formatMoney(1.234, 'EUR')).toBe('1.23 EUR');
    expect(formatMoney(-0.001, 'kr')).toBe('0.00 kr');
    expect(formatMoney(null, 'EUR')).toBe('–');
    expect(formatEnergyMoney(0.42 * 3_600_000, { pricePerKwh: 0.3, currency: 'EUR' })).toBe(
      '0.13 EUR',
    );
    expect(formatEnergyMoney(3_600_000, { pricePerKwh: null, currency: 'EUR' })).toBeNull();
    expect([formatCo2(450.4), formatCo2(1_240), formatCo2(null)]).toEqual(['450 g', '1.2 kg', '–']);
  });

  it('name the states and cut long texts to one line', () => {
    expect(Object.values(STATE_WORDS)).toEqual([
      'asleep',
      'waking',
      'ready',
      'going to sleep',
      'failed',
      'dozing',
      'dozed',
    ]);
    expect(truncate('CUDA out of memory.\n  Tried to allocate 2.00 GiB', 24)).toBe(
      'CUDA out of memory. Tri…',
    );
    expect(truncate('short', 24)).toBe('short');
  });

  it('spells costs with the digits a fraction of a cent needs', () => {
    expect(formatCost(0.0002963, 'EUR')).toBe('0.00030 EUR');
    expect(formatCost(2.0571, 'EUR')).toBe('2.06 EUR');
    expect(formatCost(3750, 'EUR')).toBe('3750 EUR');
    expect(formatCost(0, 'USD')).toBe('0 USD');
    expect(formatCost(null, 'EUR')).toBe('–');
  });
});
