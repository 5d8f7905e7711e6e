// The tray icon and tooltip summarise the state at a glance.
import { describe, expect, it } from 'vitest';
import type { ModelView } from '../api/contract';
import { trayIconState } from './tray-icon-state';
import { trayIconFile, trayPanelIsDark } from './tray-icon-file';
import { MAX_TOOLTIP_CHARS, trayTooltip } from './tray-tooltip';
import { exampleGpu, exampleModel, exampleState } from './testdata/state-examples';

const GIB = 1024 ** 3;
const UP = { reachable: true, detail: null, since: null };
const AWAY = { reachable: false, detail: 'connect ENOENT /var/run/docker.sock', since: 0 };

function withStates(...states: ModelView['state'][]): ModelView[] {
  return states.map((state, i) => exampleModel(`m${i}`, { state }));
}

describe('tray icon', () => {
  it('sleeps when every model sleeps or none is registered', () => {
    expect(trayIconState({ models: withStates('asleep', 'asleep'), engine: UP })).toBe('asleep');
    expect(trayIconState({ models: [], engine: UP })).toBe('asleep');
  });

  it('shows awake when some model is awake (or still going to sleep)', () => {
    expect(trayIconState({ models: withStates('asleep', 'ready'), engine: UP })).toBe('awake');
    expect(trayIconState({ models: withStates('asleep', 'stopping'), engine: UP })).toBe('awake');
  });

  it('shows waking while a wake runs, over awake models', () => {
    expect(trayIconState({ models: withStates('ready', 'waking', 'asleep'), engine: UP })).toBe(
      'waking',
    );
  });

  it('shows error when a model failed, whatever else runs', () => {
    expect(trayIconState({ models: withStates('ready', 'waking', 'failed'), engine: UP })).toBe(
      'error',
    );
  });

  it('shows error while Docker does not answer, and says so in the tooltip', () => {
    expect(trayIconState({ models: withStates('asleep'), engine: AWAY })).toBe('error');
    expect(
      trayTooltip(exampleState({ gpus: [], models: withStates('asleep'), engine: AWAY })),
    ).toBe('Siesta: 0 of 1 model awake · Docker is not answering · no GPU found');
  });

  it('loads a template image on macOS and a panel-coloured PNG elsewhere', () => {
    expect(trayIconFile('waking', 'darwin', true)).toBe('wakingTemplate.png');
    expect(trayIconFile('error', 'win32', false)).toBe('error-light.png');
    expect(trayIconFile('error', 'win32', true)).toBe('error-dark.png');
    expect(trayPanelIsDark('linux', false)).toBe(true);
    expect(trayPanelIsDark('win32', false)).toBe(false);
  });
});

describe('tray tooltip', () => {
  it('counts models awake and sums VRAM and watts over the GPUs', () => {
    const state = exampleState({
      gpus: [
        exampleGpu(0, { vramUsedBytes: 20 * GIB, vramTotalBytes: 24 * GIB, powerWatts: 215 }),
        exampleGpu(1, { vramUsedBytes: 4 * GIB, vramTotalBytes: 48 * GIB, powerWatts: 30 }),
      ],
      models: withStates('ready', 'asleep', 'waking', 'failed'),
    });
    expect(trayTooltip(state)).toBe(
      'Siesta: 1 of 4 models awake, 1 waking, 1 failed · VRAM 24.0 / 72.0 GiB · 245 W',
    );
  });

  it('says when no GPU was found', () => {
    expect(trayTooltip(exampleState({ gpus: [], models: withStates('asleep') }))).toBe(
      'Siesta: 0 of 1 model awake · no GPU found',
    );
  });

  it('does not make up a total when a GPU does not report its power', () => {
    const state = exampleState({
      gpus: [exampleGpu(0), exampleGpu(1, { powerWatts: null })],
      models: [],
    });
    expect(trayTooltip(state)).toBe('Siesta: 0 of 0 models awake · VRAM 40.2 / 48.0 GiB');
  });

  it('fits the Windows tooltip limit however many GPUs there are', () => {
    const state = exampleState({
      gpus: Array.from({ length: 8 }, (_, i) => exampleGpu(i)),
      models: withStates('ready'),
    });
    expect(trayTooltip(state).length).toBeLessThanOrEqual(MAX_TOOLTIP_CHARS);
  });
});
