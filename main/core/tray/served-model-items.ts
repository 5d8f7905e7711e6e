// The lines under an Ollama server in the tray menu: each of its models, and for a loaded one its VRAM and a click
// that unloads it inside the server (the server stays up).
import type { ModelView } from '../api/contract';
import type { TrayMenuItem } from './tray-action';

/** Indents a served model under its server's line. */
const INDENT = '    ';
const BYTES_PER_GIB = 1024 ** 3;

/** The menu items for the models of `model` when it is an Ollama server; none for a container of one model. */
export function servedModelItems(model: ModelView): TrayMenuItem[] {
  if (model.serves === undefined) return [];
  return model.serves.map((served) => {
    const id = `served-${model.name}-${served.name}`;
    if (model.state === 'ready' && served.loaded) {
      const vram =
        served.vramBytes === null ? '' : ` · ${(served.vramBytes / BYTES_PER_GIB).toFixed(1)} GiB`;
      return {
        type: 'action',
        id,
        label: `${INDENT}${served.name}${vram} · unload`,
        action: { kind: 'unload', server: model.name, model: served.name },
      };
    }
    return { type: 'label', id, label: `${INDENT}${served.name}` };
  });
}
