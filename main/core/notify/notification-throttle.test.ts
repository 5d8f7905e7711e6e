// A burst of events gives one notification; the same news is not repeated within the window.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { apiEventOfLifecycle } from '../api/api-events';
import { SETTINGS_DEFAULTS } from '../api/contract';
import type { LifecycleEvent } from '../lifecycle/model-state';
import type { Notice } from './notice';
import { notificationFor } from './notification-text';
import { NotificationThrottle } from './notification-throttle';

/** A lifecycle event without its time (the clock gives it); distributes over the union. */
type Untimed<E> = E extends LifecycleEvent ? Omit<E, 'at'> : never;

function setup(): {
  clock: VirtualClock;
  shown: Notice[];
  send: (event: Untimed<LifecycleEvent>) => void;
  throttle: NotificationThrottle;
} {
  const clock = new VirtualClock();
  const shown: Notice[] = [];
  const throttle = new NotificationThrottle(clock, (n) => shown.push(n), {
    gatherMs: 1_000,
    windowMs: 5_000,
  });
  const send = (event: Untimed<LifecycleEvent>): void => {
    const apiEvent = apiEventOfLifecycle({ ...event, at: clock.now() });
    const notice =
      apiEvent === null
        ? null
        : notificationFor(apiEvent, SETTINGS_DEFAULTS.notifications, clock.now());
    if (notice) throttle.push(notice);
  };
  return { clock, shown, send, throttle };
}

const requestWake = (model: string): Untimed<LifecycleEvent> => ({
  kind: 'wake-requested',
  model,
  cause: { kind: 'request', route: 'path', detail: `/${model}/` },
});

describe('notification throttle', () => {
  it('shows one wake notification a moment after the first request', async () => {
    const { clock, shown, send } = setup();
    send(requestWake('qwen'));
    await clock.advance(999);
    expect(shown).toEqual([]);
    await clock.advance(1);
    expect(shown.map((n) => [n.title, n.body])).toEqual([
      ['Waking qwen', 'A request to /qwen/ woke it.'],
    ]);
  });

  it('turns a burst of wakes of several models into one summary', async () => {
    const { clock, shown, send } = setup();
    for (const model of ['qwen', 'sdxl', 'whisper', 'qwen', 'sdxl']) {
      send(requestWake(model));
      await clock.advance(100);
    }
    await clock.advance(5_000);
    expect(shown.map((n) => [n.title, n.body])).toEqual([
      ['Waking 3 models', 'Requests woke qwen, sdxl and whisper.'],
    ]);
  });

  it('coalesces the same news about the same model within 5 s', async () => {
    const { clock, shown, send } = setup();
    const failed = {
      kind: 'failed',
      model: 'sdxl',
      failure: {
        reason: 'CUDA out of memory',
        cause: { kind: 'error', detail: 'CUDA out of memory' },
        logLines: [],
        at: 0,
      },
    } as const;
    send(failed);
    await clock.advance(1_000);
    expect(shown).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      await clock.advance(1_000);
      send(failed);
    }
    await clock.advance(10_000);
    expect(shown).toHaveLength(1);
    // Long after the window, the same failure is news again.
    send(failed);
    await clock.advance(1_000);
    expect(shown.map((n) => n.title)).toEqual(['sdxl failed to wake', 'sdxl failed to wake']);
  });

  it('shows at most one notification of a kind per 5 s, gathering the rest into the next', async () => {
    const { clock, shown, send } = setup();
    send(requestWake('qwen'));
    await clock.advance(1_000);
    expect(shown.map((n) => n.title)).toEqual(['Waking qwen']);
    send(requestWake('sdxl'));
    await clock.advance(1_500);
    send(requestWake('whisper'));
    await clock.advance(3_499);
    expect(shown).toHaveLength(1);
    await clock.advance(1);
    expect(shown.map((n) => n.title)).toEqual(['Waking qwen', 'Waking 2 models']);
  });

  it('shows a quick wake once, as ready, with the request that woke it', async () => {
    const { clock, shown, send } = setup();
    send(requestWake('tts'));
    await clock.advance(300);
    send({ kind: 'ready', model: 'tts', wakeMs: 300 });
    await clock.advance(5_000);
    expect(shown.map((n) => [n.kind, n.title, n.body])).toEqual([
      ['ready', 'tts is ready', 'A request to /tts/ woke it. Ready after 0.3 s.'],
    ]);
  });

  it('keeps wake and ready apart for a slow wake', async () => {
    const { clock, shown, send } = setup();
    send(requestWake('llama-70b'));
    await clock.advance(40_000);
    send({ kind: 'ready', model: 'llama-70b', wakeMs: 40_000 });
    await clock.advance(1_000);
    expect(shown.map((n) => n.title)).toEqual(['Waking llama-70b', 'llama-70b is ready']);
  });

  it('drops what is waiting when the app quits', async () => {
    const { clock, shown, send, throttle } = setup();
    send(requestWake('qwen'));
    throttle.dispose();
    await clock.advance(10_000);
    expect(shown).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
