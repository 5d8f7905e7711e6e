// The model spec the gateway benchmark registers: a fake model server on container port 8000, ready when GET /health answers.
import type { ModelSpec } from '../../main/core/config/model-spec';

/** A spec for `name` (also its container's name), with `overrides`. */
export function benchModelSpec(name: string, overrides: Partial<ModelSpec> = {}): ModelSpec {
  return {
    name,
    container: name,
    source: { kind: 'label', container: name },
    port: 8000,
    listenPort: null,
    models: [name],
    health: { kind: 'http', path: '/health' },
    idleMs: 0,
    wakeTimeoutMs: 60_000,
    vramBytes: null,
    group: null,
    pin: false,
    idleWatts: null,
    policy: 'fixed',
    ...overrides,
  };
}
