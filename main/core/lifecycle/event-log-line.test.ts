import { describe, expect, it } from 'vitest';
import { eventLogLine } from './event-log-line';

const at = 0;

describe('eventLogLine', () => {
  it('says who woke a model and how long it took', () => {
    expect(
      eventLogLine({
        kind: 'wake-requested',
        at,
        model: 'qwen',
        cause: { kind: 'request', route: 'model-field', detail: 'Qwen/Qwen2.5-7B-Instruct' },
      }),
    ).toBe('qwen: waking (a request by model field Qwen/Qwen2.5-7B-Instruct)');
    expect(
      eventLogLine({
        kind: 'wake-requested',
        at,
        model: 'flux',
        cause: { kind: 'user', via: 'tray' },
      }),
    ).toBe('flux: waking (asked from the tray)');
    expect(
      eventLogLine({ kind: 'wake-requested', at, model: 'flux', cause: { kind: 'external' } }),
    ).toBe('flux: waking (its container was started outside Siesta)');
    expect(eventLogLine({ kind: 'ready', at, model: 'qwen', wakeMs: 1449 })).toBe(
      'qwen: ready after 1.4 s',
    );
  });

  it('says why a model went to sleep, and why a wake failed with its last log line', () => {
    expect(
      eventLogLine({ kind: 'sleep', at, model: 'qwen', cause: { kind: 'idle', idleMs: 600_000 } }),
    ).toBe('qwen: asleep (idle for 10m)');
    expect(
      eventLogLine({
        kind: 'sleep',
        at,
        model: 'flux',
        cause: { kind: 'group', forModel: 'sdxl', group: 'image' },
      }),
    ).toBe('flux: asleep (sdxl shares its group "image")');
    expect(eventLogLine({ kind: 'evicted', at, model: 'sdxl', forModel: 'llama-70b' })).toBe(
      'sdxl: put to sleep to make room for llama-70b',
    );
    expect(
      eventLogLine({
        kind: 'failed',
        at,
        model: 'qwen',
        failure: {
          reason: 'the container exited with code 137 (out of memory)',
          cause: { kind: 'exited', exitCode: 137, oomKilled: true, whileWaking: false },
          logLines: ['loading', 'CUDA out of memory'],
          at,
        },
      }),
    ).toBe(
      'qwen: failed: the container exited with code 137 (out of memory) (last log line: CUDA out of memory)',
    );
  });
});
