// AMD per-process VRAM on Linux, from each process's DRM fdinfo (kernel "DRM client usage stats").
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { GpuProcess } from './gpu-sample';

/** What one DRM file descriptor's fdinfo says. */
export interface DrmClientUsage {
  readonly driver: string | null;
  /** PCI slot of the GPU, e.g. `0000:0c:00.0`. */
  readonly pdev: string | null;
  readonly clientId: string | null;
  /** VRAM of this client, bytes; null when the fdinfo has no VRAM line. */
  readonly vramBytes: number | null;
}

const UNIT_BYTES: Readonly<Record<string, number>> = {
  '': 1,
  KiB: 1024,
  MiB: 1024 * 1024,
  GiB: 1024 * 1024 * 1024,
};

/**
 * Parses one fdinfo file. VRAM is `drm-memory-vram` (amdgpu's own key) or, on newer kernels,
 * `drm-resident-vram`; sizes carry an optional KiB/MiB/GiB unit
 * (https://docs.kernel.org/gpu/drm-usage-stats.html).
 */
export function parseDrmFdinfo(text: string): DrmClientUsage {
  const keys = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) keys.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const size = keys.get('drm-memory-vram') ?? keys.get('drm-resident-vram');
  const match = size === undefined ? null : /^(\d+)\s*(KiB|MiB|GiB)?$/.exec(size);
  return {
    driver: keys.get('drm-driver') ?? null,
    pdev: keys.get('drm-pdev')?.toLowerCase() ?? null,
    clientId: keys.get('drm-client-id') ?? null,
    vramBytes:
      match?.[1] === undefined ? null : Number(match[1]) * (UNIT_BYTES[match[2] ?? ''] ?? 1),
  };
}

/** A GPU the scan may attribute memory to. */
export interface AmdGpuRef {
  readonly index: number;
  readonly uuid: string;
  /** Lower-case PCI slot. */
  readonly pciSlot: string;
}

/** The processes found, and how many could not be read (other users' processes without root). */
export interface AmdProcessScan {
  readonly processes: readonly GpuProcess[];
  readonly unreadablePids: number;
}

/**
 * Scans `<procRoot>/<pid>/fd` for descriptors open on `/dev/dri/*` and sums each process's VRAM
 * per GPU from their fdinfo, counting each DRM client once (several fds may share one client).
 */
export async function scanAmdProcesses(
  procRoot: string,
  gpus: readonly AmdGpuRef[],
): Promise<AmdProcessScan> {
  const bySlot = new Map(gpus.map((g) => [g.pciSlot, g]));
  const processes: GpuProcess[] = [];
  let unreadablePids = 0;
  const pids = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name));
  for (const pidName of pids) {
    let fds: string[];
    try {
      fds = await readdir(join(procRoot, pidName, 'fd'));
    } catch {
      unreadablePids++;
      continue;
    }
    const perGpu = new Map<string, { bytes: number; clients: Set<string> }>();
    for (const fd of fds) {
      const target = await readlink(join(procRoot, pidName, 'fd', fd)).catch(() => '');
      if (!target.startsWith('/dev/dri/')) continue;
      const usage = parseDrmFdinfo(
        await readFile(join(procRoot, pidName, 'fdinfo', fd), 'utf8').catch(() => ''),
      );
      if (
        usage.driver !== 'amdgpu' ||
        usage.pdev === null ||
        usage.vramBytes === null ||
        !bySlot.has(usage.pdev)
      )
        continue;
      const entry = perGpu.get(usage.pdev) ?? { bytes: 0, clients: new Set<string>() };
      const client = usage.clientId ?? `fd${fd}`;
      if (!entry.clients.has(client)) {
        entry.clients.add(client);
        entry.bytes += usage.vramBytes;
      }
      perGpu.set(usage.pdev, entry);
    }
    if (perGpu.size === 0) continue;
    const name = (await readFile(join(procRoot, pidName, 'comm'), 'utf8').catch(() => '')).trim();
    for (const [slot, entry] of perGpu) {
      const gpu = bySlot.get(slot);
      if (gpu)
        processes.push({
          gpuIndex: gpu.index,
          gpuUuid: gpu.uuid,
          pid: Number(pidName),
          processName: name,
          vramBytes: entry.bytes,
        });
    }
  }
  return { processes, unreadablePids };
}
