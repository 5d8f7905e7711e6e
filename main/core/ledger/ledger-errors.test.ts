// A data folder that is a file, read-only or full gives a clear error naming the path; the caller keeps serving.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import type { GpuSample } from '../gpu/gpu-sample';
import type { LifecycleEvent } from '../lifecycle/model-state';
import { Ledger } from './ledger';
import type { LedgerError } from './ledger-error';

const T0 = Date.UTC(2026, 0, 1);
const root = mkdtempSync(join(tmpdir(), 'siesta-ledger-errors-'));
const mounts: string[] = [];

/** Mounts a small tmpfs (needs root); returns null with the reason when that is not possible here. */
function mountTmpfs(name: string, options: string): { dir: string } | { reason: string } {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
    mounts.push(dir);
    return { dir };
  } catch (error: unknown) {
    return {
      reason:
        error instanceof Error ? (error.message.split('\n')[0] ?? 'mount failed') : String(error),
    };
  }
}

afterAll(() => {
  for (const dir of mounts.reverse()) execFileSync('umount', [dir]);
  rmSync(root, { recursive: true, force: true });
});

function openError(path: string): LedgerError {
  try {
    new Ledger({ path, clock: new VirtualClock(T0) }).close();
  } catch (error: unknown) {
    return error as LedgerError;
  }
  throw new Error(`opening ${path} did not fail`);
}

function sample(at: number): GpuSample {
  return {
    at,
    index: 0,
    uuid: 'GPU-0',
    name: 'Test GPU',
    vendor: 'nvidia',
    vramUsedBytes: 1 << 30,
    vramTotalBytes: 1 << 34,
    powerWatts: 100,
    powerKind: 'instant',
    energyJoules: null,
    powerLimitWatts: 300,
    pstate: 'P0',
    utilizationPercent: 0,
    temperatureC: 40,
  };
}

const event = (i: number): LifecycleEvent => ({
  kind: 'wake-requested',
  at: T0 + i,
  model: `model-${i}-${'x'.repeat(200)}`,
  cause: { kind: 'request', route: 'path', detail: 'y'.repeat(500) },
});

/** Fills the file system holding `dir` to the last byte. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  const chunk = Buffer.alloc(4096, 1);
  let size = 0;
  for (;;) {
    try {
      writeFileSync(filler, chunk, { flag: 'a' });
      size += chunk.length;
    } catch {
      break;
    }
  }
  for (const len of [1024, 256, 64, 16, 4, 1]) {
    try {
      for (;;) writeFileSync(filler, Buffer.alloc(len), { flag: 'a' });
    } catch {
      // next smaller piece
    }
  }
  expect(size).toBeGreaterThan(0);
  return filler;
}

describe('ledger errors', () => {
  it('names the path when the data folder’s parent is a file, and says what to do', () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    const path = join(file, 'data', 'ledger.sqlite');
    const error = openError(path);
    expect(error.name).toBe('LedgerError');
    expect(error.code).toBe('not-a-folder');
    expect(error.path).toBe(path);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/is a file, not a folder.*choose another data folder/);
  });

  it('keeps working in memory when the data folder cannot hold the file, and says so through onError', () => {
    const file = join(root, 'in-the-way');
    writeFileSync(file, 'x');
    const path = join(file, 'ledger.sqlite');
    const clock = new VirtualClock(T0);
    const errors: LedgerError[] = [];
    const ledger = new Ledger({ path, clock, timeZone: 'utc', onError: (e) => errors.push(e) });
    expect(errors.map((e) => e.code)).toEqual(['not-a-folder']);
    expect(errors[0]?.message).toContain(path);
    expect(errors[0]?.message).toMatch(/choose another data folder.*in memory only/);
    expect(ledger.health()).toMatchObject({ ok: false, persistent: false, path });
    // The caller goes on recording and querying as usual.
    ledger.recordEvent(event(1));
    ledger.recordEvent({ kind: 'ready', at: T0 + 5000, model: event(1).model, wakeMs: 4999 });
    ledger.recordSamples([sample(T0)]);
    ledger.flush();
    expect(ledger.events(T0, T0 + 10_000).map((e) => e.event.kind)).toEqual([
      'wake-requested',
      'ready',
    ]);
    expect(ledger.history({ from: T0, to: T0 + 86_400_000, bucket: 'day' }).total.wakes).toBe(1);
    ledger.close();
  });

  const readOnly = mountTmpfs('read-only', 'ro,size=64k');
  it.skipIf('reason' in readOnly)(
    `names the path when the data folder is on a read-only file system${'reason' in readOnly ? ` (skipped: ${readOnly.reason})` : ''}`,
    () => {
      if (!('dir' in readOnly)) return;
      const path = join(readOnly.dir, 'data', 'ledger.sqlite');
      const error = openError(path);
      expect(error.code).toBe('read-only');
      expect(error.message).toContain(path);
      expect(error.message).toMatch(
        /cannot be written.*Make it writable.*or choose another data folder/,
      );
    },
  );

  const remounted = mountTmpfs('remounted', 'size=64k');
  it.skipIf('reason' in remounted)(
    `names the path when an existing data folder became read-only${'reason' in remounted ? ` (skipped: ${remounted.reason})` : ''}`,
    () => {
      if (!('dir' in remounted)) return;
      mkdirSync(join(remounted.dir, 'data'));
      execFileSync('mount', ['-o', 'remount,ro', remounted.dir]);
      const path = join(remounted.dir, 'data', 'ledger.sqlite');
      const error = openError(path);
      expect(error.code).toBe('read-only');
      expect(error.message).toContain(path);
    },
  );

  const small = mountTmpfs('full', 'size=1m');
  it.skipIf('reason' in small)(
    `reports a full disk through onError, keeps serving, and saves every row once space is back${'reason' in small ? ` (skipped: ${small.reason})` : ''}`,
    async () => {
      if (!('dir' in small)) return;
      const path = join(small.dir, 'ledger.sqlite');
      const clock = new VirtualClock(T0);
      const errors: LedgerError[] = [];
      const ledger = new Ledger({
        path,
        clock,
        onError: (e) => errors.push(e),
        flushIntervalMs: 1000,
      });
      ledger.recordEvent(event(0));
      const filler = fill(small.dir);

      // Nothing of this throws into the caller while the disk is full.
      for (let i = 1; i <= 40; i++) ledger.recordEvent(event(i));
      for (let s = 0; s < 600; s++) ledger.recordSamples([sample(T0 + s * 1000)]);
      await clock.advance(5000);
      expect(errors.length).toBeGreaterThan(0);
      const first = errors[0] as LedgerError;
      expect(first.code).toBe('disk-full');
      expect(first.message).toContain(path);
      expect(first.message).toMatch(/full.*Free some space/);
      expect(ledger.health()).toMatchObject({ ok: false, bufferedSamples: 600 });
      expect(ledger.health().queuedWrites).toBeGreaterThan(0);

      rmSync(filler);
      await clock.advance(60_000); // past the retry backoff
      expect(ledger.health()).toMatchObject({ ok: true, bufferedSamples: 0, queuedWrites: 0 });
      ledger.close();

      const db = new BetterSqlite3(path, { readonly: true });
      const models = (
        db.prepare('SELECT model FROM events ORDER BY id').all() as { model: string }[]
      ).map((r) => r.model);
      const samples = (db.prepare('SELECT COUNT(*) AS n FROM samples').get() as { n: number }).n;
      db.close();
      expect(models).toEqual(Array.from({ length: 41 }, (_, i) => event(i).model)); // all of them, in order
      expect(samples).toBe(600);
    },
  );

  const small2 = mountTmpfs('full-throw', 'size=1m');
  it.skipIf('reason' in small2)(
    `throws a LedgerError naming the path without onError${'reason' in small2 ? ` (skipped: ${small2.reason})` : ''}`,
    () => {
      if (!('dir' in small2)) return;
      const path = join(small2.dir, 'ledger.sqlite');
      const ledger = new Ledger({ path, clock: new VirtualClock(T0) });
      const filler = fill(small2.dir);
      let thrown: LedgerError | undefined;
      try {
        for (let i = 1; i <= 40; i++) ledger.recordEvent(event(i));
      } catch (error: unknown) {
        thrown = error as LedgerError;
      }
      expect(thrown?.code).toBe('disk-full');
      expect(thrown?.message).toContain(path);
      rmSync(filler);
      ledger.close();
    },
  );
});
