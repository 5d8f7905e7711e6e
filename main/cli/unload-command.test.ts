// `siesta unload SERVER MODEL` against a real control API server (a fake core behind it, with an Ollama server).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlApiServer } from '../core/api/api-server';
import { loadOrCreateToken } from '../core/api/api-token';
import { FakeControlCore, restingModel } from '../core/api/testdata/fake-control-core';
import { systemClock } from '../core/clock/clock';
import { SettingsStore } from '../core/settings/settings-store';
import { cliErrorOf } from './testdata/cli-error-of';
import { runUnload } from './toggle-commands';

const GIB = 1024 ** 3;

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let dir = '';
let core: FakeControlCore;
let server: ControlApiServer;
let out: Capture;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'siesta-cli-unload-'));
  out = new Capture();
  core = new FakeControlCore({
    clock: systemClock(),
    settings: SettingsStore.open(dir),
    models: [
      restingModel('ollama', {
        state: 'ready',
        serves: [
          {
            name: 'gemma3:12b',
            sizeBytes: 8 * GIB,
            loaded: true,
            vramBytes: 9 * GIB,
            lastUsedAt: null,
          },
          {
            name: 'llama3.2:3b',
            sizeBytes: 2 * GIB,
            loaded: true,
            vramBytes: 3 * GIB,
            lastUsedAt: null,
          },
          {
            name: 'qwen2.5:7b',
            sizeBytes: 5 * GIB,
            loaded: false,
            vramBytes: null,
            lastUsedAt: null,
          },
        ],
      }),
      restingModel('qwen'),
    ],
  });
  server = new ControlApiServer({ core, token: loadOrCreateToken(dir), port: 0 });
  await server.listen();
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const options = () => ({ controlUrl: server.url, dataDir: dir, out });

describe('siesta unload', () => {
  it('unloads one model inside the server and says what it holds now', async () => {
    await runUnload('ollama', 'gemma3:12b', options());
    expect(core.calls).toEqual([{ kind: 'unload', server: 'ollama', model: 'gemma3:12b' }]);
    expect(out.text).toBe(
      'gemma3:12b is unloaded from ollama, which stays awake with llama3.2:3b loaded\n',
    );
  });

  it('says why it cannot: a model not loaded, one the server does not have, a container that is no Ollama server', async () => {
    expect((await cliErrorOf(runUnload('ollama', 'qwen2.5:7b', options()))).message).toBe(
      '"qwen2.5:7b" is not loaded in "ollama" now',
    );
    expect((await cliErrorOf(runUnload('ollama', 'mistral', options()))).message).toBe(
      '"ollama" has no model "mistral"; it has gemma3:12b, llama3.2:3b, qwen2.5:7b',
    );
    expect((await cliErrorOf(runUnload('qwen', 'qwen', options()))).message).toBe(
      '"qwen" is not an Ollama server (label siesta.server=ollama)',
    );
    expect(core.calls).toEqual([]);
  });
});
