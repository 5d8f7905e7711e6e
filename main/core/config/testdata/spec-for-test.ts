// One complete model spec for tests and benchmarks, so each suite states only what it changes.
import { SPEC_DEFAULTS, type ModelSpec } from '../model-spec';

/**
 * A spec as container labels would give it: the container is named `name`, serves on port 8000, is
 * ready when GET /health answers, and has DESIGN.md's defaults; `overrides` win.
 */
export function specForTest(name: string, overrides: Partial<ModelSpec> = {}): ModelSpec {
  return {
    name,
    container: name,
    source: { kind: 'label', container: name },
    port: 8000,
    listenPort: null,
    models: [name],
    health: { kind: 'http', path: '/health' },
    idleMs: SPEC_DEFAULTS.idleMs,
    wakeTimeoutMs: SPEC_DEFAULTS.wakeTimeoutMs,
    vramBytes: null,
    group: null,
    pin: false,
    idleWatts: null,
    policy: SPEC_DEFAULTS.policy,
    ...overrides,
  };
}

/** vLLM's doze (siesta.doze=vllm) as the spec holds it. */
export const VLLM_DOZE = {
  kind: 'vllm',
  sleepPath: '/sleep?level=1',
  wakePath: '/wake_up',
  statusPath: '/is_sleeping',
} as const;
