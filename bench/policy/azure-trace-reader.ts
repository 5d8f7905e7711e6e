// Reads the Azure LLM inference traces of 2023 (CSV: TIMESTAMP,ContextTokens,GeneratedTokens; see shared/traces/SOURCES.md).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** One row of an Azure LLM trace, its time relative to the first row. */
export interface AzureTraceRow {
  readonly offsetMs: number;
  readonly contextTokens: number;
  readonly generatedTokens: number;
}

const HEADER = 'TIMESTAMP,ContextTokens,GeneratedTokens';
// `2023-11-16 18:17:03.9799600`: SOURCES.md says to read the first 26 characters, a naive time used as relative.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})/;

/** Parses the text of an Azure LLM trace; errors name the file, the line and what was expected. */
export function parseAzureTrace(text: string, fileName: string): AzureTraceRow[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== HEADER) {
    throw new Error(`${fileName}:1: expected the header "${HEADER}", got "${lines[0] ?? ''}"`);
  }
  const rows: AzureTraceRow[] = [];
  let firstMs: number | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const [stamp = '', context = '', generated = ''] = line.split(',');
    const m = TIMESTAMP.exec(stamp.slice(0, 26));
    if (!m)
      throw new Error(
        `${fileName}:${i + 1}: TIMESTAMP: expected "YYYY-MM-DD hh:mm:ss.ffffff", got "${stamp}"`,
      );
    const [, y, mo, d, h, mi, s, micros] = m;
    const atMs =
      Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) +
      Number(micros) / 1_000;
    const contextTokens = Number(context);
    const generatedTokens = Number(generated);
    if (
      !Number.isInteger(contextTokens) ||
      contextTokens < 0 ||
      !Number.isInteger(generatedTokens) ||
      generatedTokens < 0
    ) {
      throw new Error(
        `${fileName}:${i + 1}: expected whole token counts, got "${context}" and "${generated}"`,
      );
    }
    firstMs ??= atMs;
    const offsetMs = atMs - firstMs;
    const previous = rows[rows.length - 1];
    if (previous && offsetMs < previous.offsetMs) {
      throw new Error(
        `${fileName}:${i + 1}: rows must be in time order; "${stamp}" is earlier than the row before`,
      );
    }
    rows.push({ offsetMs, contextTokens, generatedTokens });
  }
  return rows;
}

/** Reads an Azure LLM trace file. */
export function readAzureTrace(file: string): AzureTraceRow[] {
  return parseAzureTrace(readFileSync(file, 'utf8'), basename(file));
}
