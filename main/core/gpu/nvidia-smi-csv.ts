// Parses nvidia-smi's `--query-gpu` and `--query-compute-apps` CSV (with or without header and units) into samples and processes.
import type { GpuProcess, GpuSample } from './gpu-sample';
import { mibToBytes, numberOrNull, textOrNull } from './smi-values';

/** The fields Siesta's stream asks nvidia-smi for, in order. The first three are required. */
export const NVIDIA_QUERY_FIELDS: readonly string[] = [
  'index',
  'uuid',
  'name',
  'memory.used',
  'memory.total',
  'power.draw',
  'power.draw.average',
  'power.draw.instant',
  'enforced.power.limit',
  'power.limit',
  'pstate',
  'utilization.gpu',
  'temperature.gpu',
];

/** Fields a sample cannot do without: a driver that lacks one cannot be used. */
export const NVIDIA_REQUIRED_FIELDS: readonly string[] = ['index', 'uuid', 'name'];

/** The fields of the low-rate process query. */
export const NVIDIA_PROCESS_FIELDS: readonly string[] = [
  'gpu_uuid',
  'pid',
  'process_name',
  'used_gpu_memory',
];

/** One row of a query: field name (no unit) to its raw cell. */
export type NvidiaRow = ReadonlyMap<string, string>;

/** Aliases nvidia-smi accepts for one field (its `--help-query-*` lists them). */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  used_memory: 'used_gpu_memory',
};

/** A header cell such as `memory.used [MiB]` to its field name `memory.used`. */
export function fieldOfHeader(cell: string): string {
  const field = cell.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
  return FIELD_ALIASES[field] ?? field;
}

/**
 * Splits one CSV line. nvidia-smi separates cells with `, ` and never quotes; a free-text cell
 * (a process path on Windows) may itself hold `, `, so extra pieces are joined back into the cell
 * at `freeTextIndex` when the count is known.
 */
export function splitCsvLine(
  line: string,
  expectedCount?: number,
  freeTextIndex?: number,
): string[] {
  const cells = line.split(', ').map((cell) => cell.trim());
  if (expectedCount === undefined || freeTextIndex === undefined || cells.length <= expectedCount)
    return cells;
  const extra = cells.length - expectedCount;
  const joined = cells.slice(freeTextIndex, freeTextIndex + extra + 1).join(', ');
  return [...cells.slice(0, freeTextIndex), joined, ...cells.slice(freeTextIndex + extra + 1)];
}

/**
 * Rows of a `--query-*` CSV. With `fields` the text has no header (`noheader`); without, the first
 * non-empty line is the header (`--format=csv`, units in brackets). Blank lines are skipped; CRLF
 * is accepted. Throws when a row's cell count does not match, naming the line.
 */
export function parseQueryCsv(
  text: string,
  fields?: readonly string[],
  freeTextField?: string,
): NvidiaRow[] {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  let header = fields ? [...fields] : undefined;
  const rows: NvidiaRow[] = [];
  lines.forEach((line, lineIndex) => {
    if (line.trim() === '') return;
    if (!header) {
      header = splitCsvLine(line).map(fieldOfHeader);
      return;
    }
    const freeIndex = freeTextField === undefined ? undefined : header.indexOf(freeTextField);
    const cells = splitCsvLine(line, header.length, freeIndex === -1 ? undefined : freeIndex);
    if (cells.length !== header.length) {
      throw new Error(
        `nvidia-smi CSV line ${lineIndex + 1} has ${cells.length} cells where the query has ${header.length} fields: "${line.slice(0, 120)}"`,
      );
    }
    rows.push(new Map(header.map((field, i) => [field, cells[i] ?? ''])));
  });
  return rows;
}

/** The cell of `field`, or undefined when the query did not include it. */
function cell(row: NvidiaRow, field: string): string | undefined {
  return row.get(field);
}

/**
 * The power reading of a row and its kind. `power.draw.average` wins when present; Turing cards
 * report it `[N/A]` and their `power.draw` is the instant reading (it equals `power.draw.instant`).
 * A driver without either field (before 530) leaves the kind unknown.
 */
export function powerOfRow(row: NvidiaRow): Pick<GpuSample, 'powerWatts' | 'powerKind'> {
  const average = numberOrNull(cell(row, 'power.draw.average'));
  if (average !== null) return { powerWatts: average, powerKind: 'average' };
  const instant = numberOrNull(cell(row, 'power.draw.instant'));
  if (instant !== null) return { powerWatts: instant, powerKind: 'instant' };
  const draw = numberOrNull(cell(row, 'power.draw'));
  if (draw === null) return { powerWatts: null, powerKind: null };
  const driverKnowsAverage = row.has('power.draw.average');
  return { powerWatts: draw, powerKind: driverKnowsAverage ? 'instant' : null };
}

/** One GPU sample from one `--query-gpu` row; `fallbackIndex` is used when the row has no `index`. */
export function sampleFromRow(row: NvidiaRow, at: number, fallbackIndex = 0): GpuSample {
  const index = numberOrNull(cell(row, 'index')) ?? fallbackIndex;
  return {
    at,
    index,
    uuid: textOrNull(cell(row, 'uuid')) ?? `nvidia-gpu-${index}`,
    name: textOrNull(cell(row, 'name')) ?? 'NVIDIA GPU',
    vendor: 'nvidia',
    vramUsedBytes: mibToBytes(numberOrNull(cell(row, 'memory.used'))),
    vramTotalBytes: mibToBytes(numberOrNull(cell(row, 'memory.total'))),
    ...powerOfRow(row),
    energyJoules: null,
    powerLimitWatts:
      numberOrNull(cell(row, 'enforced.power.limit')) ?? numberOrNull(cell(row, 'power.limit')),
    pstate: textOrNull(cell(row, 'pstate')),
    utilizationPercent: numberOrNull(cell(row, 'utilization.gpu')),
    temperatureC: numberOrNull(cell(row, 'temperature.gpu')),
  };
}

/** Samples from a whole `--query-gpu` CSV (see `parseQueryCsv` for `fields`). */
export function parseQueryGpuCsv(
  text: string,
  at: number,
  fields?: readonly string[],
): GpuSample[] {
  return parseQueryCsv(text, fields).map((row, i) => sampleFromRow(row, at, i));
}

/**
 * Processes from a `--query-compute-apps` CSV. `gpuIndexByUuid` maps a GPU's UUID to its index
 * (from the latest samples); an unknown UUID gets index -1. `used_gpu_memory` is `[N/A]` under
 * Windows WDDM, which gives null VRAM.
 */
export function parseComputeAppsCsv(
  text: string,
  gpuIndexByUuid: ReadonlyMap<string, number>,
  fields?: readonly string[],
): GpuProcess[] {
  const processes: GpuProcess[] = [];
  for (const row of parseQueryCsv(text, fields, 'process_name')) {
    const pid = numberOrNull(cell(row, 'pid'));
    if (pid === null) continue;
    const gpuUuid = textOrNull(cell(row, 'gpu_uuid')) ?? '';
    processes.push({
      gpuIndex: gpuIndexByUuid.get(gpuUuid) ?? -1,
      gpuUuid,
      pid,
      processName: textOrNull(cell(row, 'process_name')) ?? '',
      vramBytes: mibToBytes(numberOrNull(cell(row, 'used_gpu_memory'))),
    });
  }
  return processes;
}

/** The field nvidia-smi names in `Field "x" is not a valid field to query.` (straight or curly quotes), or null. */
export function unknownFieldIn(output: string): string | null {
  const match =
    /Field\s+["\u201c\u201d]([^"\u201c\u201d]+)["\u201c\u201d]\s+is not a valid field to query/i.exec(
      output,
    );
  return match?.[1] ?? null;
}
