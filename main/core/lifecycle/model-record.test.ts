// A model's record is read-only from outside: its state and fields change through `enter` and the named methods,
// and every change is told once, as a snapshot that later changes leave alone.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import type { ModelSpec } from '../config/model-spec';
import type { LifecycleEvent, ModelStatus } from './model-state';
import { ModelRecord } from './model-record';

function record(): { rec: ModelRecord; events: LifecycleEvent[]; told: ModelStatus[] } {
  const events: LifecycleEvent[] = [];
  const told: ModelStatus[] = [];
  const spec = { name: 'qwen', container: 'vllm-qwen', pin: false } as ModelSpec;
  const rec = new ModelRecord(spec, new VirtualClock(0), undefined, {
    emit: (event) => events.push(event),
    notify: (status) => told.push(status),
  });
  return { rec, events, told };
}

describe('model record', () => {
  it('changes its state only through enter, with the event it makes', () => {
    const { rec, events } = record();
    const upstream = { host: '127.0.0.1', port: 8000 };
    const event = { kind: 'ready', at: 5, model: 'qwen', wakeMs: 5 } as const;
    rec.enter('ready', { upstream, readyAt: 5 }, event);
    expect([rec.state, rec.upstream, rec.status().readyAt]).toEqual(['ready', upstream, 5]);
    expect(events).toEqual([event]);
  });

  it('tells each change as a snapshot that later changes do not alter', () => {
    const { rec, told } = record();
    rec.enter('waking', { readinessDetail: 'starting' });
    rec.showDetail('HTTP 503 from /health');
    rec.showDetail('HTTP 503 from /health');
    rec.seeContainer({ id: 'c0ffee', gpuIndexes: [1] });
    rec.moveUpstream({ host: '127.0.0.1', port: 8001 });
    expect(told.map((s) => [s.readinessDetail, s.containerId, s.upstream?.port ?? null])).toEqual([
      ['HTTP 503 from /health', null, null],
      ['HTTP 503 from /health', 'c0ffee', 8001],
    ]);
    expect(told[1]?.gpuIndexes).toEqual([1]);
  });

  it('refuses a write from outside', () => {
    const { rec } = record();
    expect(() => {
      // @ts-expect-error the state is read-only outside the record
      rec.state = 'ready';
    }).toThrow(TypeError);
    expect(() => {
      // @ts-expect-error the container id changes through seeContainer and containerDestroyed
      rec.containerId = 'elsewhere';
    }).toThrow(TypeError);
    expect([rec.state, rec.containerId]).toEqual(['asleep', null]);
  });

  it('forgets its container only when the one removed is its own', () => {
    const { rec } = record();
    rec.containerCreated('abc');
    rec.containerDestroyed('other');
    expect(rec.containerId).toBe('abc');
    rec.containerDestroyed('abc');
    expect(rec.containerId).toBeNull();
  });
});
