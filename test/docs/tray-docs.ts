// Writes docs/tray-and-notifications.md from the tray's and the notifications' own functions, so every example is what the app shows.
import type { ApiEvent, StateResponse } from '../../main/core/api/contract';
import { SETTINGS_DEFAULTS } from '../../main/core/api/contract';
import { apiEventOfLifecycle } from '../../main/core/api/api-events';
import { VirtualClock } from '../../main/core/clock/virtual-clock';
import type { LifecycleEvent } from '../../main/core/lifecycle/model-state';
import type { Notice } from '../../main/core/notify/notice';
import { notificationFor } from '../../main/core/notify/notification-text';
import { NotificationThrottle } from '../../main/core/notify/notification-throttle';
import {
  EXAMPLE_NOW,
  exampleGpu,
  exampleModel,
  exampleState,
} from '../../main/core/tray/testdata/state-examples';
import type { TrayMenuItem } from '../../main/core/tray/tray-action';
import { trayIconFile } from '../../main/core/tray/tray-icon-file';
import { trayIconState } from '../../main/core/tray/tray-icon-state';
import { trayMenuModel } from '../../main/core/tray/tray-menu-model';
import { trayTooltip } from '../../main/core/tray/tray-tooltip';

const GIB = 1024 ** 3;
const PRICE = { pricePerKwh: SETTINGS_DEFAULTS.pricePerKwh, currency: SETTINGS_DEFAULTS.currency };

/** The menu as a user sees it, one line per item. */
function menuText(items: readonly TrayMenuItem[]): string {
  return items
    .map((item) => {
      switch (item.type) {
        case 'separator':
          return '────────────────────────────';
        case 'label':
          return `  ${item.label}`;
        case 'checkbox':
          return `${item.checked ? '☑' : '☐'} ${item.label}${item.action === null ? '   (greyed out)' : ''}`;
        case 'action':
          return `  ${item.label}`;
      }
    })
    .join('\n');
}

function api(event: LifecycleEvent): ApiEvent {
  const converted = apiEventOfLifecycle(event);
  if (converted === null) throw new Error(`the API sends no ${event.kind} event`);
  return converted;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Feeds events through the real throttle on a virtual clock; returns what would be shown. */
async function throttled(
  events: ReadonlyArray<{
    readonly afterMs: number;
    readonly event: (at: number) => LifecycleEvent;
  }>,
): Promise<Notice[]> {
  const clock = new VirtualClock(EXAMPLE_NOW);
  const shown: Notice[] = [];
  const throttle = new NotificationThrottle(clock, (n) => shown.push(n));
  for (const { afterMs, event } of events) {
    await clock.advance(afterMs);
    const notice = notificationFor(
      api(event(clock.now())),
      SETTINGS_DEFAULTS.notifications,
      clock.now(),
    );
    if (notice) throttle.push(notice);
  }
  await clock.advance(60_000);
  return shown;
}

/** The whole document. */
export async function trayAndNotificationsMarkdown(): Promise<string> {
  const workstation: StateResponse = exampleState({
    gpus: [exampleGpu(0, { vramUsedBytes: 20.1 * GIB, vramTotalBytes: 24 * GIB, powerWatts: 215 })],
    models: [
      exampleModel('llama-70b', {
        state: 'waking',
        wakeStartedAt: EXAMPLE_NOW - 12_000,
        wakeEstimateMs: 40_000,
      }),
      exampleModel('ollama', {
        state: 'ready',
        sleepAt: EXAMPLE_NOW + 12 * 60_000,
        serves: [
          {
            name: 'gemma3:12b',
            sizeBytes: 8.1 * GIB,
            loaded: true,
            vramBytes: 9.4 * GIB,
            lastUsedAt: EXAMPLE_NOW - 60_000,
          },
          {
            name: 'llama3.2:3b',
            sizeBytes: 2 * GIB,
            loaded: false,
            vramBytes: null,
            lastUsedAt: null,
          },
          {
            name: 'nomic-embed-text:latest',
            sizeBytes: 0.3 * GIB,
            loaded: true,
            vramBytes: 0.6 * GIB,
            lastUsedAt: EXAMPLE_NOW - 5_000,
          },
        ],
      }),
      exampleModel('qwen', { state: 'ready', sleepAt: EXAMPLE_NOW + 8 * 60_000 }),
      exampleModel('sdxl', {
        state: 'failed',
        failure: {
          reason: 'the container exited with code 3: CUDA out of memory',
          cause: { kind: 'error', detail: 'the container exited with code 3: CUDA out of memory' },
          logLines: [],
          at: EXAMPLE_NOW - 60_000,
        },
      }),
      exampleModel('tts'),
      exampleModel('whisper', { state: 'ready', inFlight: 2 }),
    ],
    savedTodayJoules: 1_512_000,
  });
  const noGpu = exampleState({
    gpus: [],
    models: [exampleModel('qwen'), exampleModel('tts')],
    autoSleepPaused: true,
    savedTodayJoules: 36_000,
  });
  const dockerStarting = exampleState({
    engine: {
      reachable: false,
      detail: 'connect ENOENT /var/run/docker.sock',
      since: EXAMPLE_NOW - 5_000,
    },
  });
  const mixes: Array<[string, StateResponse]> = [
    ['every model asleep', exampleState({ models: [exampleModel('qwen'), exampleModel('sdxl')] })],
    [
      'one awake',
      exampleState({ models: [exampleModel('qwen', { state: 'ready' }), exampleModel('sdxl')] }),
    ],
    [
      'one waking',
      exampleState({
        models: [
          exampleModel('qwen', { state: 'ready' }),
          exampleModel('sdxl', { state: 'waking', wakeStartedAt: EXAMPLE_NOW }),
        ],
      }),
    ],
    ['one failed', workstation],
    ['no GPU found', noGpu],
    ['Docker not answering', dockerStarting],
  ];

  const at = EXAMPLE_NOW;
  const notices: Array<[string, LifecycleEvent]> = [
    [
      'a request to a path wakes a model',
      {
        kind: 'wake-requested',
        at,
        model: 'qwen',
        cause: { kind: 'request', route: 'path', detail: '/qwen/v1/chat/completions' },
      },
    ],
    [
      "a request on a model's own port",
      {
        kind: 'wake-requested',
        at,
        model: 'qwen',
        cause: { kind: 'request', route: 'port', detail: '11434' },
      },
    ],
    [
      "a browser opens a model's web UI",
      {
        kind: 'wake-requested',
        at,
        model: 'comfyui',
        cause: { kind: 'request', route: 'host', detail: 'comfyui.localhost' },
      },
    ],
    [
      'an OpenAI client names the model',
      {
        kind: 'wake-requested',
        at,
        model: 'qwen',
        cause: { kind: 'request', route: 'model-field', detail: 'Qwen/Qwen2.5-7B-Instruct' },
      },
    ],
    [
      '`siesta wake qwen`',
      { kind: 'wake-requested', at, model: 'qwen', cause: { kind: 'user', via: 'cli' } },
    ],
    [
      'someone runs `docker start` by hand',
      { kind: 'wake-requested', at, model: 'qwen', cause: { kind: 'external' } },
    ],
    ['the model is ready', { kind: 'ready', at, model: 'llama-70b', wakeMs: 41_300 }],
    [
      'a wake fails',
      {
        kind: 'failed',
        at,
        model: 'sdxl',
        failure: {
          reason: 'the container exited with code 3: CUDA out of memory',
          cause: { kind: 'error', detail: 'the container exited with code 3: CUDA out of memory' },
          logLines: [],
          at,
        },
      },
    ],
    [
      'a model is put to sleep to make room',
      { kind: 'evicted', at, model: 'sdxl', forModel: 'llama-70b' },
    ],
    [
      'a model shares a group with the one waking',
      {
        kind: 'sleep',
        at,
        model: 'sdxl',
        cause: { kind: 'group', forModel: 'flux', group: 'image' },
      },
    ],
  ];

  const burst = await throttled(
    ['qwen', 'sdxl', 'whisper', 'tts'].map((model, i) => ({
      afterMs: i === 0 ? 0 : 150,
      event: (now: number): LifecycleEvent => ({
        kind: 'wake-requested',
        at: now,
        model,
        cause: { kind: 'request', route: 'path', detail: `/${model}/` },
      }),
    })),
  );
  const quick = await throttled([
    {
      afterMs: 0,
      event: (now) => ({
        kind: 'wake-requested',
        at: now,
        model: 'tts',
        cause: { kind: 'request', route: 'path', detail: '/tts/v1/audio/speech' },
      }),
    },
    { afterMs: 400, event: (now) => ({ kind: 'ready', at: now, model: 'tts', wakeMs: 400 }) },
  ]);

  const lines = [
    '<!-- Generated from the tray and notification functions by test/docs/tray-docs.test.ts: edit the code, then run `npx vitest run test/docs/tray-docs.test.ts -u`. -->',
    '',
    '# The tray and notifications',
    '',
    'The desktop app lives in the tray. Its menu, icon, tooltip and notifications are computed by pure',
    "functions in `main/core/tray/` and `main/core/notify/` from the control API's state and events; every",
    'example below is their real output.',
    '',
    '## The tray menu',
    '',
    'A workstation with one GPU: one model waking, three awake (one busy, one an Ollama server whose models are listed under it: a loaded one shows its VRAM and unloads on a click), one whose wake failed, one asleep.',
    '',
    '```text',
    menuText(trayMenuModel(workstation, EXAMPLE_NOW, PRICE)),
    '```',
    '',
    '- **GPU lines**: VRAM used / total and power draw of each GPU, from the last sample.',
    '- **A model**: ticked while awake or waking. Clicking an asleep (or failed) model wakes it; clicking an',
    '  awake one puts it to sleep (after its open requests end). A waking model shows its progress against',
    '  its usual wake time and cannot be clicked until it is up; a failed one shows why.',
    '- **Pause auto-sleep**: while ticked, no idle timer puts a model to sleep.',
    '- **Energy saved today**: net of what the wakes cost; money once a price per kWh is set.',
    '- **Open dashboard**: the dashboard window. Closing it keeps Siesta in the tray; **Quit Siesta** stops',
    '  Siesta and its gateway.',
    '',
    'On a machine without a GPU, with auto-sleep paused:',
    '',
    '```text',
    menuText(trayMenuModel(noGpu, EXAMPLE_NOW, PRICE)),
    '```',
    '',
    'Started at login before Docker Desktop is up: Siesta waits for the engine and finds the models when it answers.',
    '',
    '```text',
    menuText(trayMenuModel(dockerStarting, EXAMPLE_NOW, PRICE)),
    '```',
    '',
    '## The icon and its tooltip',
    '',
    'The icon shows the most urgent state: a failed wake or Docker not answering, then a wake in progress, then any model awake,',
    'else all asleep. macOS gets template images (tinted by the menu bar); Windows and Linux get a light or',
    'dark variant to suit the panel.',
    '',
    '| models | icon | tooltip |',
    '| --- | --- | --- |',
    ...mixes.map(([what, state]) => {
      const icon = trayIconState(state);
      return `| ${what} | ![${icon}](../assets/tray/${trayIconFile(icon, 'linux', false).replace('.png', '@2x.png')}) ${icon} | ${cell(trayTooltip(state))} |`;
    }),
    '',
    '## Notifications',
    '',
    'A click on any notification opens the dashboard. Each kind can be switched off in the settings',
    `(\`notifications: ${JSON.stringify(SETTINGS_DEFAULTS.notifications).replace(/"/g, '').replace(/:/g, ': ').replace(/,/g, ', ')}\`).`,
    'Wakes the user started from the tray or the dashboard, idle sleeps and sleeps the user asked for',
    'give no notification.',
    '',
    '| when | kind | title | body |',
    '| --- | --- | --- | --- |',
    ...notices.map(([when, event]) => {
      const notice = notificationFor(api(event), SETTINGS_DEFAULTS.notifications, EXAMPLE_NOW);
      if (notice === null) throw new Error(`no notification for ${when}`);
      return `| ${when} | ${notice.kind} | ${cell(notice.title)} | ${cell(notice.body)} |`;
    }),
    '',
    '### Bursts',
    '',
    'A notification waits a second for the rest of its burst, then one is shown; after it, at most one of',
    'the same kind every 5 s, and the same news about the same model is not repeated within 5 s.',
    '',
    'Four requests to four sleeping models within half a second:',
    '',
    ...burst.map((n) => `> **${n.title}**  \n> ${n.body}`),
    '',
    'A model that is ready before its wake notification was shown (a fast wake) gives one notification:',
    '',
    ...quick.map((n) => `> **${n.title}**  \n> ${n.body}`),
    '',
  ];
  return lines.join('\n');
}
