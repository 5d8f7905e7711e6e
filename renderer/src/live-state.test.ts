// The dashboard's live view: how events change what the cards show, and how long power readings are kept.
import { describe, expect, it } from 'vitest';
import type { GpuView, ModelView, StateResponse } from '../../main/core/api/contract';
import type { LiveView } from './live-state';
import { POWER_WINDOW_MS, reduceLiveView } from './live-state';
import { SETTINGS_DEFAULTS } from '../../main/core/api/contract';

const T0 = Date.UTC(2026, 0, 5, 12);

function model(name: string, state: ModelView['state']): ModelView {
  return {
    name,
    container: name,
    models: [name],
    state,
    inFlight: 0,
    pinned: false,
    group: null,
    listenPort: null,
    vramBytes: null,
    vramSource: 'unknown',
    gpuIndexes: [],
    lastUsedAt: null,
    sleepAt: null,
    idle: { policy: 'fixed', idleMs: 600_000, reason: 'fixed' },
    wakeStartedAt: null,
    wakeDetail: null,
    readyAt: null,
    wakeEstimateMs: null,
    failure: null,
    savedJoules: 0,
    savedIsEstimate: false,
  };
}

function gpu(at: number, powerWatts: number): GpuView {
  return {
    index: 0,
    uuid: 'GPU-0',
    name: 'GPU',
    vramUsedBytes: 1,
    vramTotalBytes: 2,
    powerWatts,
    pstate: null,
    utilizationPercent: null,
    temperatureC: null,
    at,
  };
}

function state(models: ModelView[]): StateResponse {
  return {
    at: T0,
    engine: { reachable: true, detail: null, since: null },
    gpus: [gpu(T0, 20)],
    probe: { backend: 'replay', gpuCount: 1, lastError: null, lastSampleAt: T0, staleMs: 0 },
    models,
    autoSleepPaused: false,
    savedTodayJoules: 0,
    gatewayUrl: 'http://127.0.0.1:11400',
  };
}

const empty: LiveView = {
  state: null,
  power: new Map(),
  link: 'connecting',
  error: null,
  settingsVersion: 0,
};

describe('live view', () => {
  it('replaces a model on a model event and keeps the others', () => {
    const loaded = reduceLiveView(empty, {
      kind: 'loaded',
      state: state([model('flux', 'ready'), model('qwen', 'asleep')]),
    });
    const next = reduceLiveView(loaded, {
      kind: 'event',
      event: { type: 'model', at: T0 + 1, model: model('qwen', 'waking') },
    });
    expect(next.state?.models.map((m) => `${m.name}:${m.state}`)).toEqual([
      'flux:ready',
      'qwen:waking',
    ]);
  });

  it('adds a model it did not know, in name order', () => {
    const loaded = reduceLiveView(empty, {
      kind: 'loaded',
      state: state([model('qwen', 'asleep')]),
    });
    const next = reduceLiveView(loaded, {
      kind: 'event',
      event: { type: 'model', at: T0 + 1, model: model('flux', 'asleep') },
    });
    expect(next.state?.models.map((m) => m.name)).toEqual(['flux', 'qwen']);
  });

  it('keeps ten minutes of power readings per GPU', () => {
    let view = reduceLiveView(empty, { kind: 'loaded', state: state([]) });
    for (let i = 1; i <= 700; i++)
      view = reduceLiveView(view, {
        kind: 'event',
        event: { type: 'samples', at: T0 + i * 1000, gpus: [gpu(T0 + i * 1000, 20 + i)] },
      });
    const series = view.power.get(0) ?? [];
    expect(series[series.length - 1]).toEqual({ at: T0 + 700_000, powerWatts: 720 });
    expect(series[0]?.at).toBe(T0 + 700_000 - POWER_WINDOW_MS);
    expect(view.state?.gpus[0]?.powerWatts).toBe(720);
  });

  it('follows the GPU probe with each tick of samples, as the tray does, and ignores events that only report', () => {
    const loaded = reduceLiveView(empty, {
      kind: 'loaded',
      state: { ...state([]), gpus: [], probe: { ...state([]).probe, gpuCount: 0, staleMs: 9_000 } },
    });
    const ticked = reduceLiveView(loaded, {
      kind: 'event',
      event: { type: 'samples', at: T0 + 2_000, gpus: [gpu(T0 + 2_000, 30)] },
    });
    expect(ticked.state?.probe).toMatchObject({
      gpuCount: 1,
      lastSampleAt: T0 + 2_000,
      staleMs: 0,
    });
    const reported = reduceLiveView(ticked, {
      kind: 'event',
      event: { type: 'wake-ready', at: T0 + 3_000, model: 'qwen', wakeMs: 900 },
    });
    expect(reported).toBe(ticked);
  });

  it('takes a fresh snapshot after a reconnect and counts settings changes', () => {
    const loaded = reduceLiveView(empty, {
      kind: 'loaded',
      state: state([model('qwen', 'ready')]),
    });
    const snap = reduceLiveView(loaded, {
      kind: 'event',
      event: {
        type: 'snapshot',
        at: T0 + 5,
        state: { ...state([model('qwen', 'asleep')]), autoSleepPaused: true },
      },
    });
    expect(snap.state?.models[0]?.state).toBe('asleep');
    expect(snap.state?.autoSleepPaused).toBe(true);
    const resumed = reduceLiveView(snap, {
      kind: 'event',
      event: { type: 'auto-sleep', at: T0 + 6, paused: false },
    });
    expect(resumed.state?.autoSleepPaused).toBe(false);
    expect(
      reduceLiveView(resumed, {
        kind: 'event',
        event: { type: 'settings', at: T0 + 7, settings: SETTINGS_DEFAULTS },
      }).settingsVersion,
    ).toBe(1);
  });
});
