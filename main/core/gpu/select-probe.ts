// Picks the GPU probe at start-up: NVML in-process, else one long-lived nvidia-smi, else AMD sysfs, else none.
import { systemClock } from '../clock/clock';
import type { Clock } from '../clock/clock';
import { findAmdCards, DEFAULT_DRM_ROOT } from './amd-sysfs';
import { AmdSysfsProbe } from './amd-sysfs-probe';
import type { GpuProbe, ProbeBackend } from './gpu-sample';
import { readGpuInventory } from './gpu-inventory';
import type { InventoryGpu } from './gpu-inventory';
import { NoneProbe } from './none-probe';
import type { NvmlApi } from './nvml-api';
import { loadNvml as loadNvmlLibrary, nvmlLibraryCandidates } from './nvml-binding';
import { NvmlProbe } from './nvml-probe';
import { NvidiaSmiProbe } from './nvidia-smi-probe';
import { runCommand } from './run-command';

/** How to look for GPUs. Every path and loader can be replaced, for tests and odd installs. */
export interface GpuProbeOptions {
  readonly clock?: Clock;
  /** Sample period, default 1000 ms. */
  readonly intervalMs?: number;
  /** Process-list period, default 10 s. */
  readonly processIntervalMs?: number;
  /** `auto` (default) tries nvml, nvidia-smi, amd-sysfs in that order; naming one tries only it. */
  readonly backend?: 'auto' | Exclude<ProbeBackend, 'replay' | 'dcgm-exporter'>;
  readonly nvmlLibraryPaths?: readonly string[];
  readonly loadNvml?: (paths: readonly string[]) => Promise<NvmlApi>;
  /** `nvidia-smi` on PATH by default. */
  readonly nvidiaSmiCommand?: string;
  /** Arguments before the query (when the command is an interpreter running a script). */
  readonly nvidiaSmiArgs?: readonly string[];
  readonly nvidiaSmiEnv?: NodeJS.ProcessEnv;
  readonly nvidiaSmiRestartInitialMs?: number;
  readonly nvidiaSmiRestartMaxMs?: number;
  /** Default `/sys/class/drm`. */
  readonly drmRoot?: string;
  /** Default `/proc` (AMD per-process VRAM). */
  readonly procRoot?: string;
  /** The start-up inventory, default `systeminformation.graphics()`; asked only for AMD names and the no-GPU message. */
  readonly inventory?: () => Promise<readonly InventoryGpu[]>;
}

/** The chosen probe and what was tried before it. */
export interface ProbeSelection {
  readonly probe: GpuProbe;
  readonly backend: ProbeBackend;
  /** One line per backend that was tried and not chosen, saying why. */
  readonly tried: readonly string[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function inventoryOf(options: GpuProbeOptions): Promise<readonly InventoryGpu[] | string> {
  try {
    return await (options.inventory ?? (() => readGpuInventory()))();
  } catch (error: unknown) {
    return `the OS inventory failed: ${message(error)}`;
  }
}

/** Tries each backend in order and returns the first that finds a GPU; `none` when none does. */
export async function selectProbe(options: GpuProbeOptions = {}): Promise<ProbeSelection> {
  const clock = options.clock ?? systemClock();
  const intervalMs = options.intervalMs ?? 1000;
  const processIntervalMs = options.processIntervalMs ?? 10_000;
  const wanted = options.backend ?? 'auto';
  const tried: string[] = [];
  const tries = (backend: ProbeBackend): boolean => wanted === 'auto' || wanted === backend;

  if (tries('nvml')) {
    const paths = options.nvmlLibraryPaths ?? nvmlLibraryCandidates();
    try {
      const api = await (options.loadNvml ?? loadNvmlLibrary)(paths);
      const count = api.deviceCount();
      if (count.ok && count.value > 0) {
        return {
          probe: new NvmlProbe({ api, clock, intervalMs, processIntervalMs }),
          backend: 'nvml',
          tried,
        };
      }
      tried.push(`NVML (${api.libraryPath}): ${count.ok ? 'no GPU' : api.errorString(count.code)}`);
      api.shutdown();
    } catch (error: unknown) {
      tried.push(message(error));
    }
  }

  if (tries('nvidia-smi')) {
    const command = options.nvidiaSmiCommand ?? 'nvidia-smi';
    const check = await runCommand(
      command,
      [...(options.nvidiaSmiArgs ?? []), '--query-gpu=index', '--format=csv,noheader,nounits'],
      { env: options.nvidiaSmiEnv },
    );
    const indexes = check.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^\d+$/.test(l));
    if (check.code === 0 && indexes.length > 0) {
      const probe = new NvidiaSmiProbe({
        clock,
        command,
        commandArgs: options.nvidiaSmiArgs,
        env: options.nvidiaSmiEnv,
        intervalMs,
        processIntervalMs,
        expectedGpuCount: indexes.length,
        restartInitialMs: options.nvidiaSmiRestartInitialMs,
        restartMaxMs: options.nvidiaSmiRestartMaxMs,
      });
      return { probe, backend: 'nvidia-smi', tried };
    }
    const said = (check.stdout + check.stderr).trim().split('\n')[0] ?? '';
    tried.push(
      `nvidia-smi: ${check.failure ?? (indexes.length === 0 && check.code === 0 ? 'no GPU listed' : `exited with code ${check.code}${said ? `: ${said}` : ''}`)}`,
    );
  }

  if (tries('amd-sysfs')) {
    const drmRoot = options.drmRoot ?? DEFAULT_DRM_ROOT;
    try {
      const cards = await findAmdCards(drmRoot);
      if (cards.length > 0) {
        const inventory = await inventoryOf(options);
        const namesBySlot = new Map(
          typeof inventory === 'string'
            ? []
            : inventory.flatMap((g) =>
                g.vendor === 'amd' && g.pciSlot ? [[g.pciSlot, g.name] as const] : [],
              ),
        );
        const probe = new AmdSysfsProbe({
          clock,
          drmRoot,
          intervalMs,
          namesBySlot,
          procRoot: options.procRoot,
          processIntervalMs,
        });
        return { probe, backend: 'amd-sysfs', tried };
      }
      tried.push(`AMD sysfs: no amdgpu card under ${drmRoot}`);
    } catch (error: unknown) {
      tried.push(`AMD sysfs: ${message(error)}`);
    }
  }

  const inventory = await inventoryOf(options);
  const seen =
    typeof inventory === 'string'
      ? inventory
      : inventory.length === 0
        ? 'the OS lists no graphics controller'
        : `the OS lists ${inventory.map((g) => `${g.name} (${g.vendor})`).join(', ')}, none readable by a supported backend`;
  const reason = `no GPU found: tried ${tried.length ? tried.join('; ') : `only "${wanted}"`}; ${seen}`;
  return { probe: new NoneProbe(reason), backend: 'none', tried };
}

/** The probe `selectProbe` chooses; its `status()` carries the backend and, for none, what was tried. */
export async function createGpuProbe(options: GpuProbeOptions = {}): Promise<GpuProbe> {
  return (await selectProbe(options)).probe;
}
