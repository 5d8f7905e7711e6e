// Reads the Mooncake FAST'25 conversation trace (JSONL: timestamp, input_length, output_length, hash_ids; see shared/traces/SOURCES.md).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** One request of the Mooncake trace. */
export interface MooncakeTraceRow {
  readonly offsetMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /**
   * The id of the request's second 512-token prefix block, or null when it has one block. The first block is
   * the same for every request (a shared system prompt); the second one is shared by the turns of one
   * conversation, so it serves as a tenant-like key for subsampling whole conversations.
   */
  readonly conversation: number | null;
}

function wholeNumber(value: unknown, field: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(
      `${where}: ${field}: expected a whole number >= 0, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Parses the text of a Mooncake trace; errors name the file, the line, the field and what was expected. */
export function parseMooncakeTrace(text: string, fileName: string): MooncakeTraceRow[] {
  const rows: MooncakeTraceRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const where = `${fileName}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error: unknown) {
      throw new Error(
        `${where}: expected a JSON object: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (typeof value !== 'object' || value === null)
      throw new Error(`${where}: expected a JSON object`);
    const o = value as Record<string, unknown>;
    const offsetMs = wholeNumber(o.timestamp, 'timestamp', where);
    const hashIds = o.hash_ids;
    if (!Array.isArray(hashIds)) throw new Error(`${where}: hash_ids: expected an array`);
    const second: unknown = hashIds[1];
    const previous = rows[rows.length - 1];
    if (previous && offsetMs < previous.offsetMs)
      throw new Error(`${where}: timestamp ${offsetMs} is earlier than the line before`);
    rows.push({
      offsetMs,
      inputTokens: wholeNumber(o.input_length, 'input_length', where),
      outputTokens: wholeNumber(o.output_length, 'output_length', where),
      conversation: second === undefined ? null : wholeNumber(second, 'hash_ids[1]', where),
    });
  }
  return rows;
}

/** Reads a Mooncake trace file. */
export function readMooncakeTrace(file: string): MooncakeTraceRow[] {
  return parseMooncakeTrace(readFileSync(file, 'utf8'), basename(file));
}
