// Dozes and wakes a model through its server's own sleep API (vLLM, SGLang, custom http paths), over loopback.
import type { Upstream } from '../lifecycle/model-state';
import type { DozeSpec } from '../config/doze-spec';

/** What a doze client does; each call rejects with an Error naming the model, the path and what came back. */
export interface DozeClient {
  doze(): Promise<void>;
  wake(): Promise<void>;
  /** Whether the server says it dozes; null when it has no status route. */
  isDozed(): Promise<boolean | null>;
  /** At start, whether a server found running dozes, where that differs from `isDozed` (Ollama: nothing loaded). */
  foundDozed?(): Promise<boolean | null>;
}

/** How long one call may take: a level-1 wake moves the weights back from host RAM (seconds for a large model). */
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * The client for a model's doze. `vllm`, `sglang` and `http` speak HTTP to the model's server; `ollama` is its own
 * client (ollama/ollama-doze-client.ts, given to the dozer) and `cuda-checkpoint` a host command
 * (cuda-checkpoint-dozer.ts): asking for those here throws.
 */
export function dozeClient(
  model: string,
  spec: DozeSpec,
  upstream: Upstream,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): DozeClient {
  if (spec.kind === 'ollama' || spec.kind === 'cuda-checkpoint')
    throw new Error(`${model}: a ${spec.kind} doze has its own client, not these sleep paths`);
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
