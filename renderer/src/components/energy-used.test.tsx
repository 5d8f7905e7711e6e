// The history's energy used as a reader sees it: each model's kWh and money, the awake and waking parts, and each GPU's
// measured energy beside its models' part and its baseline; nothing from a daemon that does not report it.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { HistoryFigures, HistoryResponse } from '../../../main/core/api/contract';
import { EnergyUsed } from './energy-used';

const KWH = 3_600_000;

function figures(used: Partial<HistoryFigures>): HistoryFigures {
  return {
    savedJoules: 0,
    savedKwh: 0,
    money: null,
    co2Grams: null,
    wakes: 0,
    failedWakes: 0,
    wakeP50Ms: null,
    wakeP95Ms: null,
    hoursAwake: 0,
    hoursAsleep: 0,
    estimated: false,
    ...used,
  };
}

/** Two days of "chat": 0.9 kWh awake and 0.3 kWh waking in all, at 0.30 EUR/kWh, on a GPU that drew 2 kWh. */
const HISTORY: HistoryResponse = {
  from: 0,
  to: 48 * 3_600_000,
  bucket: 'day',
  currency: 'EUR',
  buckets: [0, 1].map((day) => ({
    startAt: day * 24 * 3_600_000,
    endAt: (day + 1) * 24 * 3_600_000,
    total: figures({}),
    models: [
      {
        model: 'chat',
        ...figures({
          usedJoules: 0.6 * KWH,
          usedKwh: 0.6,
          usedMoney: 0.18,
          awakeUsedJoules: 0.45 * KWH,
          wakingUsedJoules: 0.15 * KWH,
          usedUncertaintyJoules: 0.01 * KWH,
        }),
      },
    ],
  })),
  totals: figures({ usedJoules: 1.2 * KWH, usedMoney: 0.36, usedUncertaintyJoules: 0.02 * KWH }),
  gpus: [
    {
      gpuIndex: 0,
      measuredJoules: 2 * KWH,
      measuredKwh: 2,
      measuredMoney: 0.6,
      coveredHours: 48,
      models: [{ model: 'chat', usedJoules: 1.2 * KWH }],
      modelsUsedJoules: 1.2 * KWH,
      baselineJoules: 0.8 * KWH,
    },
  ],
};

const cells = (markup: string, label: string): string[] => {
  const row = new RegExp(`<tr aria-label="${label}">(.*?)</tr>`).exec(markup)?.[1] ?? '';
  return [...row.matchAll(/<t[hd][^>]*>([^<]*)<\/t[hd]>/g)].map((m) => m[1] ?? '');
};

describe('energy used on the history page', () => {
  it('shows the total and each model in kWh with its range and money, split into awake and waking', () => {
    const markup = renderToStaticMarkup(<EnergyUsed history={HISTORY} />);
    expect(markup).toContain('aria-label="Total energy used">1.200 kWh ± 0.020 / 0.36 EUR<');
    expect(cells(markup, 'Used by chat')).toEqual([
      'chat',
      '1.200 kWh ± 0.020 / 0.36 EUR',
      '0.900 kWh',
      '0.300 kWh',
    ]);
  });

  it('shows each GPU as measured, its models and its baseline, which add up', () => {
    const markup = renderToStaticMarkup(<EnergyUsed history={HISTORY} />);
    expect(cells(markup, 'GPU 0 energy')).toEqual([
      'GPU 0',
      '2.000 kWh / 0.60 EUR',
      '1.200 kWh',
      '0.800 kWh',
      '48.0 of 48 h',
    ]);
  });

  it('shows no baseline where the readings do not cover the range (measured less the models would be meaningless)', () => {
    const gpus = (HISTORY.gpus ?? []).map((g) => ({ ...g, coveredHours: 20, measuredJoules: KWH }));
    const markup = renderToStaticMarkup(<EnergyUsed history={{ ...HISTORY, gpus }} />);
    expect(cells(markup, 'GPU 0 energy').slice(3)).toEqual(['–', '20.0 of 48 h']);
  });

  it('shows nothing for an older daemon without used figures', () => {
    const { usedJoules: _, ...older } = HISTORY.totals;
    expect(renderToStaticMarkup(<EnergyUsed history={{ ...HISTORY, totals: older }} />)).toBe('');
  });
});
