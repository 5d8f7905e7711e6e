// The client side's one reducer: a copy of the state (the dashboard's, the tray's) follows the event stream.
import { describe, expect, it } from 'vitest';
import { applyApiEvent, applyApiEventToModel } from './live-state';
import {
  EXAMPLE_NOW,
  exampleGpu,
  exampleModel,
  exampleState,
} from '../tray/testdata/state-examples';

describe('live state', () => {
  const base = exampleState({ models: [exampleModel('qwen'), exampleModel('tts')] });

  it('starts from the snapshot and ignores events before it', () => {
    expect(applyApiEvent(null, { type: 'auto-sleep', at: EXAMPLE_NOW, paused: true })).toBeNull();
    expect(applyApiEvent(null, { type: 'snapshot', at: EXAMPLE_NOW, state: base })).toBe(base);
  });

  it('replaces a changed model and adds a new one in name order', () => {
    const waking = exampleModel('qwen', { state: 'waking', wakeStartedAt: EXAMPLE_NOW });
    const afterWake = applyApiEvent(base, { type: 'model', at: EXAMPLE_NOW + 1, model: waking });
    expect(afterWake?.models.map((m) => [m.name, m.state])).toEqual([
      ['qwen', 'waking'],
      ['tts', 'asleep'],
    ]);
    const added = applyApiEvent(afterWake, {
      type: 'model',
      at: EXAMPLE_NOW + 2,
      model: exampleModel('sdxl'),
    });
    expect(added?.models.map((m) => m.name)).toEqual(['qwen', 'sdxl', 'tts']);
  });

  it('takes new GPU samples and the pause flag', () => {
    const gpus = [exampleGpu(0, { powerWatts: 300 })];
    const sampled = applyApiEvent(base, { type: 'samples', at: EXAMPLE_NOW + 1000, gpus });
    expect(sampled?.gpus).toEqual(gpus);
    expect(sampled?.probe).toMatchObject({
      lastSampleAt: EXAMPLE_NOW + 1000,
      staleMs: 0,
      gpuCount: 1,
    });
    expect(
      applyApiEvent(base, { type: 'auto-sleep', at: EXAMPLE_NOW, paused: true })?.autoSleepPaused,
    ).toBe(true);
  });

  it('leaves the state alone for events that only report', () => {
    expect(
      applyApiEvent(base, { type: 'wake-ready', at: EXAMPLE_NOW, model: 'qwen', wakeMs: 10 }),
    ).toBe(base);
    expect(
      applyApiEvent(base, { type: 'error', at: EXAMPLE_NOW, source: 'docker', message: 'gone' }),
    ).toBe(base);
  });

  it('follows one model through model events and snapshots, ignoring the others', () => {
    const qwen = exampleModel('qwen', { state: 'asleep' });
    const waking = exampleModel('qwen', { state: 'waking', wakeStartedAt: EXAMPLE_NOW });
    const other = exampleModel('sdxl', { state: 'ready' });
    const at = EXAMPLE_NOW;
    expect(applyApiEventToModel(qwen, { type: 'model', at, model: other })).toBe(qwen);
    expect(applyApiEventToModel(qwen, { type: 'model', at, model: waking })).toBe(waking);
    const snapshot = exampleState({ models: [other, waking] });
    expect(applyApiEventToModel(qwen, { type: 'snapshot', at, state: snapshot })).toEqual(waking);
    expect(applyApiEventToModel(qwen, { type: 'wake-ready', at, model: 'qwen', wakeMs: 900 })).toBe(
      qwen,
    );
  });
});
