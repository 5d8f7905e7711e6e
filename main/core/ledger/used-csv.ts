// The daily CSV's energy-used columns (issue 14): what a model used in a day, awake and waking, with its uncertainty.
import type { CsvValue } from './csv';
import type { HistoryFigures } from './history';

/** Headers of the used columns, in the order `usedCsvColumns` gives them. */
export const USED_CSV_HEADERS = [
  'used_kwh',
  'used_joules',
  'used_money',
  'awake_used_joules',
  'waking_used_joules',
  'used_uncertainty_joules',
] as const;

const round = (value: number | null, digits: number): number | null =>
  value === null ? null : Number(value.toFixed(digits));

/** A day's used columns for one model; blank for a day on which it only served requests. */
export function usedCsvColumns(f: HistoryFigures | undefined): CsvValue[] {
  if (f === undefined) return USED_CSV_HEADERS.map(() => null);
  return [
    round(f.usedKwh, 6),
    round(f.usedJoules, 1),
    round(f.usedMoney, 4),
    round(f.awakeUsedJoules, 1),
    round(f.wakeJoules, 1),
    round(f.usedUncertaintyJoules, 1),
  ];
}
