// One Ollama server's models as the dashboard and the tray show them under the server: each model it has, whether it
// is loaded and the VRAM it holds (from `/api/ps`), and when it was last used.
import type { ServedModelView } from './contract';
import type { OllamaCatalog } from '../ollama/ollama-catalog';

/** The models of `server`, in name order. */
export function servedModelsOf(
  catalog: Pick<OllamaCatalog, 'modelsOf' | 'loaded' | 'lastUsedAt'>,
  server: string,
): ServedModelView[] {
  const loaded = catalog.loaded(server);
  return [...catalog.modelsOf(server)]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((tag) => {
      const running = loaded.find((m) => m.name === tag.name);
      return {
        name: tag.name,
        sizeBytes: tag.size,
        loaded: running !== undefined,
        vramBytes: running === undefined ? null : running.size_vram,
        lastUsedAt: catalog.lastUsedAt(server, tag.name),
      };
    });
}
