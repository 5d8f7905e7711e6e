// Model specs and energy figures for the keep-alive policy tests and the replay simulator.
import { type KeepAlivePolicyName, type ModelSpec } from '../../config/model-spec';
import { specForTest } from '../../config/testdata/spec-for-test';

/** A model spec with the defaults of DESIGN.md, the given policy and overrides. */
export function policySpec(
  name: string,
  policy: KeepAlivePolicyName,
  overrides: Partial<ModelSpec> = {},
): ModelSpec {
  return specForTest(name, {
    container: `${name}-container`,
    source: { kind: 'yaml', file: 'siesta.yaml', line: 1 },
    health: { kind: 'tcp' },
    policy,
    ...overrides,
  });
}
