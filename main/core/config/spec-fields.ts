// The fields of a model's spec, each with its siesta.yaml key, its Docker label and its reader (DESIGN.md's table).
import type { FieldResult } from './field-readers';
import {
  readBoolean,
  readContainer,
  readDuration,
  readHealth,
  readModels,
  readName,
  readPolicy,
  readPort,
  readServer,
  readSize,
  readText,
  readUpstream,
  readWatts,
} from './field-readers';
import type { DozeKind } from './doze-spec';
import { readDozeKind, readDozePath } from './doze-spec';
import type { ModelSpec } from './model-spec';

/** A spec being read: the fields given so far, before defaults. */
export type SpecDraft = {
  -readonly [K in keyof Omit<ModelSpec, 'source' | 'doze'>]?: ModelSpec[K];
} & {
  /** The doze's parts, put together (and checked) in spec-draft.ts. */
  dozeKind?: DozeKind | null;
  dozeSleepPath?: string;
  dozeWakePath?: string;
  dozeStatusPath?: string;
};

/** One field: how siesta.yaml and labels spell it, and how its value becomes part of a draft. */
export interface SpecField {
  /** The siesta.yaml key, e.g. `wakeTimeout`. */
  readonly key: string;
  /** The Docker label, e.g. `siesta.wake-timeout`; null where only siesta.yaml has the field. */
  readonly label: string | null;
  readonly read: (raw: unknown) => FieldResult<SpecDraft>;
}

function field<T>(
  key: string,
  label: string | null,
  reader: (raw: unknown) => FieldResult<T>,
  patch: (value: T) => SpecDraft,
): SpecField {
  return {
    key,
    label,
    read: (raw) => {
      const result = reader(raw);
      return result.ok ? { ok: true, value: patch(result.value) } : result;
    },
  };
}

/** Every field of a spec, in DESIGN.md's order (`siesta.enable` is not one: it only marks a container managed). */
export const SPEC_FIELDS: readonly SpecField[] = [
  field('name', 'siesta.name', readName, (name) => ({ name })),
  // A label sits on its container, so only siesta.yaml names one.
  field('container', null, readContainer, (container) => ({ container })),
  field('port', 'siesta.port', readPort, (port) => ({ port })),
  field('listen', 'siesta.listen', readPort, (listenPort) => ({ listenPort })),
  field('models', 'siesta.models', readModels, (models) => ({ models })),
  field('health', 'siesta.health', readHealth, (health) => ({ health })),
  field(
    'idle',
    'siesta.idle',
    (raw) => readDuration(raw, true),
    (idleMs) => ({ idleMs }),
  ),
  field(
    'wakeTimeout',
    'siesta.wake-timeout',
    (raw) => readDuration(raw, false),
    (wakeTimeoutMs) => ({ wakeTimeoutMs }),
  ),
  field('vram', 'siesta.vram', readSize, (vramBytes) => ({ vramBytes })),
  field('group', 'siesta.group', readText, (group) => ({ group })),
  field('pin', 'siesta.pin', readBoolean, (pin) => ({ pin })),
  field('idleWatts', 'siesta.idle-watts', readWatts, (idleWatts) => ({ idleWatts })),
  field('policy', 'siesta.policy', readPolicy, (policy) => ({ policy })),
  field('upstream', 'siesta.upstream', readUpstream, (upstream) => ({ upstream })),
  field('server', 'siesta.server', readServer, (server) => ({ server })),
  field('doze', 'siesta.doze', readDozeKind, (dozeKind) => ({ dozeKind })),
  field('dozeSleep', 'siesta.doze.sleep', readDozePath, (dozeSleepPath) => ({ dozeSleepPath })),
  field('dozeWake', 'siesta.doze.wake', readDozePath, (dozeWakePath) => ({ dozeWakePath })),
  field('dozeStatus', 'siesta.doze.status', readDozePath, (dozeStatusPath) => ({ dozeStatusPath })),
];
