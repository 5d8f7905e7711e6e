// The API's cause strings read back into causes, for every cause the API can send.
import { describe, expect, it } from 'vitest';
import { describeSleepCause, describeWakeCause } from '../api/api-events';
import type { WakeCause } from '../lifecycle/model-state';
import { parseEviction, parseWakeCause } from './wake-cause-text';

describe('cause strings', () => {
  it('reads back every wake cause the API writes', () => {
    const causes: WakeCause[] = [
      { kind: 'request', route: 'port', detail: '11434' },
      { kind: 'request', route: 'host', detail: 'comfy.localhost' },
      { kind: 'request', route: 'path', detail: '/qwen/v1/chat/completions' },
      { kind: 'request', route: 'model-field', detail: 'Qwen/Qwen2.5 7B' },
      { kind: 'user', via: 'cli' },
      { kind: 'user', via: 'tray' },
      { kind: 'external' },
    ];
    for (const cause of causes) expect(parseWakeCause(describeWakeCause(cause))).toEqual(cause);
    expect(parseWakeCause(describeWakeCause({ kind: 'prewarm', detail: 'at 09:00' }))?.kind).toBe(
      'prewarm',
    );
  });

  it('gives null for a cause it does not know, so the caller can say so', () => {
    expect(parseWakeCause('request:carrier-pigeon x')).toBeNull();
    expect(parseWakeCause('user:robot')).toBeNull();
    expect(parseWakeCause('')).toBeNull();
  });

  it('finds the model an eviction or a group made room for', () => {
    expect(parseEviction(describeSleepCause({ kind: 'evicted', forModel: 'llama-70b' }))).toEqual({
      forModel: 'llama-70b',
      group: null,
    });
    expect(
      parseEviction(describeSleepCause({ kind: 'group', forModel: 'flux', group: 'image' })),
    ).toEqual({ forModel: 'flux', group: 'image' });
    expect(parseEviction(describeSleepCause({ kind: 'idle', idleMs: 1000 }))).toBeNull();
    expect(parseEviction(describeSleepCause({ kind: 'user', via: 'tray' }))).toBeNull();
  });
});
