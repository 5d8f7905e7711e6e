// A model's status for tests of what reads the lifecycle (scheduler, gateway), in any state.
import type { ModelSpec } from '../../config/model-spec';
import type { ModelStatus } from '../model-state';

/** A status of `spec`: asleep unless overridden. */
export function statusForTest(spec: ModelSpec, overrides: Partial<ModelStatus> = {}): ModelStatus {
  return {
    spec,
    state: 'asleep',
    inFlight: 0,
    pinned: spec.pin,
    containerId: null,
    upstream: null,
    lastUsedAt: null,
    sleepAt: null,
    wakeStartedAt: null,
    readyAt: null,
    failure: null,
    gpuIndexes: [],
    ...overrides,
  };
}
