// The VRAM scheduler's view of Ollama servers (scheduler/inner-unload-plan.ts): each awake server's loaded models with
// their VRAM from `/api/ps`, and unloading one of them (logged) to make room for another model.
import type { InnerModels } from '../scheduler/inner-unload-plan';
import type { OllamaCatalog } from './ollama-catalog';

/** `InnerModels` over the catalog, which the composition root builds after the scheduler (hence the getter). */
export function ollamaInnerModels(
  catalog: () => OllamaCatalog | null,
  log: (line: string) => void,
): InnerModels {
  return {
    loaded: (server) => {
      const c = catalog();
      if (c === null) return [];
      return c.loaded(server).map((m) => ({
        name: m.name,
        vramBytes: m.size_vram,
        lastUsedAt: c.lastUsedAt(server, m.name),
      }));
    },
    unload: async (server, model, forModel) => {
      const c = catalog();
      if (c === null) throw new Error('the Ollama catalog is not running');
      const vramBytes = c.loaded(server).find((m) => m.name === model)?.size_vram ?? 0;
      await c.unload(server, model);
      log(
        `${server}: unloaded ${model} (${(vramBytes / 1024 ** 3).toFixed(1)} GiB) to make room for ${forModel}; the server stays up`,
      );
    },
  };
}
