// The Ollama doze (issue 15): unloads every model an Ollama server has loaded (`keep_alive: 0`) and keeps the server;
// a wake calls nothing, since the next request loads its model.
import type { DozeClient } from '../doze/doze-client';
import type { Upstream } from '../lifecycle/model-state';
import { OllamaServerClient } from './ollama-server-client';

/**
 * Ollama: a doze unloads every model loaded in the server (`keep_alive: 0`) and checks `/api/ps` is then empty; the
 * server stays up. A wake calls nothing: the next request loads its model, so a dozed Ollama is ready at once.
 */
export function ollamaDozeClient(
  model: string,
  upstream: Upstream,
  timeoutMs?: number,
): DozeClient {
  // An unload frees the memory at once; a minute leaves room for a loaded host.
  const api = new OllamaServerClient(timeoutMs ?? 60_000);
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
    // Nothing loaded is both "dozed" and an awake server nobody asked yet: there is no state to read after a call.
    isDozed: () => Promise.resolve(null),
    // Found at start with nothing loaded: it holds no VRAM and its next request loads its model, as a dozed one does.
    foundDozed: async () =>
      (await named('listing its loaded models', () => api.loaded(upstream))).length === 0,
  };
}
