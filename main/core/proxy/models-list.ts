// `GET /v1/models` answered by the gateway: every OpenAI model name of every registered container, asleep ones too,
// without waking anything.
import type { ModelState, ModelStatus } from '../lifecycle/model-state';
import type { ServerModel } from '../ollama/ollama-types';

/** One entry of the list: OpenAI's model object, plus the Siesta model behind it and its state. */
export interface ListedModel {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  /** The Siesta model (container) that serves it. */
  readonly owned_by: string;
  readonly siesta: { readonly model: string; readonly state: ModelState };
}

/** OpenAI's list shape. */
export interface ModelList {
  readonly object: 'list';
  readonly data: readonly ListedModel[];
}

/**
 * The list for `statuses` (in name order); an alias two containers claim is listed once, for the one that routing picks.
 * An Ollama server lists the models learned from its `/api/tags` (`serverModels`) after its declared names, so
 * `/v1/models` and `/api/tags` agree.
 */
export function openAiModelList(
  statuses: readonly ModelStatus[],
  serverModels: readonly ServerModel[] = [],
): ModelList {
  const seen = new Set<string>();
  const data: ListedModel[] = [];
  const add = (id: string, status: ModelStatus): void => {
    if (seen.has(id)) return;
    seen.add(id);
    data.push({
      id,
      object: 'model',
      created: 0,
      owned_by: status.spec.name,
      siesta: { model: status.spec.name, state: status.state },
    });
  };
  for (const status of statuses) {
    const learned = serverModels.filter((m) => m.server === status.spec.name);
    // An Ollama server's own name is no model; it is listed only until its models are known.
    const declared =
      learned.length > 0 &&
      status.spec.models.length === 1 &&
      status.spec.models[0] === status.spec.name
        ? []
        : status.spec.models;
    for (const id of declared) add(id, status);
    for (const m of learned) add(m.tag.name, status);
  }
  return { object: 'list', data };
}

/** Every OpenAI model name, for error messages. */
export function openAiModelNames(
  statuses: readonly ModelStatus[],
  serverModels: readonly ServerModel[] = [],
): string[] {
  return openAiModelList(statuses, serverModels).data.map((m) => m.id);
}
