// Which lighter sleep a model's server offers (issue 15): label `siesta.doze` (YAML `doze`), with `siesta.doze.sleep`,
// `.wake` and `.status` (YAML `dozeSleep`, `dozeWake`, `dozeStatus`) for custom `http` paths, read into a DozeSpec.
import type { FieldResult } from './field-readers';

/** The servers whose own sleep API Siesta knows, plus `http` (custom paths) and `cuda-checkpoint` (any CUDA process). */
export const DOZE_KINDS = ['vllm', 'sglang', 'ollama', 'cuda-checkpoint', 'http'] as const;
export type DozeKind = (typeof DOZE_KINDS)[number];

/** The kinds the HTTP dozer drives by these paths; Ollama's has its own client and cuda-checkpoint a host command. */
export const BUILT_DOZE_KINDS: readonly DozeKind[] = ['vllm', 'sglang', 'http'];

/** How to doze a model, wake it and ask whether it dozes; paths are on the model's own server. */
export interface DozeSpec {
  readonly kind: DozeKind;
  /** POST here to doze. */
  readonly sleepPath: string;
  /** POST here to wake. */
  readonly wakePath: string;
  /** GET here for the state, or null when the server has no such route (Siesta then trusts its own record). */
  readonly statusPath: string | null;
}

/** The labels that say it: `siesta.doze`, and for `http` its paths. */
export const DOZE_LABEL = 'siesta.doze';
export const DOZE_SLEEP_PATH_LABEL = 'siesta.doze.sleep';
export const DOZE_WAKE_PATH_LABEL = 'siesta.doze.wake';
export const DOZE_STATUS_PATH_LABEL = 'siesta.doze.status';

/** The paths each known server serves (vLLM's need VLLM_SERVER_DEV_MODE=1 and --enable-sleep-mode). */
const KNOWN_PATHS: Readonly<Record<Exclude<DozeKind, 'http'>, Omit<DozeSpec, 'kind'>>> = {
  // Level 1: weights to host RAM, KV cache dropped; wakes in 0.1-6 s.
  vllm: { sleepPath: '/sleep?level=1', wakePath: '/wake_up', statusPath: '/is_sleeping' },
  sglang: {
    sleepPath: '/release_memory_occupation',
    wakePath: '/resume_memory_occupation',
    statusPath: null,
  },
  // Unloads every loaded model through the API (keep_alive 0); the server stays. See doze-client.ts.
  ollama: { sleepPath: '/api/generate', wakePath: '/api/generate', statusPath: '/api/ps' },
  // `cuda-checkpoint --toggle` on the container's CUDA process. Designed, not verified on hardware.
  'cuda-checkpoint': { sleepPath: '', wakePath: '', statusPath: null },
};

/** `siesta.doze`'s value: a known kind, or `none` (null: the model simply stops). */
export function readDozeKind(raw: unknown): FieldResult<DozeKind | null> {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === 'none') return { ok: true, value: null };
  const kind = DOZE_KINDS.find((k) => k === text);
  return kind === undefined
    ? { ok: false, expected: `one of ${DOZE_KINDS.join(', ')} (or none)` }
    : { ok: true, value: kind };
}

/** A path on the model's server for a custom doze. */
export function readDozePath(raw: unknown): FieldResult<string> {
  const text = typeof raw === 'string' ? raw.trim() : '';
  return /^\/\S*$/.test(text)
    ? { ok: true, value: text }
    : { ok: false, expected: 'a path on the model server starting with /, such as /sleep' };
}

/** The custom paths given for a doze (`http` needs sleep and wake). */
export interface DozePaths {
  readonly sleepPath?: string;
  readonly wakePath?: string;
  readonly statusPath?: string;
}

/** A doze that is missing a path: which (`sleep` or `wake`) and what to write. */
export interface DozeProblem {
  readonly missing: 'sleep' | 'wake';
  readonly message: string;
}

/** The DozeSpec of a kind and the paths given, or the path that `http` lacks. */
export function dozeSpecOf(
  kind: DozeKind | null | undefined,
  paths: DozePaths,
): { readonly spec: DozeSpec | null } | { readonly problem: DozeProblem } {
  if (kind === null || kind === undefined) return { spec: null };
  if (kind !== 'http') return { spec: { kind, ...KNOWN_PATHS[kind] } };
  for (const missing of ['sleep', 'wake'] as const) {
    if ((missing === 'sleep' ? paths.sleepPath : paths.wakePath) === undefined)
      return {
        problem: {
          missing,
          message: `doze http needs its ${missing} path (label siesta.doze.${missing}, YAML doze${missing === 'sleep' ? 'Sleep' : 'Wake'}), a path such as /${missing}`,
        },
      };
  }
  return {
    spec: {
      kind,
      sleepPath: paths.sleepPath ?? '',
      wakePath: paths.wakePath ?? '',
      statusPath: paths.statusPath ?? null,
    },
  };
}

/**
 * Reads a model's doze from its labels alone; null when it has none (it simply stops). Throws an Error naming the
 * label and what was wrong. (Siesta reads it with the other labels in spec-from-labels.ts; this is for tools.)
 */
export function dozeSpecFromLabels(
  labels: Readonly<Record<string, string | undefined>>,
  where: string,
): DozeSpec | null {
  const raw = labels[DOZE_LABEL];
  if (raw === undefined || raw.trim() === '') return null;
  const kind = readDozeKind(raw);
  if (!kind.ok)
    throw new Error(`${where}: label ${DOZE_LABEL} is "${raw.trim()}"; expected ${kind.expected}`);
  const path = (label: string): string | undefined => {
    const value = labels[label];
    if (value === undefined || value.trim() === '') return undefined;
    const read = readDozePath(value);
    if (!read.ok)
      throw new Error(`${where}: label ${label} is "${value.trim()}": expected ${read.expected}`);
    return read.value;
  };
  const result = dozeSpecOf(kind.value, {
    sleepPath: path(DOZE_SLEEP_PATH_LABEL),
    wakePath: path(DOZE_WAKE_PATH_LABEL),
    statusPath: path(DOZE_STATUS_PATH_LABEL),
  });
  if ('problem' in result) throw new Error(`${where}: ${result.problem.message}`);
  return result.spec;
}
