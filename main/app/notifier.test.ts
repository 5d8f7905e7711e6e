// Desktop notifications from the event stream: shown once per burst, switched off per kind, a click opens the dashboard.
import { describe, expect, it } from 'vitest';
import type { ApiEvent, NotificationSettings } from '../core/api/contract';
import { SETTINGS_DEFAULTS } from '../core/api/contract';
import { VirtualClock } from '../core/clock/virtual-clock';
import type { NotificationLike } from './notifier';
import { DesktopNotifier } from './notifier';

interface FakeNotification extends NotificationLike {
  readonly options: { title: string; body: string; silent: boolean };
  shown: boolean;
  fire(event: 'click' | 'close'): void;
}

function setup(settings: NotificationSettings = SETTINGS_DEFAULTS.notifications): {
  clock: VirtualClock;
  made: FakeNotification[];
  opened: number[];
  notifier: DesktopNotifier;
} {
  const clock = new VirtualClock();
  const made: FakeNotification[] = [];
  const opened: number[] = [];
  const notifier = new DesktopNotifier(
    clock,
    (options) => {
      const listeners = new Map<string, () => void>();
      const n: FakeNotification = {
        options,
        shown: false,
        on: (event, listener) => listeners.set(event, listener),
        show: () => void (n.shown = true),
        fire: (event) => listeners.get(event)?.(),
      };
      made.push(n);
      return n;
    },
    () => settings,
    () => opened.push(clock.now()),
  );
  return { clock, made, opened, notifier };
}

describe('desktop notifier', () => {
  it('shows one notification for a burst of wakes, and a click opens the dashboard', async () => {
    const { clock, made, opened, notifier } = setup();
    for (const model of ['qwen', 'sdxl', 'whisper']) {
      notifier.handle({
        type: 'wake-requested',
        at: clock.now(),
        model,
        cause: `request:path /${model}/`,
        wakeCause: { kind: 'request', route: 'path', detail: `/${model}/` },
      });
    }
    await clock.advance(2_000);
    expect(made.map((n) => [n.options.title, n.options.body, n.shown])).toEqual([
      ['Waking 3 models', 'Requests woke qwen, sdxl and whisper.', true],
    ]);
    made[0]?.fire('click');
    expect(opened).toHaveLength(1);
  });

  it('makes a sound only for a failure', async () => {
    const { clock, made, notifier } = setup();
    notifier.handle({
      type: 'wake-failed',
      at: clock.now(),
      model: 'sdxl',
      reason: 'CUDA out of memory',
      failureCause: { kind: 'error', detail: 'CUDA out of memory' },
      logLines: [],
    });
    notifier.handle({ type: 'evicted', at: clock.now(), model: 'tts', forModel: 'llama' });
    await clock.advance(2_000);
    expect(made.map((n) => [n.options.title, n.options.silent])).toEqual([
      ['sdxl failed to wake', false],
      ['Made room for llama', true],
    ]);
  });

  it('shows nothing for a kind switched off in the settings', async () => {
    const { clock, made, notifier } = setup({ ...SETTINGS_DEFAULTS.notifications, wake: false });
    const events: ApiEvent[] = [
      {
        type: 'wake-requested',
        at: clock.now(),
        model: 'qwen',
        cause: 'request:port 11434',
        wakeCause: { kind: 'request', route: 'port', detail: '11434' },
      },
      {
        type: 'slept',
        at: clock.now(),
        model: 'qwen',
        cause: 'idle',
        sleepCause: { kind: 'idle', idleMs: 600_000 },
      },
    ];
    for (const event of events) notifier.handle(event);
    await clock.advance(10_000);
    expect(made).toEqual([]);
  });

  it('shows nothing once the app is quitting', async () => {
    const { clock, made, notifier } = setup();
    notifier.handle({ type: 'wake-ready', at: clock.now(), model: 'qwen', wakeMs: 500 });
    notifier.dispose();
    await clock.advance(10_000);
    expect(made).toEqual([]);
  });
});
