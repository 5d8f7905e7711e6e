// The control API token: made once with owner-only permissions, reused after, compared in constant time.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateToken, readToken, tokenPathIn, tokensEqual } from './api-token';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'siesta-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('control API token', () => {
  it('is created on first start with mode 0600 and reused after', () => {
    const dataDir = join(dir, 'nested', 'siesta');
    const first = loadOrCreateToken(dataDir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    if (process.platform !== 'win32')
      expect(statSync(tokenPathIn(dataDir)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateToken(dataDir)).toBe(first);
    expect(readToken(dataDir)).toBe(first);
  });

  it('tightens a token file others could read', () => {
    writeFileSync(tokenPathIn(dir), 'an-existing-token-of-enough-length\n');
    chmodSync(tokenPathIn(dir), 0o644);
    expect(loadOrCreateToken(dir)).toBe('an-existing-token-of-enough-length');
    if (process.platform !== 'win32') expect(statSync(tokenPathIn(dir)).mode & 0o777).toBe(0o600);
  });

  it('says where the token should be when it is missing', () => {
    expect(() => readToken(dir)).toThrow(
      `no control API token at ${tokenPathIn(dir)}: start Siesta once with \`siesta serve\``,
    );
  });

  it('compares tokens of any length without throwing', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('', 'abc')).toBe(false);
  });
});
