// Which of Ollama's endpoints a request on the main port is (`/api/...`): the lists Siesta answers itself, and the
// POSTs routed by the `model` of their body.

/** An Ollama endpoint the gateway serves. */
export type OllamaEndpoint =
  /** `GET /api/tags`: every model of every Ollama server, asleep ones too; nothing wakes. */
  | { readonly kind: 'tags' }
  /** `GET /api/ps`: what the awake servers have loaded. */
  | { readonly kind: 'ps' }
  /** `GET /api/version`. */
  | { readonly kind: 'version' }
  /** `POST /api/chat|generate|embed|embeddings|show`: routed by the body's `model`. */
  | { readonly kind: 'by-model'; readonly name: OllamaModelPath }
  /** Another of Ollama's paths (`/api/pull`, `/api/delete`...): not routed on the main port; answered with why. */
  | { readonly kind: 'not-routed'; readonly path: string };

/** The POST endpoints that name a model in their body. */
export type OllamaModelPath = 'chat' | 'generate' | 'embed' | 'embeddings' | 'show';

const BY_MODEL: readonly OllamaModelPath[] = ['chat', 'generate', 'embed', 'embeddings', 'show'];

/** The endpoint of `method` and `path` (no query), or null when the path is not under `/api/`. */
export function ollamaEndpointOf(method: string, path: string): OllamaEndpoint | null {
  if (!path.startsWith('/api/')) return null;
  const rest = path.slice('/api/'.length).replace(/\/$/, '');
  if (method === 'GET' || method === 'HEAD') {
    if (rest === 'tags') return { kind: 'tags' };
    if (rest === 'ps') return { kind: 'ps' };
    if (rest === 'version') return { kind: 'version' };
  }
  const name = method === 'POST' ? BY_MODEL.find((n) => n === rest) : undefined;
  return name === undefined ? { kind: 'not-routed', path } : { kind: 'by-model', name };
}
