// Durability: a process writing to the ledger is killed with SIGKILL again and again; nothing committed is lost.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { Ledger } from './ledger';

const CHILD = join(__dirname, 'testdata', 'ledger-writer-child.ts');
const KILLS = 20;

interface Committed {
  events: number[];
  sampleBatches: [number, number][];
}

/** Runs the writer until it has reported `linesBeforeKill` commits, then SIGKILLs it; returns what it reported. */
function runAndKill(path: string, run: number, linesBeforeKill: number): Promise<Committed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, String(run)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const committed: Committed = { events: [], sampleBatches: [] };
    let stderr = '';
    let pending = '';
    let lines = 0;
    let killed = false;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`writer run ${run} reported only ${lines} commits in 30 s; stderr: ${stderr}`),
      );
    }, 30_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        const [tag, a, b] = line.split(' ');
        if (tag === 'E') committed.events.push(Number(a));
        if (tag === 'S') committed.sampleBatches.push([Number(a), Number(b)]);
        if (tag === 'E' || tag === 'S') lines += 1;
      }
      if (!killed && lines >= linesBeforeKill) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL')
        reject(new Error(`writer run ${run} exited by itself (code ${code}): ${stderr}`));
      else resolve(committed); // lines that reached the pipe before the kill count too: they were printed after commit
    });
  });
}

describe('ledger durability', () => {
  const dir = mkdtempSync(join(tmpdir(), 'siesta-ledger-kill-'));
  const path = join(dir, 'ledger.sqlite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`keeps every committed row and a sound file through ${KILLS} SIGKILLs mid-write`, async () => {
    const all: Committed = { events: [], sampleBatches: [] };
    for (let run = 0; run < KILLS; run++) {
      // 5..~400 commits before the kill: a spread of points in the write stream, the same every run of the test.
      const linesBeforeKill = 5 + ((run * 7919) % 397);
      const committed = await runAndKill(path, run, linesBeforeKill);
      expect(committed.events.length + committed.sampleBatches.length).toBeGreaterThanOrEqual(
        linesBeforeKill,
      );
      all.events.push(...committed.events);
      all.sampleBatches.push(...committed.sampleBatches);

      const db = new BetterSqlite3(path);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const eventAts = new Set(
          (db.prepare('SELECT at FROM events').all() as { at: number }[]).map((r) => r.at),
        );
        const missingEvents = all.events.filter((at) => !eventAts.has(at));
        expect(missingEvents, `events lost after kill ${run + 1}`).toEqual([]);
        const count = db.prepare(
          'SELECT COUNT(*) AS n FROM samples WHERE gpu_index IN (0, 1) AND at BETWEEN ? AND ?',
        );
        const missingBatches = all.sampleBatches.filter(
          ([fromAt, toAt]) => (count.get(fromAt, toAt) as { n: number }).n !== 20,
        );
        expect(missingBatches, `sample batches lost after kill ${run + 1}`).toEqual([]);
      } finally {
        db.close();
      }
      // And the ledger itself reopens on it (migrations, pending measurements, residency) without complaint.
      new Ledger({ path, clock: new VirtualClock(Date.UTC(2026, 0, 1) + run * 3_600_000) }).close();
    }
    expect(all.events.length).toBeGreaterThan(KILLS * 2);
  }, 180_000);
});
