// The readings Siesta takes at each wake's ends and at each sleep, off the probe's schedule.
import { describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../lifecycle/model-state';
import { readingsAtEdges } from './edge-readings';

const at = 1_000;
const events: LifecycleEvent[] = [
  { kind: 'wake-requested', at, model: 'm', cause: { kind: 'user', via: 'api' } },
  { kind: 'ready', at, model: 'm', wakeMs: 900 },
  {
    kind: 'failed',
    at,
    model: 'm',
    failure: {
      reason: 'timed out',
      cause: { kind: 'timeout', afterMs: 1, lastCheck: null },
      logLines: [],
      at,
    },
  },
  { kind: 'doze', at, model: 'm', cause: { kind: 'idle', idleMs: 1 } },
  { kind: 'sleep', at, model: 'm', cause: { kind: 'idle', idleMs: 1 } },
  { kind: 'evicted', at, model: 'm', forModel: 'n' },
];

describe('readingsAtEdges', () => {
  it('reads the GPU at a wake request, a ready, a failure, a doze and a sleep, not at other events', () => {
    const read: string[] = [];
    let current = '';
    const listener = readingsAtEdges(
      {
        readNow: () => {
          read.push(current);
          return Promise.resolve();
        },
      },
      () => undefined,
    );
    for (const event of events) {
      current = event.kind;
      listener(event);
    }
    expect(read).toEqual(['wake-requested', 'ready', 'failed', 'doze', 'sleep']);
  });

  it('says once that a reading failed, until one succeeds again, and never throws', async () => {
    const lines: string[] = [];
    let fail = true;
    const listener = readingsAtEdges(
      {
        readNow: () => (fail ? Promise.reject(new Error('exporter timed out')) : Promise.resolve()),
      },
      (line) => lines.push(line),
    );
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
    listener(events[0]!);
    listener(events[1]!);
    await settle();
    expect(lines).toEqual(['a GPU reading at a wake-requested failed: exporter timed out']);
    fail = false;
    listener(events[1]!);
    await settle();
    fail = true;
    listener(events[4]!);
    await settle();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('a GPU reading at a sleep failed: exporter timed out');
  });

  it('leaves a probe that cannot read at will alone', () => {
    expect(() => readingsAtEdges({}, () => undefined)(events[0]!)).not.toThrow();
  });
});
