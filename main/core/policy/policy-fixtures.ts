// Model specs and energy figures for the keep-alive policy tests and the replay simulator.
import { SPEC_DEFAULTS, type KeepAlivePolicyName, type ModelSpec } from '../config/model-spec';

/** A model spec with the defaults of DESIGN.md, the given policy and overrides. */
export function policySpec(name: string, policy: KeepAlivePolicyName, overrides: Partial<ModelSpec> = {}): ModelSpec {
  return {
    name,
    container: `${name}-container`,
    source: { kind: 'yaml', file: 'siesta.yaml', line: 1 },
    port: 8000,
    listenPort: null,
    models: [name],
    health: { kind: 'tcp' },
    idleMs: SPEC_DEFAULTS.idleMs,
    wakeTimeoutMs: SPEC_DEFAULTS.wakeTimeoutMs,
    vramBytes: null,
    group: null,
    pin: false,
    idleWatts: null,
    policy,
    ...overrides,
  };
}
