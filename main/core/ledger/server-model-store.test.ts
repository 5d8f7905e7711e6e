// The models of Ollama servers in the ledger: a ledger written by the previous schema gains the table, and what one
// run records, the next reads back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { Ledger } from './ledger';
import { MIGRATIONS, migrate } from './migrations';

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe("the ledger's record of Ollama servers' models", () => {
  it('upgrades a ledger of schema 1 and keeps each server’s models across restarts, replacing them when they change', () => {
    dir = mkdtempSync(join(tmpdir(), 'siesta-server-models-'));
    const path = join(dir, 'ledger.sqlite');
    const old = new BetterSqlite3(path);
    migrate(old, path, MIGRATIONS.slice(0, 1));
    old.close();

    const clock = new VirtualClock(Date.UTC(2026, 11, 3));
    let ledger = new Ledger({ path, clock });
    expect(ledger.serverModels().size).toBe(0);
    const llama = {
      name: 'llama3.2:latest',
      sizeBytes: 2_019_393_189,
      digest: 'a80c4f17acd5',
      modifiedAt: '2026-11-30T10:00:00Z',
      details: { family: 'llama', parameter_size: '3.2B' },
    };
    const qwen = {
      name: 'qwen2.5:7b',
      sizeBytes: 4_683_087_332,
      digest: '845dbda0ea48',
      modifiedAt: '2026-11-29T09:00:00Z',
      details: {},
    };
    ledger.recordServerModels('ollama', [llama, qwen]);
    ledger.recordServerModels('ollama-2', [qwen]);
    ledger.close();

    ledger = new Ledger({ path, clock });
    expect(ledger.serverModels()).toEqual(
      new Map([
        ['ollama', [llama, qwen]],
        ['ollama-2', [qwen]],
      ]),
    );
    ledger.recordServerModels('ollama', [qwen]);
    expect(ledger.serverModels().get('ollama')).toEqual([qwen]);
    ledger.close();
  });
});
