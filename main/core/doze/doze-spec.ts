// Which lighter sleep a model's server offers (issue 15): label `siesta.doze` (YAML `doze`), read into a DozeSpec.
import { z } from 'zod';

/** The servers whose own sleep API Siesta knows, plus `http` (custom paths) and `cuda-checkpoint` (any CUDA process). */
export const DOZE_KINDS = ['vllm', 'sglang', 'ollama', 'cuda-checkpoint', 'http'] as const;
export type DozeKind = (typeof DOZE_KINDS)[number];

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

const PathSchema = z.string().regex(/^\/[^\s]*$/, {
  error: 'expected a path on the model server starting with /, such as /sleep',
});

/** The paths each known server serves (vLLM's need VLLM_SERVER_DEV_MODE=1 and --enable-sleep-mode). */
const KNOWN_PATHS: Readonly<Record<Exclude<DozeKind, 'http'>, Omit<DozeSpec, 'kind'>>> = {
  // Level 1: weights to host RAM, KV cache dropped; wakes in 0.1-6 s.
  vllm: { sleepPath: '/sleep?level=1', wakePath: '/wake_up', statusPath: '/is_sleeping' },
  sglang: {
    sleepPath: '/release_memory_occupation',
    wakePath: '/resume_memory_occupation',
    statusPath: null,
  },
  // Unloads through the API (keep_alive 0); the server stays. Designed, not built: see doze-client.ts.
  ollama: { sleepPath: '/api/generate', wakePath: '/api/generate', statusPath: '/api/ps' },
  // `cuda-checkpoint --toggle` on the container's CUDA process. Designed, not verified on hardware.
  'cuda-checkpoint': { sleepPath: '', wakePath: '', statusPath: null },
};

/**
 * Reads a model's doze from its labels (or YAML keys of the same names without `siesta.`); null when it has none
 * (it simply stops). Throws an Error naming the label and what was wrong.
 */
export function dozeSpecFromLabels(
  labels: Readonly<Record<string, string | undefined>>,
  where: string,
): DozeSpec | null {
  const raw = labels[DOZE_LABEL]?.trim();
  if (raw === undefined || raw === '' || raw === 'none') return null;
  const kind = DOZE_KINDS.find((k) => k === raw);
  if (!kind) {
    throw new Error(
      `${where}: label ${DOZE_LABEL} is "${raw}"; expected one of ${DOZE_KINDS.join(', ')} (or none)`,
    );
  }
  if (kind !== 'http') return { kind, ...KNOWN_PATHS[kind] };
  const path = (label: string, required: boolean): string | null => {
    const value = labels[label]?.trim();
    if (value === undefined || value === '') {
      if (required)
        throw new Error(
          `${where}: ${DOZE_LABEL}=http needs label ${label} (a path such as /sleep)`,
        );
      return null;
    }
    const parsed = PathSchema.safeParse(value);
    if (!parsed.success)
      throw new Error(
        `${where}: label ${label} is "${value}": ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    return parsed.data;
  };
  return {
    kind,
    sleepPath: path(DOZE_SLEEP_PATH_LABEL, true) ?? '',
    wakePath: path(DOZE_WAKE_PATH_LABEL, true) ?? '',
    statusPath: path(DOZE_STATUS_PATH_LABEL, false),
  };
}
