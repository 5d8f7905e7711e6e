// `siesta status`, `wake`, `sleep`, `pin`, `pause` and `ledger export` against a real control API server (a fake core behind it).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlApiServer } from '../core/api/api-server';
import { loadOrCreateToken } from '../core/api/api-token';
import { FakeControlCore, restingModel } from '../core/api/testdata/fake-control-core';
import { systemClock } from '../core/clock/clock';
import { SettingsStore } from '../core/settings/settings-store';
import { runLedgerExport } from './ledger-export-command';
import { cliErrorOf } from './testdata/cli-error-of';
import { runSleep } from './sleep-command';
import { runStatus } from './status-command';
import { runAutoSleep, runPin } from './toggle-commands';
import { runWake } from './wake-command';

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let dir: string;
let core: FakeControlCore;
let server: ControlApiServer;
let out: Capture;

async function start(autoReadyMs?: number): Promise<void> {
  core = new FakeControlCore({
    clock: systemClock(),
    settings: SettingsStore.open(dir),
    autoReadyMs,
    models: [
      restingModel('qwen', { wakeEstimateMs: 300 }),
      restingModel('flux', {
        state: 'ready',
        inFlight: 1,
        pinned: true,
        lastUsedAt: Date.now() - 65_000,
        vramBytes: 12 * 1024 ** 3,
      }),
    ],
    gpus: [
      {
        index: 0,
        uuid: 'GPU-1',
        name: 'NVIDIA GeForce RTX 4090',
        vramUsedBytes: 12 * 1024 ** 3,
        vramTotalBytes: 24 * 1024 ** 3,
        powerWatts: 71.2,
        pstate: 'P2',
        utilizationPercent: 5,
        temperatureC: 45,
        at: Date.now(),
      },
    ],
  });
  server = new ControlApiServer({ core, token: loadOrCreateToken(dir), port: 0 });
  await server.listen();
}

const options = () => ({ controlUrl: server.url, dataDir: dir, out });

/** The CliError a command rejects with. */
const cliError = cliErrorOf;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'siesta-cli-'));
  out = new Capture();
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('siesta status', () => {
  it('prints a table of GPUs and one of models, reading the token from the data dir', async () => {
    await start();
    await runStatus(options());
    expect(out.text).toMatch(
      /GPU\s+NAME\s+VRAM USED\s+POWER\n0\s+NVIDIA GeForce RTX 4090\s+12\.0 GiB \/ 24\.0 GiB\s+71 W/,
    );
    expect(out.text).toMatch(/MODEL\s+STATE\s+VRAM\s+IN FLIGHT\s+LAST USED\s+SLEEPS IN/);
    expect(out.text).toMatch(
      /flux\s+ready \(busy\)\s+12\.0 GiB\s+1\s+1 min 5 s ago\s+never\s+pinned/,
    );
    expect(out.text).toMatch(/qwen\s+asleep\s+8\.0 GiB\s+0\s+never\s+-/);
    expect(out.text).toContain('Gateway: http://127.0.0.1:11400');
  });

  it('says how to start the daemon when none answers', async () => {
    await start();
    const port = await freePort();
    const error = await cliError(
      runStatus({ ...options(), controlUrl: `http://127.0.0.1:${port}` }),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^no Siesta daemon answers at http://127\\.0\\.0\\.1:${port} — start it with \`siesta serve\``,
      ),
    );
  });

  it('says the token was refused when the daemon uses another data dir', async () => {
    await start();
    const error = await cliError(
      runStatus({ ...options(), token: 'another-token-from-another-dir' }),
    );
    expect(error.message).toContain('refused this token');
    expect(error.message).toContain('--data-dir');
  });

  it('says where the token should be when the data dir has none', async () => {
    await start();
    const empty = mkdtempSync(join(tmpdir(), 'siesta-cli-empty-'));
    const error = await cliError(runStatus({ ...options(), dataDir: empty }));
    expect(error.message).toContain(join(empty, 'token'));
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('siesta wake', () => {
  it('shows progress until the model is ready and how long it took', async () => {
    await start(150);
    const outcome = await runWake('qwen', options());
    expect(outcome.alreadyReady).toBe(false);
    expect(outcome.tookMs).toBeGreaterThanOrEqual(100);
    expect(out.text).toMatch(
      /^waking qwen \(usually 0\.3 s\)\.\.\.\nqwen is ready after \d+\.\d s\n$/,
    );
    expect(core.calls).toEqual([{ kind: 'wake', name: 'qwen', via: 'cli' }]);
  });

  it('redraws one live line on a terminal', async () => {
    await start(600);
    out.isTTY = true;
    await runWake('qwen', options());
    expect(out.text).toContain('\r\x1b[2Kwaking qwen [');
    expect(out.text).toMatch(/qwen is ready after \d+\.\d s\n$/);
  });

  it('says a ready model is ready without waking it', async () => {
    await start();
    const outcome = await runWake('flux', options());
    expect(outcome.alreadyReady).toBe(true);
    expect(out.text).toBe('flux is already ready\n');
    expect(core.calls).toEqual([]);
  });

  it('fails with the reason and the last log lines when the wake fails', async () => {
    await start();
    const running = runWake('qwen', options());
    await waitFor(() => core.calls.length === 1);
    core.failWake('qwen', 'the container exited with code 3', [
      'loading weights',
      'torch.OutOfMemoryError: CUDA out of memory',
    ]);
    const error = await cliError(running);
    expect(error.message).toBe(
      'qwen failed to wake: the container exited with code 3\nlast log lines:\n  loading weights\n  torch.OutOfMemoryError: CUDA out of memory',
    );
  });

  it('lists the models when the name is unknown', async () => {
    await start();
    const error = await cliError(runWake('llama', options()));
    expect(error.message).toBe('no model named "llama"; models: flux, qwen');
  });
});

describe('siesta sleep', () => {
  it('puts a ready model to sleep and says so', async () => {
    await start();
    const outcome = await runSleep('flux', options());
    expect(outcome.alreadyAsleep).toBe(false);
    expect(out.text).toMatch(/flux is asleep \(took \d+\.\d s\)\n$/);
    expect(core.calls).toEqual([{ kind: 'sleep', name: 'flux', via: 'cli' }]);
  });

  it('says an asleep model is asleep already', async () => {
    await start();
    await runSleep('qwen', options());
    expect(out.text).toBe('qwen is already asleep\n');
  });
});

describe('siesta pin, unpin, pause and resume', () => {
  it('pins and unpins a model, saying what that means for it', async () => {
    await start();
    await runPin('qwen', true, options());
    await runPin('qwen', false, options());
    expect(out.text).toBe(
      'qwen is pinned: it is not put to sleep when idle or to make room for another model until you unpin it\n' +
        'qwen is unpinned: it goes to sleep after 10 min without requests once awake\n',
    );
    expect(core.calls).toEqual([
      { kind: 'pin', name: 'qwen', pinned: true },
      { kind: 'pin', name: 'qwen', pinned: false },
    ]);
  });

  it('pauses and resumes auto-sleep', async () => {
    await start();
    await runAutoSleep(true, options());
    expect(core.state().autoSleepPaused).toBe(true);
    await runAutoSleep(false, options());
    expect(out.text).toBe(
      'auto-sleep is paused: no model is put to sleep when idle until you run `siesta resume`\n' +
        'auto-sleep is on again: idle models go to sleep after their idle time\n',
    );
    expect(core.state().autoSleepPaused).toBe(false);
  });

  it('names the models when the one to pin does not exist', async () => {
    await start();
    const error = await cliError(runPin('nope', true, options()));
    expect(error.message).toMatch(/^no model named "?nope/);
  });
});

describe('siesta ledger export', () => {
  it('writes the history CSV to the file for the range asked', async () => {
    await start();
    const file = join(dir, 'exports', 'history.csv');
    const result = await runLedgerExport({
      ...options(),
      csvPath: file,
      from: '2025-03-01',
      to: '2025-04-01',
    });
    expect(result.rows).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('date,model,saved_kwh\n2025-03-01,qwen,2\n');
    expect(out.text).toBe(`wrote 1 row to ${file}\n`);
    expect(core.calls).toEqual([
      {
        kind: 'history-csv',
        query: {
          from: new Date(2025, 2, 1).getTime(),
          to: new Date(2025, 3, 1).getTime(),
          bucket: 'day',
        },
      },
    ]);
  });

  it('rejects a malformed --from before asking the daemon', async () => {
    await start();
    const error = await cliError(
      runLedgerExport({ ...options(), csvPath: join(dir, 'x.csv'), from: 'last week' }),
    );
    expect(error.message).toBe(
      '--from: expected an ISO date such as 2025-01-31 or epoch ms, got "last week"',
    );
    expect(core.calls).toEqual([]);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
