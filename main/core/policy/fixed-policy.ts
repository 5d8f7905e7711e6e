// The fixed keep-alive policy: the idle time written in the model's spec (the default policy).
import type { ModelSpec } from '../config/model-spec';
import { formatMs } from './format-units';
import type { IdleDecision } from './idle-decision';

/** The spec's idle time; 0 never sleeps. */
export function fixedDecision(spec: ModelSpec): IdleDecision {
  if (spec.idleMs === 0)
    return { idleMs: 0, reason: 'fixed: idle is 0 in the spec, so the model never sleeps' };
  const from = spec.idleFromDefault ? 'the default idle time in the settings' : 'the spec';
  return { idleMs: spec.idleMs, reason: `fixed: ${formatMs(spec.idleMs)} from ${from}` };
}
