// Starting and stopping the core from the shell: the composition root starts it, a stuck stop does not hang the quit.
import { describe, expect, it } from 'vitest';
import { startSiesta } from '../core/siesta';
import { startCore, stopWithin } from './core-starter';

describe('core starter', () => {
  it('starts the core with the composition root, imported statically', () => {
    expect(startCore).toBe(startSiesta);
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
