// Turns the fields read from one siesta.yaml entry or one container's labels into a full spec, with DESIGN.md's defaults.
import type { DozeProblem, DozeSpec } from './doze-spec';
import { dozeSpecOf } from './doze-spec';
import type { ModelSpec, SpecSource } from './model-spec';
import { SPEC_DEFAULTS } from './model-spec';
import type { SpecDraft } from './spec-fields';

/** The spec for a draft whose name and container are known; every other field takes its default when absent. */
export function completeSpec(
  draft: SpecDraft,
  identity: { readonly name: string; readonly container: string },
  source: SpecSource,
): ModelSpec {
  return {
    name: identity.name,
    container: identity.container,
    source,
    port: draft.port ?? null,
    listenPort: draft.listenPort ?? null,
    models: draft.models ?? [identity.name],
    // Ollama answers /api/version as soon as it serves; other servers need their own health setting.
    health:
      draft.health ?? (draft.server === 'ollama' ? { kind: 'http', path: '/api/version' } : null),
    idleMs: draft.idleMs ?? SPEC_DEFAULTS.idleMs,
    idleFromDefault: draft.idleMs === undefined || draft.idleMs === null,
    wakeTimeoutMs: draft.wakeTimeoutMs ?? SPEC_DEFAULTS.wakeTimeoutMs,
    vramBytes: draft.vramBytes ?? null,
    group: draft.group ?? null,
    pin: draft.pin ?? false,
    idleWatts: draft.idleWatts ?? null,
    policy: draft.policy ?? SPEC_DEFAULTS.policy,
    ...(draft.upstream ? { upstream: draft.upstream } : {}),
    ...(draft.server ? { server: draft.server } : {}),
    ...(draft.dozeKind ? { doze: dozeOfDraft(draft) } : {}),
  };
}

/** A draft's doze that cannot be put together (`http` without its sleep or wake path), or null when none. */
export function dozeProblemOf(draft: SpecDraft): DozeProblem | null {
  const result = dozeSpecOf(draft.dozeKind, dozePathsOf(draft));
  return 'problem' in result ? result.problem : null;
}

function dozeOfDraft(draft: SpecDraft): DozeSpec | null {
  const result = dozeSpecOf(draft.dozeKind, dozePathsOf(draft));
  return 'spec' in result ? result.spec : null;
}

function dozePathsOf(draft: SpecDraft) {
  return {
    sleepPath: draft.dozeSleepPath,
    wakePath: draft.dozeWakePath,
    statusPath: draft.dozeStatusPath,
  };
}
