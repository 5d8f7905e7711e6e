// The one schema of a model, whether it came from Docker labels or from siesta.yaml (DESIGN.md, "A model's spec").
import type { DozeSpec } from './doze-spec';

/** How Siesta decides a woken container is ready to serve. */
export type HealthCheck =
  | { readonly kind: 'docker' }
  | { readonly kind: 'http'; readonly path: string }
  | { readonly kind: 'tcp' };

/** What kind of server a container runs: `ollama` holds many models behind Ollama's API (issue 19). */
export type ModelServerKind = 'ollama';

/** Keep-alive policies (issue 9); `fixed` uses `idleMs`. */
export type KeepAlivePolicyName = 'fixed' | 'break-even' | 'adaptive';

/** Where a spec was read from, for error messages and the UI. */
export type SpecSource =
  | { readonly kind: 'label'; readonly container: string }
  | { readonly kind: 'yaml'; readonly file: string; readonly line: number };

/** A model as Siesta manages it, after parsing and defaults. */
export interface ModelSpec {
  /** The model's name in Siesta (unique). */
  readonly name: string;
  /** The container's name (without the leading slash) or id. */
  readonly container: string;
  readonly source: SpecSource;
  /** The container port that serves the model; null means "the only published port". */
  readonly port: number | null;
  /** A dedicated proxy port for this model, or null. */
  readonly listenPort: number | null;
  /** OpenAI model names and aliases this container answers; never empty (defaults to [name]). */
  readonly models: readonly string[];
  /** Readiness check; null means "docker healthcheck if the container has one, else tcp". */
  readonly health: HealthCheck | null;
  /** Idle time before sleep; 0 never sleeps. */
  readonly idleMs: number;
  /** True when neither the label nor the YAML set `idle`: the settings' default idle time applies then. */
  readonly idleFromDefault?: boolean;
  /** How long a request may wait for a wake. */
  readonly wakeTimeoutMs: number;
  /** Declared VRAM need, or null (learned from use). */
  readonly vramBytes: number | null;
  readonly group: string | null;
  readonly pin: boolean;
  /** Power the model costs while idle, used only where no GPU reading exists. */
  readonly idleWatts: number | null;
  readonly policy: KeepAlivePolicyName;
  /** `ollama`: an Ollama server of many models, learned from its `/api/tags`; absent or null for one model. */
  readonly server?: ModelServerKind | null;
  /**
   * Where the gateway dials the model instead of its published port on the engine's host: a host, and a port when the
   * published one is not the way in (a load balancer, a tunnel). Absent or null: the engine's host and published port.
   */
  readonly upstream?: SpecUpstream | null;
  /** The lighter sleep its server offers (issue 15): doze first, stop later; absent or null: it simply stops. */
  readonly doze?: DozeSpec | null;
}

/** An explicit upstream: a host name or address, and a port or null for the container's published port. */
export interface SpecUpstream {
  readonly host: string;
  readonly port: number | null;
}

/** The defaults of DESIGN.md. */
export const SPEC_DEFAULTS = {
  idleMs: 10 * 60_000,
  wakeTimeoutMs: 10 * 60_000,
  policy: 'fixed' as KeepAlivePolicyName,
} as const;

/** A problem found while reading specs: names where (file and line, or container), the field, and what was expected. */
export interface SpecProblem {
  readonly where: string;
  readonly field: string | null;
  readonly message: string;
}
