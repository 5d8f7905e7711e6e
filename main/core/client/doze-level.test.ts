// The sleep level as each reader shows it (issue 15): dozed vs asleep and the expected wake time, in the shared
// formatters, `siesta status`, the tray menu and the wake notification.
import { describe, expect, it } from 'vitest';
import { statusText } from '../../cli/status-table';
import { apiEventOfLifecycle } from '../api/api-events';
import type { ApiEvent } from '../api/contract';
import { SETTINGS_DEFAULTS } from '../api/contract';
import { notificationFor } from '../notify/notification-text';
import { EXAMPLE_NOW, exampleModel, exampleState } from '../tray/testdata/state-examples';
import { trayMenuModel } from '../tray/tray-menu-model';
import { dozedText, expectedWakeMs, nextLevelText } from './format';

const MIN = 60_000;
const doze = (over: Partial<NonNullable<ReturnType<typeof exampleModel>['doze']>> = {}) => ({
  kind: 'vllm',
  dozeAt: null,
  dozedAt: null,
  wakeEstimateMs: 1_200,
  keptBytes: 0,
  warning: null,
  ...over,
});
/** qwen dozed 5 min ago, stops in 50 min; wakes from its doze in 1.2 s, from asleep in 40 s. */
const dozed = exampleModel('qwen', {
  state: 'dozed',
  sleepAt: EXAMPLE_NOW + 50 * MIN,
  doze: doze({ dozedAt: EXAMPLE_NOW - 5 * MIN }),
});
/** llama is awake and idle: it dozes in 4 min and stops in 1 h. */
const idle = exampleModel('llama', {
  state: 'ready',
  sleepAt: EXAMPLE_NOW + 60 * MIN,
  doze: doze({ dozeAt: EXAMPLE_NOW + 4 * MIN }),
});

describe('the sleep level shown', () => {
  it('spells the level and when the next comes, in the shared formatters', () => {
    expect(dozedText(dozed, EXAMPLE_NOW)).toBe(
      'dozed (VRAM freed), wakes in about 1.2 s, stops in 50 min',
    );
    expect(nextLevelText(idle, EXAMPLE_NOW)).toBe('dozes in 4 min, stops in 1 h');
    expect(
      nextLevelText(exampleModel('plain', { sleepAt: EXAMPLE_NOW + 10 * MIN }), EXAMPLE_NOW),
    ).toBe('sleeps in 10 min');
    expect(expectedWakeMs(dozed)).toBe(1_200);
    expect(expectedWakeMs({ ...dozed, state: 'asleep' })).toBe(40_000);
    expect(expectedWakeMs({ ...dozed, state: 'waking', wakeFrom: 'dozed' })).toBe(1_200);
  });

  it('siesta status says dozed with its wake time, and when each model goes to its next level', () => {
    const text = statusText(exampleState({ models: [dozed, idle] }));
    const row = (name: string) => text.split('\n').find((l) => l.startsWith(name)) ?? '';
    expect(row('qwen')).toContain('dozed (wakes ~1.2 s)');
    expect(row('qwen')).toContain('stops in 50 min');
    expect(row('llama')).toContain('dozes in 4 min, stops in 1 h');
  });

  it('the tray says dozed and the wake time, and a click wakes it', () => {
    const menu = trayMenuModel(exampleState({ models: [dozed, idle] }), EXAMPLE_NOW);
    const qwen = menu.find((i) => i.type !== 'separator' && i.label.startsWith('qwen'));
    expect(qwen).toMatchObject({
      label: 'qwen: dozed (VRAM freed), wakes in about 1.2 s, stops in 50 min',
      checked: false,
      action: { kind: 'wake', model: 'qwen' },
    });
    const llama = menu.find((i) => i.type !== 'separator' && i.label.startsWith('llama'));
    expect(llama?.type !== 'separator' && llama?.label).toBe(
      'llama: awake, dozes in 4 min, stops in 1 h',
    );
  });

  it('the wake notification says which kind of wake runs and how long it usually takes', () => {
    const event = apiEventOfLifecycle({
      kind: 'wake-requested',
      at: EXAMPLE_NOW,
      model: 'qwen',
      cause: { kind: 'request', route: 'path', detail: '/qwen/v1/chat/completions' },
      from: 'dozed',
    });
    if (event?.type !== 'wake-requested') throw new Error('no wake-requested event');
    const withTime: ApiEvent = { ...event, expectedMs: 1_200 };
    expect(notificationFor(withTime, SETTINGS_DEFAULTS.notifications, EXAMPLE_NOW)?.body).toBe(
      'A request to /qwen/v1/chat/completions woke it. Waking it from its doze (its server kept running), usually 1.2 s.',
    );
    const cold: ApiEvent = { ...event, from: 'asleep', expectedMs: 40_000 };
    expect(notificationFor(cold, SETTINGS_DEFAULTS.notifications, EXAMPLE_NOW)?.body).toBe(
      'A request to /qwen/v1/chat/completions woke it. Starting it, usually 40 s.',
    );
  });
});
