// The model manager as Siesta runs it: adds, edits, adopts and removes models — containers through the engine,
// entries in the managed siesta.yaml — sized against the newest GPU readings and kept to the containers in scope.
import type Dockerode from 'dockerode';
import type { ModelSpec } from '../config/model-spec';
import type { GpuSample } from '../gpu/gpu-sample';
import { ModelManager } from '../manage/model-manager';
import { gpuCapacities } from '../sizing/gpu-capacity';

/** What the manager is built from. */
export interface ModelManagerParts {
  readonly docker: Dockerode;
  /** The managed siesta.yaml, or null when Siesta runs without one. */
  readonly yamlPath: string | null;
  readonly specs: () => readonly ModelSpec[];
  readonly latestSamples: () => readonly GpuSample[];
  readonly reloadConfig: () => Promise<string>;
  /** `KEY=VALUE` labels a container must carry to be Siesta's (`--scope`). */
  readonly containerScope: readonly string[];
}

/** Builds the model manager. */
export function buildModelManager(parts: ModelManagerParts): ModelManager {
  return new ModelManager({
    docker: parts.docker,
    yamlPath: parts.yamlPath,
    specs: parts.specs,
    gpus: () => gpuCapacities(parts.latestSamples()),
    reloadConfig: parts.reloadConfig,
    scopeLabels: Object.fromEntries(
      parts.containerScope.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    ),
  });
}
