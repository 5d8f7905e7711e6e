// The answers Siesta gives itself on Ollama's paths: `/api/tags` from what it learned (nothing wakes), `/api/ps` from
// the awake servers, `/api/version`, an unload of a sleeping model, and the 404 of a model no server has.
import type { ModelStatus } from '../lifecycle/model-state';
import type { OllamaLoadedModel, OllamaTag, ServerModel } from '../ollama/ollama-types';
import type { GatewayError } from './openai-errors';

/** The version answered before any Ollama server was seen awake: the Ollama API release whose shapes the gateway speaks. */
export const OLLAMA_API_VERSION = '0.12.6';

/** `/api/tags`: each model once (the first server that has it), in server then name order. */
export function tagsAnswer(models: readonly ServerModel[]): {
  readonly models: readonly OllamaTag[];
} {
  const seen = new Set<string>();
  const out: OllamaTag[] = [];
  for (const m of models) {
    if (seen.has(m.tag.name)) continue;
    seen.add(m.tag.name);
    out.push(m.tag);
  }
  return { models: out };
}

/** `/api/ps`: the loaded models of every awake server. */
export function psAnswer(loaded: readonly (readonly OllamaLoadedModel[])[]): {
  readonly models: readonly OllamaLoadedModel[];
} {
  return { models: loaded.flat() };
}

/** The answer to `keep_alive: 0` with nothing to generate, for a server that sleeps: nothing is loaded, nothing wakes. */
export function unloadedAnswer(
  path: 'chat' | 'generate',
  model: string,
  at: number,
): Record<string, unknown> {
  const common = {
    model,
    created_at: new Date(at).toISOString(),
    done: true,
    done_reason: 'unload',
  };
  return path === 'chat'
    ? { ...common, message: { role: 'assistant', content: '' } }
    : { ...common, response: '' };
}

/** Whether a body asks only to unload its model (`keep_alive` 0 and no prompt, messages or input). */
export function isUnloadOnly(body: Record<string, unknown>): boolean {
  const keepAlive = body.keep_alive;
  const zero = keepAlive === 0 || keepAlive === '0' || keepAlive === '0s' || keepAlive === '0m';
  if (!zero) return false;
  const prompt = body.prompt;
  const messages = body.messages;
  return (
    (prompt === undefined || prompt === '') &&
    (messages === undefined || (Array.isArray(messages) && messages.length === 0))
  );
}

/** 404 in Ollama's words for a model no Ollama server has. */
export function ollamaModelNotFound(asked: string): GatewayError {
  return {
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: `model '${asked}' not found`,
  };
}

/** 400: a model that exists, but behind a server that does not speak Ollama's API. */
export function notAnOllamaModel(asked: string, status: ModelStatus): GatewayError {
  return {
    status: 400,
    type: 'invalid_request_error',
    code: 'not_an_ollama_model',
    message: `model '${asked}' is served by "${status.spec.name}", which speaks OpenAI's API, not Ollama's: send it to /v1/ instead`,
  };
}

/** 400: a POST on an Ollama path whose body names no model or is not JSON. */
export function ollamaBadBody(why: string): GatewayError {
  return { status: 400, type: 'invalid_request_error', code: 'invalid_json', message: why };
}

/** 404: one of Ollama's paths that the gateway's main port does not route (pulling, creating, deleting models). */
export function ollamaPathNotRouted(method: string, path: string): GatewayError {
  return {
    status: 404,
    type: 'invalid_request_error',
    code: 'not_routed',
    message: `Siesta's gateway routes ${method} ${path} to no Ollama server: it serves /api/tags, /api/ps, /api/version and POST /api/chat, /api/generate, /api/embed, /api/embeddings, /api/show by their model. Send this one to the server's own port (or its siesta.listen port)`,
  };
}
