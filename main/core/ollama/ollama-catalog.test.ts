import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { flushMicrotasks, VirtualClock } from '../clock/virtual-clock';
import { specForTest } from '../config/testdata/spec-for-test';
import { Ledger } from '../ledger/ledger';
import type { ModelStatus, Upstream } from '../lifecycle/model-state';
import { statusForTest } from '../lifecycle/testdata/status-for-test';
import { ledgerModelStore } from './ledger-model-store';
import { OllamaCatalog } from './ollama-catalog';
import type { OllamaServerApi } from './ollama-server-client';
import type { OllamaLoadedModel, OllamaTag } from './ollama-types';

const GIB = 1024 ** 3;
const UPSTREAM: Upstream = { host: '127.0.0.1', port: 11434 };
const tag = (name: string, size = GIB): OllamaTag => ({
  name,
  model: name,
  modified_at: '2026-11-30T10:00:00Z',
  size,
  digest: `sha-${name}`,
  details: { family: 'llama' },
});

/** A lifecycle of one Ollama server whose state the test sets. */
class Servers {
  private statuses: ModelStatus[] = [statusForTest(specForTest('ollama', { server: 'ollama' }))];
  private readonly listeners = new Set<(s: ModelStatus) => void>();
  list = (): readonly ModelStatus[] => this.statuses;
  get = (name: string): ModelStatus | undefined => this.statuses.find((s) => s.spec.name === name);
  onChange = (listener: (s: ModelStatus) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  set(state: 'ready' | 'asleep'): void {
    this.statuses = this.statuses.map((s) => ({
      ...s,
      state,
      upstream: state === 'ready' ? UPSTREAM : null,
    }));
    for (const l of this.listeners) l(this.statuses[0]!);
  }
}

/** An Ollama server's API in memory: its models, what it loaded, and the unloads it was asked for. */
class ServerApi implements OllamaServerApi {
  models = [tag('llama3.2:latest', 2 * GIB), tag('qwen2.5:0.5b')];
  loadedNames = ['llama3.2:latest'];
  unloads: string[] = [];
  tags = (): Promise<OllamaTag[]> => Promise.resolve(this.models);
  loaded = (): Promise<OllamaLoadedModel[]> =>
    Promise.resolve(
      this.models
        .filter((m) => this.loadedNames.includes(m.name))
        .map((m) => ({ ...m, expires_at: '', size_vram: m.size * 1.25 })),
    );
  version = (): Promise<string> => Promise.resolve('0.12.6');
  unload = (_at: Upstream, model: string): Promise<void> => {
    this.unloads.push(model);
    this.loadedNames = this.loadedNames.filter((n) => n !== model);
    return Promise.resolve();
  };
}

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('the Ollama catalog', () => {
  it('learns a server’s models when it wakes, keeps them in the ledger, and lists them while it sleeps after a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'siesta-catalog-'));
    const clock = new VirtualClock(Date.UTC(2026, 11, 3));
    const servers = new Servers();
    const api = new ServerApi();
    let ledger = new Ledger({ path: join(dir, 'ledger.sqlite'), clock });
    const catalog = new OllamaCatalog({
      lifecycle: servers,
      clock,
      store: ledgerModelStore(ledger),
      api,
    });
    catalog.start();
    expect(catalog.models()).toEqual([]);

    servers.set('ready');
    await flushMicrotasks();
    expect(catalog.modelsOf('ollama').map((t) => t.name)).toEqual([
      'llama3.2:latest',
      'qwen2.5:0.5b',
    ]);
    expect(catalog.loadedVramBytes('ollama')).toBe(2.5 * GIB);
    expect(catalog.version()).toBe('0.12.6');

    servers.set('asleep');
    expect(catalog.loaded('ollama')).toEqual([]);
    expect(catalog.loadedVramBytes('ollama')).toBeNull();
    // Asleep, it needs room for one model to wake: its largest (llama3.2's 2.5 GiB, as /api/ps showed it).
    expect(catalog.wakeVramBytes('ollama')).toBe(2.5 * GIB);
    catalog.stop();
    ledger.close();

    ledger = new Ledger({ path: join(dir, 'ledger.sqlite'), clock });
    const again = new OllamaCatalog({
      lifecycle: servers,
      clock,
      store: ledgerModelStore(ledger),
      api,
    });
    again.start();
    expect(again.models()).toEqual([
      { server: 'ollama', tag: tag('llama3.2:latest', 2 * GIB) },
      { server: 'ollama', tag: tag('qwen2.5:0.5b') },
    ]);
    expect(again.serverFor('llama3.2')?.tag.name).toBe('llama3.2:latest');
    expect(again.serverFor('qwen2.5')).toBeUndefined();
    // After a restart nothing was seen loaded yet: the largest size on disk stands in.
    expect(again.wakeVramBytes('ollama')).toBe(2 * GIB);
    again.stop();
    ledger.close();
  });

  it('follows an awake server’s loaded models, and unloads one on request', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 11, 3));
    const servers = new Servers();
    const api = new ServerApi();
    const saved: string[] = [];
    const catalog = new OllamaCatalog({
      lifecycle: servers,
      clock,
      store: { load: () => new Map(), save: (s) => saved.push(s) },
      api,
      pollMs: 1_000,
    });
    catalog.start();
    servers.set('ready');
    await flushMicrotasks();
    api.loadedNames = ['llama3.2:latest', 'qwen2.5:0.5b'];
    await clock.advance(1_000);
    expect(catalog.loaded('ollama').map((m) => m.name)).toEqual([
      'llama3.2:latest',
      'qwen2.5:0.5b',
    ]);
    expect(catalog.loadedVramBytes('ollama')).toBe(3.75 * GIB);

    await catalog.unload('ollama', 'llama3.2:latest');
    expect(api.unloads).toEqual(['llama3.2:latest']);
    expect(catalog.loaded('ollama').map((m) => m.name)).toEqual(['qwen2.5:0.5b']);
    // The models did not change, so the ledger was written once, when they were learned.
    expect(saved).toEqual(['ollama']);
    catalog.stop();
  });
});
