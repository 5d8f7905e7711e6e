// Dozes and wakes a model through its server's own sleep API (vLLM, SGLang, Ollama, custom http paths), over loopback.
import type { Upstream } from '../lifecycle/model-state';
import type { DozeSpec } from '../config/doze-spec';
import { OllamaServerClient } from '../ollama/ollama-server-client';

/** What a doze client does; each call rejects with an Error naming the model, the path and what came back. */
export interface DozeClient {
  doze(): Promise<void>;
  wake(): Promise<void>;
  /** Whether the server says it dozes; null when it has no status route. */
  isDozed(): Promise<boolean | null>;
}

/** How long one call may take: a level-1 wake moves the weights back from host RAM (seconds for a large model). */
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * The client for a model's doze. `vllm`, `sglang`, `ollama` and `http` speak HTTP to the model's server;
 * `cuda-checkpoint` runs a host command instead (see cuda-checkpoint-dozer.ts): asking for it here throws.
 */
export function dozeClient(
  model: string,
  spec: DozeSpec,
  upstream: Upstream,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): DozeClient {
  if (spec.kind === 'cuda-checkpoint')
    throw new Error(`${model}: a cuda-checkpoint doze runs on the host, not over HTTP`);
  if (spec.kind === 'ollama') return ollamaDozeClient(model, upstream, timeoutMs);
  const base = `http://${upstream.host.includes(':') ? `[${upstream.host}]` : upstream.host}:${upstream.port}`;
  const call = async (method: 'GET' | 'POST', path: string): Promise<string> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: method === 'POST' ? { 'content-type': 'application/json' } : undefined,
        body: method === 'POST' ? '{}' : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`${model}: ${method} ${path} (${spec.kind} doze) failed: ${why}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `${model}: ${method} ${path} (${spec.kind} doze) answered HTTP ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    return text;
  };
  return {
    doze: async () => void (await call('POST', spec.sleepPath)),
    wake: async () => void (await call('POST', spec.wakePath)),
    isDozed: async () => {
      if (spec.statusPath === null) return null;
      return dozedFromStatus(model, spec, await call('GET', spec.statusPath));
    },
  };
}

/** vLLM: `{"is_sleeping": true}`; http: a JSON body whose first boolean or state string says it (`sleeping`, `dozed`, `asleep`). */
function dozedFromStatus(model: string, spec: DozeSpec, body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = body.trim();
  }
  if (typeof parsed === 'boolean') return parsed;
  if (typeof parsed === 'string') return /^(sleeping|dozed|dozing|asleep|true)$/i.test(parsed);
  if (parsed && typeof parsed === 'object') {
    const record = parsed as Record<string, unknown>;
    for (const key of ['is_sleeping', 'sleeping', 'dozed'])
      if (typeof record[key] === 'boolean') return record[key];
    const state = record.state ?? record.status;
    if (typeof state === 'string') return /^(sleeping|dozed|dozing|asleep)$/i.test(state);
  }
  throw new Error(
    `${model}: GET ${spec.statusPath ?? ''} (${spec.kind} doze) said ${body.slice(0, 200)}, not whether it sleeps`,
  );
}

/**
 * Ollama: a doze unloads every model loaded in the server (`keep_alive: 0`) and checks `/api/ps` is then empty; the
 * server stays up. A wake calls nothing: the next request loads its model, so a dozed Ollama is ready at once.
 */
function ollamaDozeClient(model: string, upstream: Upstream, timeoutMs: number): DozeClient {
  const api = new OllamaServerClient(timeoutMs);
  const named = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw new Error(
        `${model}: ${what} (ollama doze) failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  return {
    doze: async () => {
      const loaded = await named('listing its loaded models', () => api.loaded(upstream));
      for (const m of loaded)
        await named(`unloading ${m.name}`, () => api.unload(upstream, m.name));
      const left = await named('listing its loaded models', () => api.loaded(upstream));
      if (left.length > 0)
        throw new Error(
          `${model}: its Ollama server still has ${left.map((m) => m.name).join(', ')} loaded after the unload (ollama doze)`,
        );
    },
    wake: () => Promise.resolve(),
    // Nothing loaded is both "dozed" and an awake server nobody asked yet: there is no state to read.
    isDozed: () => Promise.resolve(null),
  };
}
