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
  | { readonly kind: 'by-model'; readonly name: OllamaModelPath };

/** The POST endpoints that name a model in their body. */
export type OllamaModelPath = 'chat' | 'generate' | 'embed' | 'embeddings' | 'show';

const BY_MODEL: readonly OllamaModelPath[] = ['chat', 'generate', 'embed', 'embeddings', 'show'];

/** The endpoint of `method` and `path` (no query), or null when it is not one of Ollama's that the gateway serves. */
export function ollamaEndpointOf(method: string, path: string): OllamaEndpoint | null {
  if (!path.startsWith('/api/')) return null;
  const rest = path.slice('/api/'.length).replace(/\/$/, '');
  if (method === 'GET' || method === 'HEAD') {
    if (rest === 'tags') return { kind: 'tags' };
    if (rest === 'ps') return { kind: 'ps' };
    if (rest === 'version') return { kind: 'version' };
    return null;
  }
  if (method !== 'POST') return null;
  const name = BY_MODEL.find((n) => n === rest);
  return name === undefined ? null : { kind: 'by-model', name };
}
