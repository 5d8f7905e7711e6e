// `siesta ledger export --csv FILE`: the daily savings per model as CSV, written to a file (or `-` for stdout).
import { writeFileAtomic } from '../core/settings/atomic-write';
import { parseTimeParam } from '../core/api/contract';
import { CliError } from './cli-error';
import type { CliCommandOptions } from './cli-options';
import { cliClient } from './control-client';

/** Options of `siesta ledger export`. */
export interface LedgerExportOptions extends CliCommandOptions {
  /** The file to write; `-` writes to `out`. */
  readonly csvPath: string;
  /** ISO date or epoch ms; default a year before `to`. */
  readonly from?: string;
  /** ISO date or epoch ms; default now. */
  readonly to?: string;
  readonly model?: string;
}

/** Writes the CSV; returns how many data rows it had. */
export async function runLedgerExport(options: LedgerExportOptions): Promise<{ rows: number }> {
  const params = new URLSearchParams();
  for (const [flag, value] of [
    ['from', options.from],
    ['to', options.to],
  ] as const) {
    if (value === undefined) continue;
    if (parseTimeParam(value) === null)
      throw new CliError(
        `--${flag}: expected an ISO date such as 2025-01-31 or epoch ms, got "${value}"`,
      );
    params.set(flag, value);
  }
  if (options.model !== undefined) params.set('model', options.model);
  const query = params.size > 0 ? `?${params.toString()}` : '';
  const csv = await cliClient(options).text(`/api/history.csv${query}`);
  const rows = Math.max(0, csv.split('\n').filter((l) => l.length > 0).length - 1);
  if (options.csvPath === '-') {
    options.out.write(csv);
    return { rows };
  }
  try {
    writeFileAtomic(options.csvPath, csv, 0o644);
  } catch (error: unknown) {
    throw new CliError(
      `--csv: could not write ${options.csvPath}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  options.out.write(`wrote ${rows} row${rows === 1 ? '' : 's'} to ${options.csvPath}\n`);
  return { rows };
}
