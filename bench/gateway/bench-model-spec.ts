// The model spec the gateway benchmark registers: a fake model server on container port 8000, ready when GET /health answers.
import type { ModelSpec } from '../../main/core/config/model-spec';
import { specForTest } from '../../main/core/config/testdata/spec-for-test';

/** A spec for `name` (also its container's name), with `overrides`. */
export function benchModelSpec(name: string, overrides: Partial<ModelSpec> = {}): ModelSpec {
  return specForTest(name, { idleMs: 0, wakeTimeoutMs: 60_000, ...overrides });
}
