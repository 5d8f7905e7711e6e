// What each desktop notification says, and when there is none; events go through the API's own adapter first.
import { describe, expect, it } from 'vitest';
import { apiEventOfLifecycle } from '../api/api-events';
import type { ApiEvent } from '../api/contract';
import { ApiEventSchema, SETTINGS_DEFAULTS } from '../api/contract';
import type { LifecycleEvent, WakeCause } from '../lifecycle/model-state';
import { STALE_EVENT_MS, notificationFor, summarize, supersede } from './notification-text';

const NOW = Date.UTC(2026, 2, 2, 9, 0, 0);
const ALL_ON = SETTINGS_DEFAULTS.notifications;

/** A lifecycle event as the control API's event stream carries it. */
function api(event: LifecycleEvent): ApiEvent {
  const converted = apiEventOfLifecycle(event);
  if (converted === null) throw new Error(`the API does not send ${event.kind} events`);
  return converted;
}

function wakeBy(cause: WakeCause, model = 'qwen'): ApiEvent {
  return api({ kind: 'wake-requested', at: NOW, model, cause });
}

describe('notification texts', () => {
  it('names the model and the route when a request wakes it', () => {
    expect(
      notificationFor(
        wakeBy({ kind: 'request', route: 'path', detail: '/qwen/v1/chat/completions' }),
        ALL_ON,
        NOW,
      ),
    ).toEqual({
      kind: 'wake',
      model: 'qwen',
      forModel: null,
      at: NOW,
      title: 'Waking qwen',
      body: 'A request to /qwen/v1/chat/completions woke it.',
    });
    const body = (cause: WakeCause): string | undefined =>
      notificationFor(wakeBy(cause), ALL_ON, NOW)?.body;
    expect(body({ kind: 'request', route: 'port', detail: '11434' })).toBe(
      'A request on port 11434 woke it.',
    );
    expect(body({ kind: 'request', route: 'host', detail: 'qwen.localhost' })).toBe(
      'A request for qwen.localhost woke it.',
    );
    expect(
      body({ kind: 'request', route: 'model-field', detail: 'Qwen/Qwen2.5-7B-Instruct' }),
    ).toBe('A request for the model "Qwen/Qwen2.5-7B-Instruct" woke it.');
  });

  it('says so when the command line, the API, pre-warming or someone outside Siesta woke it', () => {
    expect(notificationFor(wakeBy({ kind: 'user', via: 'cli' }), ALL_ON, NOW)?.body).toBe(
      'Woken from the command line (siesta wake).',
    );
    expect(notificationFor(wakeBy({ kind: 'user', via: 'api' }), ALL_ON, NOW)?.body).toBe(
      'Woken through the control API.',
    );
    expect(
      notificationFor(wakeBy({ kind: 'prewarm', detail: 'usually used at 09:00' }), ALL_ON, NOW),
    ).toMatchObject({
      title: 'Waking qwen ahead of use',
    });
    expect(notificationFor(wakeBy({ kind: 'external' }), ALL_ON, NOW)?.title).toBe(
      'qwen was started outside Siesta',
    );
  });

  it('still says a model is waking when the cause is one it cannot read', () => {
    // A newer daemon's cause kind: the contract reads the structured cause as null and keeps the text.
    const event = ApiEventSchema.parse({
      type: 'wake-requested',
      at: NOW,
      model: 'qwen',
      cause: 'schedule:nightly',
      wakeCause: { kind: 'schedule', name: 'nightly' },
    });
    expect(event).toMatchObject({ cause: 'schedule:nightly', wakeCause: null });
    expect(notificationFor(event, ALL_ON, NOW)).toMatchObject({
      title: 'Waking qwen',
      body: 'Woken (schedule:nightly).',
    });
  });

  it('stays quiet about wakes the user clicked in the tray or the dashboard', () => {
    expect(notificationFor(wakeBy({ kind: 'user', via: 'tray' }), ALL_ON, NOW)).toBeNull();
    expect(notificationFor(wakeBy({ kind: 'user', via: 'dashboard' }), ALL_ON, NOW)).toBeNull();
  });

  it('says when a model is ready and how long the wake took', () => {
    expect(
      notificationFor(
        api({ kind: 'ready', at: NOW, model: 'llama-70b', wakeMs: 41_300 }),
        ALL_ON,
        NOW,
      ),
    ).toMatchObject({
      kind: 'ready',
      title: 'llama-70b is ready',
      body: 'Ready after 41 s.',
    });
    expect(
      notificationFor(api({ kind: 'ready', at: NOW, model: 'tts', wakeMs: 850 }), ALL_ON, NOW)
        ?.body,
    ).toBe('Ready after 0.9 s.');
  });

  it('gives the reason when a wake fails', () => {
    const failure = {
      reason: 'the container exited with code 3: CUDA out of memory',
      cause: {
        kind: 'error' as const,
        detail: 'the container exited with code 3: CUDA out of memory',
      },
      logLines: ['torch.OutOfMemoryError'],
      at: NOW,
    };
    expect(
      notificationFor(api({ kind: 'failed', at: NOW, model: 'sdxl', failure }), ALL_ON, NOW),
    ).toMatchObject({
      kind: 'failed',
      title: 'sdxl failed to wake',
      body: 'The container exited with code 3: CUDA out of memory',
    });
  });

  it('says which model was put to sleep to make room for which', () => {
    expect(
      notificationFor(
        api({ kind: 'evicted', at: NOW, model: 'sdxl', forModel: 'llama-70b' }),
        ALL_ON,
        NOW,
      ),
    ).toMatchObject({
      kind: 'evicted',
      model: 'sdxl',
      forModel: 'llama-70b',
      title: 'Made room for llama-70b',
      body: 'Put sdxl to sleep to make room for llama-70b.',
    });
    const bySleep = api({
      kind: 'sleep',
      at: NOW,
      model: 'sdxl',
      cause: { kind: 'evicted', forModel: 'llama-70b' },
    });
    expect(notificationFor(bySleep, ALL_ON, NOW)?.body).toBe(
      'Put sdxl to sleep to make room for llama-70b.',
    );
    const byGroup = api({
      kind: 'sleep',
      at: NOW,
      model: 'sdxl',
      cause: { kind: 'group', forModel: 'flux', group: 'image' },
    });
    expect(notificationFor(byGroup, ALL_ON, NOW)?.body).toBe(
      'Put sdxl to sleep because flux shares its group "image".',
    );
  });

  it('never notifies about idle sleeps, sleeps the user asked for, or state updates', () => {
    const quiet: ApiEvent[] = [
      api({ kind: 'sleep', at: NOW, model: 'qwen', cause: { kind: 'idle', idleMs: 600_000 } }),
      api({ kind: 'sleep', at: NOW, model: 'qwen', cause: { kind: 'user', via: 'tray' } }),
      api({ kind: 'sleep', at: NOW, model: 'qwen', cause: { kind: 'external' } }),
      { type: 'auto-sleep', at: NOW, paused: true },
      { type: 'samples', at: NOW, gpus: [] },
      { type: 'error', at: NOW, source: 'gpu', message: 'nvidia-smi exited with code 9' },
    ];
    for (const event of quiet) expect(notificationFor(event, ALL_ON, NOW)).toBeNull();
  });

  it('honours each switch in the settings separately', () => {
    const events: ApiEvent[] = [
      wakeBy({ kind: 'request', route: 'path', detail: '/qwen/' }),
      api({ kind: 'ready', at: NOW, model: 'qwen', wakeMs: 1000 }),
      api({
        kind: 'failed',
        at: NOW,
        model: 'qwen',
        failure: {
          reason: 'not ready after 1 min',
          cause: { kind: 'timeout', afterMs: 60_000, lastCheck: null },
          logLines: [],
          at: NOW,
        },
      }),
      api({ kind: 'evicted', at: NOW, model: 'qwen', forModel: 'sdxl' }),
    ];
    for (const off of ['wake', 'ready', 'failed', 'evicted'] as const) {
      const settings = { ...ALL_ON, [off]: false };
      const shown = events.map((e) => notificationFor(e, settings, NOW)?.kind ?? null);
      expect(shown).toEqual(
        ['wake', 'ready', 'failed', 'evicted'].map((k) => (k === off ? null : k)),
      );
    }
  });

  it('ignores events from longer ago than a minute (a reconnecting stream replays them)', () => {
    const event = api({ kind: 'ready', at: NOW - STALE_EVENT_MS - 1, model: 'qwen', wakeMs: 1000 });
    expect(notificationFor(event, ALL_ON, NOW)).toBeNull();
    expect(notificationFor({ ...event, at: NOW - STALE_EVENT_MS }, ALL_ON, NOW)).not.toBeNull();
  });

  it('summarises a burst and merges a wake with its quick ready', () => {
    const notices = ['qwen', 'sdxl', 'whisper', 'tts', 'flux', 'bark']
      .map((m) =>
        notificationFor(
          wakeBy({ kind: 'request', route: 'path', detail: `/${m}/` }, m),
          ALL_ON,
          NOW,
        ),
      )
      .filter((n) => n !== null);
    expect(summarize('wake', notices.slice(0, 3))).toMatchObject({
      model: null,
      title: 'Waking 3 models',
      body: 'Requests woke qwen, sdxl and whisper.',
    });
    expect(summarize('wake', notices.slice(0, 4)).body).toBe(
      'Requests woke qwen, sdxl, whisper and tts.',
    );
    expect(summarize('wake', notices).body).toBe('Requests woke qwen, sdxl, whisper and 3 more.');
    const ready = notificationFor(
      api({ kind: 'ready', at: NOW, model: 'qwen', wakeMs: 300 }),
      ALL_ON,
      NOW,
    );
    expect(ready).not.toBeNull();
    if (ready && notices[0]) {
      expect(supersede(notices[0], ready)).toMatchObject({
        kind: 'ready',
        title: 'qwen is ready',
        body: 'A request to /qwen/ woke it. Ready after 0.3 s.',
      });
    }
  });

  it('summarises evictions by the model that needed the room', () => {
    const evictions = ['sdxl', 'tts'].map((m) =>
      notificationFor(
        api({ kind: 'evicted', at: NOW, model: m, forModel: 'llama-70b' }),
        ALL_ON,
        NOW,
      ),
    );
    expect(
      summarize(
        'evicted',
        evictions.filter((n) => n !== null),
      ),
    ).toMatchObject({
      title: 'Made room for llama-70b',
      body: 'Put sdxl and tts to sleep to make room for llama-70b.',
    });
  });
});
