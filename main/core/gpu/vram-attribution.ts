// Maps GPU processes to containers by host PID: what each container holds in VRAM, which is how a model's VRAM is learned.
import type { GpuProcess } from './gpu-sample';

/** One container's share of the GPUs. */
export interface ContainerVram {
  readonly containerId: string;
  /** Sum over its GPU processes; null when any of them has memory the driver cannot report (Windows WDDM). */
  readonly vramBytes: number | null;
  /** Per GPU index, same rule. */
  readonly vramBytesByGpu: ReadonlyMap<number, number | null>;
  /** The container's GPU processes. */
  readonly processes: readonly GpuProcess[];
}

/**
 * Pure: each container's VRAM from the GPU processes and each container's host PIDs (from
 * `docker top`). A container with no GPU process holds 0 bytes; a process in no container is
 * ignored. A PID listed under two containers counts for both (it cannot happen with host PIDs).
 */
export function attributeVram(
  processes: readonly GpuProcess[],
  pidsByContainer: ReadonlyMap<string, readonly number[]>,
): Map<string, ContainerVram> {
  const result = new Map<string, ContainerVram>();
  for (const [containerId, pids] of pidsByContainer) {
    const pidSet = new Set(pids);
    const mine = processes.filter((p) => pidSet.has(p.pid));
    const byGpu = new Map<number, number | null>();
    for (const p of mine) {
      const before = byGpu.has(p.gpuIndex) ? byGpu.get(p.gpuIndex) : 0;
      byGpu.set(
        p.gpuIndex,
        before === null || before === undefined || p.vramBytes === null
          ? null
          : before + p.vramBytes,
      );
    }
    const unknown = mine.some((p) => p.vramBytes === null);
    result.set(containerId, {
      containerId,
      vramBytes: unknown ? null : mine.reduce((sum, p) => sum + (p.vramBytes ?? 0), 0),
      vramBytesByGpu: byGpu,
      processes: mine,
    });
  }
  return result;
}

/**
 * Asks `pidsOf` for each container's host PIDs and attributes `processes` to them. A container
 * whose PIDs cannot be read (it stopped meanwhile) is left out rather than reported as 0 bytes.
 */
export async function attributeVramToContainers(
  processes: readonly GpuProcess[],
  containerIds: readonly string[],
  pidsOf: (containerId: string) => Promise<readonly number[]>,
): Promise<Map<string, ContainerVram>> {
  const pidsByContainer = new Map<string, readonly number[]>();
  await Promise.all(
    containerIds.map(async (id) => {
      try {
        pidsByContainer.set(id, await pidsOf(id));
      } catch {
        // Stopped or removed between listing and asking: no figure is better than a false 0.
      }
    }),
  );
  return attributeVram(
    processes,
    new Map(
      containerIds.flatMap((id) =>
        pidsByContainer.has(id) ? [[id, pidsByContainer.get(id) ?? []] as const] : [],
      ),
    ),
  );
}
