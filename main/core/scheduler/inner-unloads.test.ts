// The scheduler making room inside an Ollama server on a virtual clock: it unloads the least recently used model of the
// server instead of stopping it, waits for that memory to show, and never unloads one model too many meanwhile.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import type { InnerModel, InnerModels } from './inner-unload-plan';
import { FakeLifecycle } from './testdata/fake-lifecycle';
import { GIB, modelSpec } from './testdata/scheduler-fixtures';
import { VramScheduler } from './vram-scheduler';

const MINUTE = 60_000;
/** How long an unloaded model's memory still shows as used (the server frees it, the sampler ticks). */
const RELEASE_LAG_MS = 1_500;

/** An Ollama server's loaded models; an unload empties the books at once and the GPU reading after the lag. */
class Server implements InnerModels {
  readonly unloads: string[] = [];
  readonly models = new Map<string, InnerModel>();
  private readonly freedAt = new Map<string, { bytes: number; at: number }>();

  constructor(private readonly clock: VirtualClock) {}

  loaded(server: string): readonly InnerModel[] {
    return server === 'ollama' ? [...this.models.values()] : [];
  }

  unload(_server: string, model: string): Promise<void> {
    const m = this.models.get(model);
    this.unloads.push(model);
    this.models.delete(model);
    if (m) this.freedAt.set(model, { bytes: m.vramBytes, at: this.clock.now() + RELEASE_LAG_MS });
    return Promise.resolve();
  }

  /** What the GPU shows the server holding now. */
  heldBytes(): number {
    const now = this.clock.now();
    let bytes = 0;
    for (const m of this.models.values()) bytes += m.vramBytes;
    for (const f of this.freedAt.values()) if (f.at > now) bytes += f.bytes;
    return bytes;
  }

  booksBytes(): number {
    let bytes = 0;
    for (const m of this.models.values()) bytes += m.vramBytes;
    return bytes;
  }
}

describe('making room inside an Ollama server', () => {
  it('unloads one model of three, waits for its memory, and keeps the server up', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const ollama = modelSpec('ollama', { server: 'ollama' });
    const big = modelSpec('big', { vramGib: 8 });
    const lifecycle = new FakeLifecycle({
      clock,
      specs: [ollama, big],
      stopMs: 1000,
      wakeMs: 2000,
      releaseLagMs: 1500,
    });
    const server = new Server(clock);
    for (const [name, usedMinAgo] of [
      ['beta:7b', 3],
      ['alpha:latest', 9],
      ['gamma:2b', 1],
    ] as const)
      server.models.set(name, { name, vramBytes: 6 * GIB, lastUsedAt: t0 - usedMinAgo * MINUTE });
    const scheduler = new VramScheduler({
      clock,
      lifecycle,
      freeVramBytes: (g) => (lifecycle.freeVramBytes(g) ?? 0) - server.heldBytes(),
      totalVramBytes: (g) => lifecycle.totalVramBytes(g),
      learnedVramBytes: (m) => (m === 'ollama' ? server.booksBytes() : null),
      settings: () => ({ vramMarginBytes: 0.5 * GIB, minResidencyMs: MINUTE }),
      innerModels: server,
    });
    lifecycle.admission = scheduler;
    lifecycle.setReady('ollama', t0 - 30 * MINUTE, t0 - MINUTE);

    let woke = false;
    void lifecycle.wake('big').then(() => (woke = true));
    await clock.advance(1_000);
    // The reading still shows alpha's memory: the wake waits for it rather than unloading beta too.
    expect(server.unloads).toEqual(['alpha:latest']);
    expect(woke).toBe(false);
    await clock.advance(5_000);
    expect(woke).toBe(true);
    expect(server.unloads).toEqual(['alpha:latest']);
    expect(lifecycle.sleeps).toEqual([]);
    expect(lifecycle.get('ollama')?.state).toBe('ready');
  });

  it('puts the server to sleep as a whole when only unloading every model would make the room', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const ollama = modelSpec('ollama', { server: 'ollama' });
    const huge = modelSpec('huge', { vramGib: 20 });
    const lifecycle = new FakeLifecycle({
      clock,
      specs: [ollama, huge],
      stopMs: 1000,
      wakeMs: 2000,
      releaseLagMs: 0,
    });
    const server = new Server(clock);
    server.models.set('alpha:latest', {
      name: 'alpha:latest',
      vramBytes: 6 * GIB,
      lastUsedAt: t0 - 9 * MINUTE,
    });
    server.models.set('beta:7b', {
      name: 'beta:7b',
      vramBytes: 6 * GIB,
      lastUsedAt: t0 - 3 * MINUTE,
    });
    const scheduler = new VramScheduler({
      clock,
      lifecycle,
      // Asleep, the server holds nothing: its models' memory goes with the container.
      freeVramBytes: (g) =>
        (lifecycle.freeVramBytes(g) ?? 0) -
        (lifecycle.get('ollama')?.state === 'ready' ? server.heldBytes() : 0),
      totalVramBytes: (g) => lifecycle.totalVramBytes(g),
      learnedVramBytes: (m) =>
        m === 'ollama' && lifecycle.get('ollama')?.state === 'ready' ? server.booksBytes() : null,
      settings: () => ({ vramMarginBytes: 0.5 * GIB, minResidencyMs: MINUTE }),
      innerModels: server,
    });
    lifecycle.admission = scheduler;
    lifecycle.setReady('ollama', t0 - 30 * MINUTE, t0 - MINUTE);

    await Promise.all([lifecycle.wake('huge'), clock.advance(10_000)]);
    expect(server.unloads).toEqual([]);
    expect(lifecycle.sleeps.map((s) => [s.model, s.cause])).toEqual([
      ['ollama', { kind: 'evicted', forModel: 'huge' }],
    ]);
  });
});
