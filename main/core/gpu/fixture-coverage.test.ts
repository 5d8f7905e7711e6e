// Guards the rule that every GPU fixture is read by a test: a new capture without a test fails here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURES, FIXTURE_DIR } from './testdata/gpu-fixtures';

describe('GPU fixtures', () => {
  it('are each read by at least one GPU test, by file name or through CAPTURES', () => {
    const fixtures = readdirSync(FIXTURE_DIR).filter((f) => f !== 'SOURCES.md');
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
    const tests = readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.ts') && f !== path.basename(__filename))
      .map((f) => readFileSync(path.join(__dirname, f), 'utf8'))
      .join('\n');
    const referenced = (file: string): boolean =>
      tests.includes(file) ||
      Object.entries(CAPTURES).some(
        ([key, name]) => name === file && tests.includes(`CAPTURES.${key}`),
      );
    expect(fixtures.filter((f) => !referenced(f))).toEqual([]);
  });
});
