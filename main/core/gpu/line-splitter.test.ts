// Lines arrive whole whatever the chunking: split lines, CRLF cut between \r and \n, a last line without newline.
import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './line-splitter';

function linesOf(chunks: readonly string[], end = false): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  if (end) splitter.end();
  return lines;
}

describe('line splitter', () => {
  it('joins a line that arrives in pieces', () => {
    expect(
      linesOf(['0, GPU-a, NVI', 'DIA H100, 69.8', '5\n1, GPU-b', ', NVIDIA H100, 70.10\n']),
    ).toEqual(['0, GPU-a, NVIDIA H100, 69.85', '1, GPU-b, NVIDIA H100, 70.10']);
  });

  it('drops CRLF endings even when \\r and \\n land in different chunks', () => {
    expect(linesOf(['a, 1\r', '\nb, 2\r\n', 'c, 3\r'])).toEqual(['a, 1', 'b, 2']);
    expect(linesOf(['a, 1\r', '\nb, 2\r\n', 'c, 3\r'], true)).toEqual(['a, 1', 'b, 2', 'c, 3']);
  });

  it('keeps a partial line pending until its newline', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    splitter.push('0, GPU-a');
    expect(lines).toEqual([]);
    expect(splitter.pending()).toBe('0, GPU-a');
    splitter.push('\n');
    expect(lines).toEqual(['0, GPU-a']);
  });
});
