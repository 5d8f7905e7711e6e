// The control API's secret: a random token kept in the data dir (file `token`, mode 0600), made on first start.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The token file's name in the data dir. */
export const TOKEN_FILE_NAME = 'token';

/** The token file of a data dir. */
export function tokenPathIn(dataDir: string): string {
  return join(dataDir, TOKEN_FILE_NAME);
}

/** The token of a data dir, made (32 random bytes, base64url) when there is none yet. Tightens a file others can read to 0600. */
export function loadOrCreateToken(dataDir: string): string {
  const path = tokenPathIn(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx' fails when the file exists, so two starts at once agree on one token.
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new Error(`could not create the control API token ${path}: ${messageOf(error)}`);
  }
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return readToken(dataDir);
}

/** The token of a data dir; throws an error naming the file when it is missing or empty (the CLI's case before any `siesta serve`). */
export function readToken(dataDir: string): string {
  const path = tokenPathIn(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `no control API token at ${path}: start Siesta once with \`siesta serve\` (or pass the data dir it uses)`,
      );
    }
    throw new Error(`could not read the control API token ${path}: ${messageOf(error)}`);
  }
  const token = text.trim();
  if (token.length < 16)
    throw new Error(
      `the control API token ${path} is empty or too short; delete it and restart Siesta to make a new one`,
    );
  return token;
}

/** Compares a presented token with the real one in constant time (hashing first makes the lengths equal). */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
