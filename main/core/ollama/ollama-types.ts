// The shapes of Ollama's API that Siesta reads and answers (`/api/tags`, `/api/ps`), and a name matcher: `llama3.2`
// is Ollama's `llama3.2:latest`.

/** One model of `/api/tags`. */
export interface OllamaTag {
  readonly name: string;
  readonly model: string;
  readonly modified_at: string;
  /** Size of the weights on disk, bytes. */
  readonly size: number;
  readonly digest: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** One model of `/api/ps`: loaded in the server now. */
export interface OllamaLoadedModel extends OllamaTag {
  /** When the server unloads it unless it is used again (ISO time). */
  readonly expires_at: string;
  /** Of `size`, the bytes in VRAM. */
  readonly size_vram: number;
}

/** A model of an Ollama server, as Siesta lists it. */
export interface ServerModel {
  /** The Siesta model (container) that serves it. */
  readonly server: string;
  readonly tag: OllamaTag;
}

/** Whether a registered model is an Ollama server (`siesta.server=ollama`). */
export function isOllamaServer(status: {
  readonly spec: { readonly server?: string | null };
}): boolean {
  return status.spec.server === 'ollama';
}

/** Ollama's full name of a model: a name without a tag means `:latest`. */
export function ollamaFullName(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

/** Whether a name a client sent means this model (`llama3.2` and `llama3.2:latest` are one). */
export function sameOllamaModel(asked: string, name: string): boolean {
  return asked === name || ollamaFullName(asked) === ollamaFullName(name);
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function record(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function entries(body: unknown): readonly Record<string, unknown>[] {
  const models = record(body).models;
  return Array.isArray(models)
    ? models.filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null)
    : [];
}

/** The models of a `/api/tags` answer; entries without a name are skipped. */
export function tagsOf(body: unknown): OllamaTag[] {
  return entries(body)
    .map((m) => {
      const name = text(m.name, text(m.model, ''));
      return {
        name,
        model: text(m.model, name),
        modified_at: text(m.modified_at, ''),
        size: count(m.size),
        digest: text(m.digest, ''),
        details: record(m.details),
      };
    })
    .filter((t) => t.name !== '');
}

/** The models of a `/api/ps` answer. */
export function loadedOf(body: unknown): OllamaLoadedModel[] {
  const tags = tagsOf(body);
  const raw = entries(body).filter((m) => text(m.name, text(m.model, '')) !== '');
  return tags.map((tag, i) => ({
    ...tag,
    expires_at: text(raw[i]?.expires_at, ''),
    size_vram: count(raw[i]?.size_vram),
  }));
}
