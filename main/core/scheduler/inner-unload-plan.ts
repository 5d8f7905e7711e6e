// Making room inside a many-model server (an Ollama container, issue 19): when the plan would stop such a server to
// free VRAM, unloading some of its loaded models (least recently used first) may free enough while the container and
// its other models stay up. Pure: the scheduler asks, then unloads through `InnerModels`.
import type { Victim } from './admission-plan';

/** One model loaded inside a server. */
export interface InnerModel {
  readonly name: string;
  /** Its VRAM, from the server's own report (`/api/ps` `size_vram`). */
  readonly vramBytes: number;
  /** When a request last used it through the gateway, or null. */
  readonly lastUsedAt: number | null;
}

/** The servers of many models, as the scheduler sees them. */
export interface InnerModels {
  /** What the server has loaded now; empty for a container of one model. */
  loaded(server: string): readonly InnerModel[];
  /** Unloads one model inside the server (it stays up) and resolves when the model's memory is given back. */
  unload(server: string, model: string, forModel: string): Promise<void>;
}

/** One model to unload. */
export interface InnerUnload {
  readonly server: string;
  readonly model: string;
  readonly vramBytes: number;
}

/**
 * The models to unload instead of stopping the `victims`, or null when that cannot make the room: every victim must
 * be a server evicted for VRAM with models loaded, the room missing on each GPU must be covered, and no server may
 * lose all its models (then stopping it frees its context too, and nothing is kept warm).
 */
export function planInnerUnloads(
  victims: readonly Victim[],
  shortBytesByGpu: ReadonlyMap<number, number> | undefined,
  gpusOf: (server: string) => readonly number[],
  loaded: (server: string) => readonly InnerModel[],
): InnerUnload[] | null {
  if (victims.length === 0 || shortBytesByGpu === undefined || shortBytesByGpu.size === 0)
    return null;
  if (victims.some((v) => v.cause.kind !== 'evicted' || loaded(v.model).length === 0)) return null;
  const picked = new Map<string, InnerUnload>();
  for (const [gpuIndex, shortBytes] of shortBytesByGpu) {
    const servers = victims.map((v) => v.model).filter((s) => gpusOf(s).includes(gpuIndex));
    const candidates = servers
      .flatMap((server) =>
        loaded(server).map((m) => ({
          server,
          model: m,
          share: m.vramBytes / Math.max(1, gpusOf(server).length),
        })),
      )
      .sort(
        (a, b) =>
          (a.model.lastUsedAt ?? 0) - (b.model.lastUsedAt ?? 0) ||
          a.model.name.localeCompare(b.model.name),
      );
    let freedBytes = [...picked.values()]
      .filter((p) => gpusOf(p.server).includes(gpuIndex))
      .reduce((sum, p) => sum + p.vramBytes / Math.max(1, gpusOf(p.server).length), 0);
    for (const c of candidates) {
      if (freedBytes >= shortBytes) break;
      const key = `${c.server}\u0000${c.model.name}`;
      if (picked.has(key)) continue;
      picked.set(key, { server: c.server, model: c.model.name, vramBytes: c.model.vramBytes });
      freedBytes += c.share;
    }
    if (freedBytes < shortBytes) return null;
  }
  for (const victim of victims) {
    const count = [...picked.values()].filter((p) => p.server === victim.model).length;
    if (count >= loaded(victim.model).length) return null;
  }
  return [...picked.values()];
}
