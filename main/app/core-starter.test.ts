// Starting and stopping the core from the shell: a missing composition root is named, a stuck stop does not hang the quit.
import { describe, expect, it } from 'vitest';
import { loadStartSiesta, stopWithin } from './core-starter';

describe('core starter', () => {
  it('takes startSiesta from the composition root', () => {
    const startSiesta = () =>
      Promise.resolve({
        controlUrl: 'http://127.0.0.1:11401',
        token: 't',
        stop: () => Promise.resolve(),
      });
    const asked: string[] = [];
    expect(loadStartSiesta((id) => (asked.push(id), { startSiesta }))).toBe(startSiesta);
    expect(asked).toEqual(['../core/siesta']);
  });

  it('says so when the composition root is missing or exports no startSiesta', () => {
    const missing = (): never => {
      throw new Error("Cannot find module '../core/siesta'");
    };
    expect(() => loadStartSiesta(missing)).toThrow(
      "Siesta cannot start its core: main/core/siesta (the composition root) did not load: Cannot find module '../core/siesta'",
    );
    expect(() => loadStartSiesta(() => ({ start: () => undefined }))).toThrow(
      'main/core/siesta exports no startSiesta function',
    );
  });

  it('waits for the core to stop', async () => {
    const stopped: string[] = [];
    await stopWithin(
      { stop: () => Promise.resolve().then(() => void stopped.push('core')) },
      1_000,
    );
    expect(stopped).toEqual(['core']);
  });

  it('gives up on a core that does not stop, saying so', async () => {
    await expect(
      stopWithin({ stop: () => new Promise<void>(() => undefined) }, 20),
    ).rejects.toThrow('the core did not stop within 0.02 s; quitting anyway');
  });

  it('passes on why the core failed to stop', async () => {
    await expect(
      stopWithin({ stop: () => Promise.reject(new Error('docker: socket closed')) }, 1_000),
    ).rejects.toThrow('docker: socket closed');
  });
});
