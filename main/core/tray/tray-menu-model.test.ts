// The tray menu for every mix of GPUs and model states, read the way a user reads the menu.
import { describe, expect, it } from 'vitest';
import type { TrayMenuItem } from './tray-action';
import { trayMenuModel, wakeProgress } from './tray-menu-model';
import {
  EXAMPLE_NOW,
  exampleGpu,
  exampleModel,
  exampleState,
  twoEngines,
} from './testdata/state-examples';

const GIB = 1024 ** 3;

function labels(items: readonly TrayMenuItem[]): string[] {
  return items.map((item) => (item.type === 'separator' ? '---' : item.label));
}

function item(items: readonly TrayMenuItem[], id: string): TrayMenuItem {
  const found = items.find((i) => i.id === id);
  if (!found) throw new Error(`no menu item ${id} in ${JSON.stringify(labels(items))}`);
  return found;
}

describe('tray menu', () => {
  it('says "No GPU found" when the machine has no GPU, and why a chosen probe has no readings yet', () => {
    const menu = trayMenuModel(exampleState({ gpus: [] }), EXAMPLE_NOW);
    expect(item(menu, 'no-gpu')).toEqual({ type: 'label', id: 'no-gpu', label: 'No GPU found' });
    const starting = exampleState({ gpus: [] });
    const waiting = trayMenuModel(
      {
        ...starting,
        probe: {
          ...starting.probe,
          backend: 'nvidia-smi',
          gpuCount: 1,
          lastError: 'nvidia-smi exited with code 9',
        },
      },
      EXAMPLE_NOW,
    );
    expect(item(waiting, 'no-gpu')).toMatchObject({
      label: 'No GPU readings yet from nvidia-smi: nvidia-smi exited with…',
    });
    expect(menu.filter((i) => i.id.startsWith('gpu-'))).toEqual([]);
  });

  it('says when Docker does not answer, and that the models wait for it', () => {
    const menu = trayMenuModel(
      exampleState({ engine: { reachable: false, detail: 'connect ENOENT', since: 0 } }),
      EXAMPLE_NOW,
    );
    expect(labels(menu)).toContain('Docker is not answering; Siesta keeps trying');
    expect(item(menu, 'no-models')).toMatchObject({ label: 'No models yet: waiting for Docker' });
    expect(
      labels(trayMenuModel(exampleState(), EXAMPLE_NOW)).some((l) => l.includes('Docker')),
    ).toBe(false);
  });

  it('lists the models under the engine that runs them when there are several, and marks one that does not answer', () => {
    const engines = twoEngines('connect ETIMEDOUT');
    const state = exampleState({
      engines,
      models: [
        exampleModel('whisper', { engine: 'gpu2' }),
        exampleModel('qwen', { engine: 'home' }),
      ],
    });
    const menu = labels(trayMenuModel(state, EXAMPLE_NOW));
    const at = (label: string) => menu.findIndex((l) => l.startsWith(label));
    expect(menu).toContain('gpu2 (not answering)');
    expect([at('home'), at('qwen'), at('gpu2 (not answering)'), at('whisper')]).toEqual(
      [...[at('home'), at('qwen'), at('gpu2'), at('whisper')]].sort((a, b) => a - b),
    );
    expect(at('home')).toBeGreaterThanOrEqual(0);
  });

  it('shows one line per GPU with its VRAM used and total and its watts', () => {
    const state = exampleState({
      gpus: [
        exampleGpu(0, { vramUsedBytes: 20.1 * GIB, vramTotalBytes: 24 * GIB, powerWatts: 215 }),
        exampleGpu(1, {
          name: 'NVIDIA RTX A6000',
          vramUsedBytes: 0.5 * GIB,
          vramTotalBytes: 48 * GIB,
          powerWatts: 22.4,
        }),
      ],
    });
    const menu = trayMenuModel(state, EXAMPLE_NOW);
    expect(labels(menu).slice(0, 3)).toEqual([
      'GPU 0 NVIDIA GeForce RTX 4090 · 20.1 / 24.0 GiB · 215 W',
      'GPU 1 NVIDIA RTX A6000 · 0.5 / 48.0 GiB · 22 W',
      '---',
    ]);
  });

  it('leaves out watts a GPU does not report and marks a stale reading', () => {
    const state = exampleState({
      gpus: [exampleGpu(0, { powerWatts: null, vramUsedBytes: null })],
    });
    const stale = { ...state, probe: { ...state.probe, staleMs: 125_000 } };
    expect(item(trayMenuModel(stale, EXAMPLE_NOW), 'gpu-0')).toMatchObject({
      label: 'GPU 0 NVIDIA GeForce RTX 4090 · ? / 24.0 GiB (no reading for 2 min 5 s)',
    });
  });

  it('has one checkbox per model, checked while awake; clicking wakes a sleeping one and puts an awake one to sleep', () => {
    const state = exampleState({
      models: [
        exampleModel('qwen', { state: 'ready', sleepAt: EXAMPLE_NOW + 8 * 60_000 }),
        exampleModel('sdxl'),
        exampleModel('whisper', { state: 'ready', inFlight: 2, sleepAt: null }),
      ],
    });
    const menu = trayMenuModel(state, EXAMPLE_NOW);
    expect(item(menu, 'model-qwen')).toEqual({
      type: 'checkbox',
      id: 'model-qwen',
      label: 'qwen: awake, sleeps in 8 min',
      checked: true,
      action: { kind: 'sleep', model: 'qwen' },
    });
    expect(item(menu, 'model-sdxl')).toEqual({
      type: 'checkbox',
      id: 'model-sdxl',
      label: 'sdxl: asleep',
      checked: false,
      action: { kind: 'wake', model: 'sdxl' },
    });
    expect(item(menu, 'model-whisper')).toMatchObject({
      label: 'whisper: awake, 2 requests open',
      checked: true,
    });
    expect(menu.filter((i) => i.id.startsWith('model-')).map((i) => i.id)).toEqual([
      'model-qwen',
      'model-sdxl',
      'model-whisper',
    ]);
  });

  it("shows a waking model's progress against its usual wake time, disabled until it is up", () => {
    const waking = exampleModel('llama-70b', {
      state: 'waking',
      wakeStartedAt: EXAMPLE_NOW - 12_000,
      wakeEstimateMs: 40_000,
    });
    const menu = trayMenuModel(exampleState({ models: [waking] }), EXAMPLE_NOW);
    expect(item(menu, 'model-llama-70b')).toEqual({
      type: 'checkbox',
      id: 'model-llama-70b',
      label: 'llama-70b: waking 12 s of ~40 s (30%)',
      checked: true,
      action: null,
    });
    // The same state a little later: the menu is a function of `now` too.
    expect(
      item(
        trayMenuModel(exampleState({ models: [waking] }), EXAMPLE_NOW + 8_000),
        'model-llama-70b',
      ),
    ).toMatchObject({
      label: 'llama-70b: waking 20 s of ~40 s (50%)',
    });
  });

  it('says when a wake runs past its estimate, and has no percentage before the first wake', () => {
    expect(
      wakeProgress({ wakeStartedAt: EXAMPLE_NOW - 50_000, wakeEstimateMs: 40_000 }, EXAMPLE_NOW),
    ).toBe('waking 50 s (usually ~40 s)');
    expect(
      wakeProgress({ wakeStartedAt: EXAMPLE_NOW - 3_000, wakeEstimateMs: null }, EXAMPLE_NOW),
    ).toBe('waking 3.0 s');
    expect(wakeProgress({ wakeStartedAt: null, wakeEstimateMs: 40_000 }, EXAMPLE_NOW)).toBe(
      'waking…',
    );
  });

  it("shows a failed model's reason, shortened, and clicking it tries the wake again", () => {
    const reason =
      'the container exited with code 3: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.65 GiB total capacity)';
    const failed = exampleModel('sdxl', {
      state: 'failed',
      failure: {
        reason,
        cause: { kind: 'error', detail: reason },
        logLines: ['OOM'],
        at: EXAMPLE_NOW - 1000,
      },
    });
    const menu = trayMenuModel(exampleState({ models: [failed] }), EXAMPLE_NOW);
    const line = item(menu, 'model-sdxl');
    expect(line).toMatchObject({
      type: 'checkbox',
      checked: false,
      action: { kind: 'wake', model: 'sdxl' },
    });
    const label = line.type === 'separator' ? '' : line.label;
    expect(
      label.startsWith('sdxl: failed: the container exited with code 3: CUDA out of memory.'),
    ).toBe(true);
    expect(label.endsWith('…')).toBe(true);
    expect(label.length - 'sdxl: failed: '.length).toBeLessThanOrEqual(60);
  });

  it('disables a model that is going to sleep', () => {
    const menu = trayMenuModel(
      exampleState({ models: [exampleModel('tts', { state: 'stopping' })] }),
      EXAMPLE_NOW,
    );
    expect(item(menu, 'model-tts')).toMatchObject({
      label: 'tts: going to sleep…',
      checked: false,
      action: null,
    });
  });

  it('marks a pinned model and never promises it a sleep time', () => {
    const pinned = exampleModel('qwen', {
      state: 'ready',
      pinned: true,
      sleepAt: EXAMPLE_NOW + 60_000,
    });
    expect(
      item(trayMenuModel(exampleState({ models: [pinned] }), EXAMPLE_NOW), 'model-qwen'),
    ).toMatchObject({ label: 'qwen: awake, pinned' });
  });

  it('ticks "Pause auto-sleep" while paused, and clicking it flips the setting', () => {
    const running = item(
      trayMenuModel(exampleState({ autoSleepPaused: false }), EXAMPLE_NOW),
      'auto-sleep-paused',
    );
    const paused = item(
      trayMenuModel(exampleState({ autoSleepPaused: true }), EXAMPLE_NOW),
      'auto-sleep-paused',
    );
    expect(running).toMatchObject({
      type: 'checkbox',
      label: 'Pause auto-sleep',
      checked: false,
      action: { kind: 'set-auto-sleep-paused', paused: true },
    });
    expect(paused).toMatchObject({
      type: 'checkbox',
      checked: true,
      action: { kind: 'set-auto-sleep-paused', paused: false },
    });
  });

  it('shows energy saved today in kWh, with money once a price is set', () => {
    const state = exampleState({ savedTodayJoules: 1_512_000 });
    expect(item(trayMenuModel(state, EXAMPLE_NOW), 'saved-today')).toMatchObject({
      label: 'Energy saved today: 0.420 kWh',
    });
    expect(
      item(trayMenuModel(state, EXAMPLE_NOW, { pricePerKwh: 0.3, currency: 'EUR' }), 'saved-today'),
    ).toMatchObject({
      label: 'Energy saved today: 0.420 kWh (0.13 EUR)',
    });
    expect(
      item(trayMenuModel(state, EXAMPLE_NOW, { pricePerKwh: 1.5, currency: 'kr' }), 'saved-today'),
    ).toMatchObject({
      label: 'Energy saved today: 0.420 kWh (0.63 kr)',
    });
  });

  it('says the part of the saving dozes made, and nothing of dozes when they made none', () => {
    const dozing = exampleState({ savedTodayJoules: 1_512_000, savedTodayDozeJoules: 360_000 });
    expect(item(trayMenuModel(dozing, EXAMPLE_NOW), 'saved-today')).toMatchObject({
      label: 'Energy saved today: 0.420 kWh, 0.100 kWh of it by dozes',
    });
    const none = exampleState({ savedTodayJoules: 1_512_000, savedTodayDozeJoules: 0 });
    expect(item(trayMenuModel(none, EXAMPLE_NOW), 'saved-today')).toMatchObject({
      label: 'Energy saved today: 0.420 kWh',
    });
  });

  it('shows the saving with its uncertainty as a range, and none for an estimate', () => {
    // 0.420 kWh ± 0.0125 kWh (45 kJ), at the figure's own precision.
    const measured = exampleState({
      savedTodayJoules: 1_512_000,
      savedTodayUncertaintyJoules: 45_000,
    });
    expect(
      item(
        trayMenuModel(measured, EXAMPLE_NOW, { pricePerKwh: 0.3, currency: 'EUR' }),
        'saved-today',
      ),
    ).toMatchObject({ label: 'Energy saved today: 0.420 kWh ± 0.013 (0.13 EUR)' });
    // A tiny uncertainty is never shown as ± 0.000.
    const tiny = exampleState({ savedTodayJoules: 1_512_000, savedTodayUncertaintyJoules: 1 });
    expect(item(trayMenuModel(tiny, EXAMPLE_NOW), 'saved-today')).toMatchObject({
      label: 'Energy saved today: 0.420 kWh ± 0.001',
    });
    // An estimate (no reading behind it) has no range.
    const estimate = exampleState({ savedTodayJoules: 1_512_000, savedTodayUncertaintyJoules: 0 });
    expect(item(trayMenuModel(estimate, EXAMPLE_NOW), 'saved-today')).toMatchObject({
      label: 'Energy saved today: 0.420 kWh',
    });
  });

  it('shows the energy used today below the saving, with its range and money, once the daemon reports it', () => {
    const state = exampleState({
      savedTodayJoules: 1_512_000,
      usedTodayJoules: 4_320_000,
      usedTodayUncertaintyJoules: 90_000,
    });
    const menu = trayMenuModel(state, EXAMPLE_NOW, { pricePerKwh: 0.3, currency: 'EUR' });
    expect(item(menu, 'used-today')).toMatchObject({
      label: 'Energy used today: 1.200 kWh ± 0.025 (0.36 EUR)',
    });
    expect(menu.findIndex((i) => i.id === 'used-today')).toBe(
      menu.findIndex((i) => i.id === 'saved-today') + 1,
    );
    // An older daemon does not say: no line.
    expect(trayMenuModel(exampleState(), EXAMPLE_NOW).some((i) => i.id === 'used-today')).toBe(
      false,
    );
  });

  it('ends with "Add model…", "Open dashboard" and "Quit", and guides the user when no model is registered', () => {
    const menu = trayMenuModel(exampleState(), EXAMPLE_NOW);
    expect(labels(menu)).toEqual([
      'GPU 0 NVIDIA GeForce RTX 4090 · 20.1 / 24.0 GiB · 215 W',
      '---',
      'No models yet: label a container siesta.enable=true',
      '---',
      'Pause auto-sleep',
      'Energy saved today: 0.000 kWh',
      '---',
      'Add model…',
      'Open dashboard',
      'Quit Siesta',
    ]);
    expect(menu.slice(-2)).toEqual([
      {
        type: 'action',
        id: 'open-dashboard',
        label: 'Open dashboard',
        action: { kind: 'open-dashboard' },
      },
      { type: 'action', id: 'quit', label: 'Quit Siesta', action: { kind: 'quit' } },
    ]);
  });

  it('gives every item a unique id, so the controller can tell items apart', () => {
    const state = exampleState({
      gpus: [exampleGpu(0), exampleGpu(1)],
      models: ['a', 'b', 'c'].map((name) => exampleModel(name)),
    });
    const ids = trayMenuModel(state, EXAMPLE_NOW).map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
