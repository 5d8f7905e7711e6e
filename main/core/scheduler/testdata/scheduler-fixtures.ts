// Specs and statuses for the scheduler's tests: models with declared VRAM, groups and pins, in any state.
import { type ModelSpec } from '../../config/model-spec';
import { specForTest } from '../../config/testdata/spec-for-test';

/** Bytes in one GiB. */
export const GIB = 1024 ** 3;

/** A model spec with the defaults of DESIGN.md and the given overrides (`vramGib` sets `vramBytes`). */
export function modelSpec(
  name: string,
  overrides: Partial<ModelSpec> & { vramGib?: number } = {},
): ModelSpec {
  const { vramGib, ...rest } = overrides;
  return specForTest(name, {
    container: `${name}-container`,
    source: { kind: 'yaml', file: 'siesta.yaml', line: 1 },
    health: { kind: 'tcp' },
    vramBytes: vramGib === undefined ? null : vramGib * GIB,
    ...rest,
  });
}

export { statusForTest as modelStatus } from '../../lifecycle/testdata/status-for-test';
