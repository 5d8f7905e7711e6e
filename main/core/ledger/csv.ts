// CSV text as RFC 4180 writes it: a header row, CRLF line ends, fields quoted where they must be.

/** A CSV cell: text, a number, a boolean, or empty (null). */
export type CsvValue = string | number | boolean | null;

/** One field, quoted when it holds a comma, a quote, CR or LF, or edge spaces; quotes inside are doubled. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = typeof value === 'boolean' ? String(value) : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: the header row, then one line per row, each ending in CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) {
    if (row.length !== header.length)
      throw new RangeError(`toCsv: a row has ${row.length} fields, the header ${header.length}`);
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
