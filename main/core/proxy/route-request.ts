// Finds the model a request is for (DESIGN.md, "The gateway"): its dedicated port, `NAME.localhost`, the path prefix `/NAME/`,
// and last the `model` field of the body, which the caller reads only when this says so.
import type { RouteKind } from '../lifecycle/model-state';
import type { OllamaEndpoint } from './ollama-route';
import { ollamaEndpointOf } from './ollama-route';

/** The gateway's own endpoints live under this prefix (the waiting page polls `/__siesta/status/NAME`). */
export const SIESTA_PREFIX = '/__siesta/';

/** Where a request goes. */
export type Route =
  /** A model, found by `route`; `path` is what the upstream sees (the prefix stripped for path routes). */
  | {
      readonly kind: 'model';
      readonly model: string;
      readonly route: RouteKind;
      readonly detail: string;
      readonly path: string;
      /** `/NAME` for path routes (sent as X-Forwarded-Prefix), else ''. */
      readonly prefix: string;
    }
  /** `/NAME` without the slash: a browser is sent to `/NAME/` so relative links work. */
  | { readonly kind: 'redirect'; readonly location: string }
  /** `GET /v1/models` on the main port: answered by the gateway, nothing wakes. */
  | { readonly kind: 'models-list' }
  /** `GET /v1/models/ID` on the main port. */
  | { readonly kind: 'model-info'; readonly id: string }
  /** `POST /v1/...` on the main port: read the body's `model` field. */
  | { readonly kind: 'model-field'; readonly path: string }
  /** Ollama's API on the main port (`/api/tags`, `POST /api/chat`...): see ollama-api.ts. */
  | { readonly kind: 'ollama'; readonly endpoint: OllamaEndpoint }
  /** The waiting page's status poll. */
  | { readonly kind: 'status'; readonly model: string }
  /** Nothing names a model. */
  | { readonly kind: 'unrouted' };

/** What routing looks at. */
export interface RouteInput {
  /** The model whose dedicated port received the request, or null on the main port. */
  readonly dedicatedModel: string | null;
  /** The local port that received it (for the wake cause). */
  readonly localPort: number;
  /** The model named by `NAME.localhost` (already checked to exist), or null. */
  readonly localhostModel: string | null;
  readonly method: string;
  /** The request target as sent (`/qwen/v1/chat/completions?x=1`). */
  readonly url: string;
  /** The registered model with this exact name, for path prefixes. */
  readonly modelNamed: (name: string) => string | undefined;
}

function safeDecode(segment: string): string {
  // Most names and paths carry no escapes: skip decodeURIComponent (and its try) for them.
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The path of a request target without its query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Routes one request; see `Route`. */
export function routeRequest(input: RouteInput): Route {
  const { url, method } = input;
  if (url.startsWith(SIESTA_PREFIX)) {
    const rest = pathOf(url).slice(SIESTA_PREFIX.length);
    if (rest.startsWith('status/') && rest.length > 'status/'.length)
      return { kind: 'status', model: safeDecode(rest.slice('status/'.length)) };
    return { kind: 'unrouted' };
  }
  if (input.dedicatedModel !== null)
    return {
      kind: 'model',
      model: input.dedicatedModel,
      route: 'port',
      detail: String(input.localPort),
      path: url,
      prefix: '',
    };
  if (input.localhostModel !== null)
    return {
      kind: 'model',
      model: input.localhostModel,
      route: 'host',
      detail: `${input.localhostModel}.localhost`,
      path: url,
      prefix: '',
    };
  const byPath = pathRoute(url, method, input.modelNamed);
  if (byPath !== null) return byPath;
  const path = pathOf(url);
  if (method === 'GET' || method === 'HEAD') {
    if (path === '/v1/models' || path === '/v1/models/') return { kind: 'models-list' };
    if (path.startsWith('/v1/models/'))
      return { kind: 'model-info', id: safeDecode(path.slice('/v1/models/'.length)) };
  }
  if (method === 'POST' && path.startsWith('/v1/')) return { kind: 'model-field', path: url };
  const ollama = ollamaEndpointOf(method, path);
  if (ollama !== null) return { kind: 'ollama', endpoint: ollama };
  return { kind: 'unrouted' };
}

function pathRoute(
  url: string,
  method: string,
  modelNamed: (name: string) => string | undefined,
): Route | null {
  if (url.length < 2 || url.charCodeAt(0) !== 47 /* / */) return null;
  let end = 1;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */) break;
    end++;
  }
  const model = modelNamed(safeDecode(url.slice(1, end)));
  if (model === undefined) return null;
  const rest = url.slice(end);
  const prefix = url.slice(0, end);
  if (rest === '' || rest.startsWith('?')) {
    if (method === 'GET' || method === 'HEAD')
      return { kind: 'redirect', location: `${prefix}/${rest}` };
    return { kind: 'model', model, route: 'path', detail: `/${model}/`, path: `/${rest}`, prefix };
  }
  return { kind: 'model', model, route: 'path', detail: `/${model}/`, path: rest, prefix };
}
