// `GET /v1/models` answered by the gateway: every OpenAI model name of every registered container, asleep ones too,
// without waking anything.
import type { ModelState, ModelStatus } from '../lifecycle/model-state';

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

/** The list for `statuses` (in name order); an alias two containers claim is listed once, for the one that routing picks. */
export function openAiModelList(statuses: readonly ModelStatus[]): ModelList {
  const seen = new Set<string>();
  const data: ListedModel[] = [];
  for (const status of statuses)
    for (const id of status.spec.models) {
      if (seen.has(id)) continue;
      seen.add(id);
      data.push({
        id,
        object: 'model',
        created: 0,
        owned_by: status.spec.name,
        siesta: { model: status.spec.name, state: status.state },
      });
    }
  return { object: 'list', data };
}

/** Every OpenAI model name, for error messages. */
export function openAiModelNames(statuses: readonly ModelStatus[]): string[] {
  return openAiModelList(statuses).data.map((m) => m.id);
}
