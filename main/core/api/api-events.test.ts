// The API's wake and sleep events carry each cause twice: as data, and as the text clients of old read.
import { describe, expect, it } from 'vitest';
import type { SleepCause, WakeCause } from '../shared/causes';
import { apiEventOfLifecycle } from './api-events';
import { ApiEventSchema } from './contract';

const AT = Date.UTC(2026, 2, 2, 9, 0, 0);

/** The event as a client reads it off the wire: JSON, then the contract's schema. */
function overTheWire(event: ReturnType<typeof apiEventOfLifecycle>): unknown {
  return ApiEventSchema.parse(JSON.parse(JSON.stringify(event)));
}

describe('API events of wakes and sleeps', () => {
  it('send every wake cause as data and in its old spelling', () => {
    const cases: [WakeCause, string][] = [
      [{ kind: 'request', route: 'path', detail: '/qwen/' }, 'request:path /qwen/'],
      [
        { kind: 'request', route: 'model-field', detail: 'Qwen/Qwen2.5-7B' },
        'request:model-field Qwen/Qwen2.5-7B',
      ],
      [{ kind: 'request', route: 'port', detail: '' }, 'request:port'],
      [{ kind: 'user', via: 'dashboard' }, 'user:dashboard'],
      [{ kind: 'prewarm', detail: 'usually used at 09:00' }, 'prewarm'],
      [{ kind: 'external' }, 'external'],
    ];
    for (const [cause, text] of cases) {
      const event = apiEventOfLifecycle({ kind: 'wake-requested', at: AT, model: 'qwen', cause });
      expect(overTheWire(event)).toEqual({
        type: 'wake-requested',
        at: AT,
        model: 'qwen',
        cause: text,
        wakeCause: cause,
      });
    }
  });

  it('send every sleep cause as data and in its old spelling', () => {
    const cases: [SleepCause, string][] = [
      [{ kind: 'idle', idleMs: 600_000 }, 'idle'],
      [{ kind: 'user', via: 'cli' }, 'user:cli'],
      [{ kind: 'evicted', forModel: 'llama-70b' }, 'evicted:for llama-70b'],
      [{ kind: 'group', forModel: 'flux', group: 'image' }, 'group:image for flux'],
      [{ kind: 'external' }, 'external'],
    ];
    for (const [cause, text] of cases) {
      const event = apiEventOfLifecycle({ kind: 'sleep', at: AT, model: 'sdxl', cause });
      expect(overTheWire(event)).toEqual({
        type: 'slept',
        at: AT,
        model: 'sdxl',
        cause: text,
        sleepCause: cause,
      });
    }
  });

  it('send a failure with its reason in words and its cause as data', () => {
    const failure = {
      reason: 'the container exited with code 3 while waking',
      cause: { kind: 'exited', exitCode: 3, oomKilled: false, whileWaking: true },
      logLines: ['CUDA out of memory'],
      at: AT,
    } as const;
    const event = apiEventOfLifecycle({ kind: 'failed', at: AT, model: 'sdxl', failure });
    expect(overTheWire(event)).toEqual({
      type: 'wake-failed',
      at: AT,
      model: 'sdxl',
      reason: 'the container exited with code 3 while waking',
      failureCause: { kind: 'exited', exitCode: 3, oomKilled: false, whileWaking: true },
      logLines: ['CUDA out of memory'],
    });
  });

  it('read a cause of a kind this version does not know as null, keeping the event and its text', () => {
    expect(
      ApiEventSchema.parse({
        type: 'slept',
        at: AT,
        model: 'sdxl',
        cause: 'thermal:92C',
        sleepCause: { kind: 'thermal', celsius: 92 },
      }),
    ).toEqual({ type: 'slept', at: AT, model: 'sdxl', cause: 'thermal:92C', sleepCause: null });
  });
});
