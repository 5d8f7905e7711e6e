// NVML in-process through koffi: loads libnvidia-ml.so.1 (nvml.dll on Windows), initialises it and wraps the calls Siesta uses.
import { join } from 'node:path';
import type * as KoffiModule from 'koffi';
import type { LibraryHandle } from 'koffi';
import { NVML_ERROR_FUNCTION_NOT_FOUND, NVML_SUCCESS, NVML_VALUE_NOT_AVAILABLE } from './nvml-api';
import type { NvmlApi, NvmlProcess, NvmlResult } from './nvml-api';

/** Where NVML is looked for, in order, on this platform. */
export function nvmlLibraryCandidates(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (platform === 'win32') {
    const programFiles = env.ProgramW6432 ?? env.ProgramFiles ?? 'C:\\Program Files';
    return [
      'nvml.dll',
      join(env.SystemRoot ?? 'C:\\Windows', 'System32', 'nvml.dll'),
      join(programFiles, 'NVIDIA Corporation', 'NVSMI', 'nvml.dll'),
    ];
  }
  if (platform === 'linux') return ['libnvidia-ml.so.1', 'libnvidia-ml.so'];
  return [];
}

type Koffi = typeof KoffiModule;
/** A type as koffi's `func` takes it (a name, a type object or an out/inout marker). */
type TypeSpec = Parameters<Koffi['out']>[0];
/** A bound C function, typed without `any`. */
type NativeFn = (...args: unknown[]) => unknown;
/** nvmlProcessInfo_t as `_v2` and `_v3` take it: pid, usedGpuMemory, gpuInstanceId, computeInstanceId (24 bytes). */
const PROCESS_INFO_BYTES = 24;
const NAME_BUFFER_BYTES = 96;
const MAX_PROCESSES = 256;

function toNumber(value: unknown): number {
  return Number(value);
}

function decodeCString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.toString('utf8', 0, end === -1 ? buffer.length : end);
}

/** Binds one function, or null when this driver's NVML lacks the symbol. */
function bind(
  lib: LibraryHandle,
  name: string,
  result: TypeSpec,
  args: TypeSpec[],
): NativeFn | null {
  try {
    return lib.func(name, result, args) as NativeFn;
  } catch {
    return null;
  }
}

/**
 * Loads and initialises NVML from the first candidate that opens. Rejects with an Error that names
 * every path tried and why it failed (no library, or nvmlInit_v2's error string). koffi itself is
 * loaded here, not at import, so a platform without its binary still gets the other probes.
 */
export async function loadNvml(
  candidates: readonly string[] = nvmlLibraryCandidates(),
): Promise<NvmlApi> {
  if (candidates.length === 0) throw new Error(`NVML is not available on ${process.platform}`);
  let koffi: Koffi;
  try {
    const loaded = (await import('koffi')) as Koffi & { default?: Koffi };
    koffi = loaded.default ?? loaded;
  } catch (error: unknown) {
    throw new Error(
      `koffi (the FFI used for NVML) could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const failures: string[] = [];
  for (const path of candidates) {
    let lib: LibraryHandle;
    try {
      lib = koffi.load(path);
    } catch (error: unknown) {
      failures.push(`${path}: ${libraryLoadFailure(error)}`);
      continue;
    }
    try {
      return bindNvml(koffi, lib, path);
    } catch (error: unknown) {
      failures.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      lib.unload();
    }
  }
  throw new Error(`NVML could not be loaded (${failures.join('; ')})`);
}

/** Why a library did not open: "not found" for the common case (no NVIDIA driver), else the loader's own words. */
function libraryLoadFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return /No such file or directory|The specified module could not be found/i.test(text)
    ? 'not found'
    : text;
}

function bindNvml(koffi: Koffi, lib: LibraryHandle, libraryPath: string): NvmlApi {
  /** nvmlMemory_t. */
  const MEMORY = koffi.struct({ total: 'uint64_t', free: 'uint64_t', used: 'uint64_t' });
  /** nvmlUtilization_t. */
  const UTILIZATION = koffi.struct({ gpu: 'uint32_t', memory: 'uint32_t' });
  const u32Out = koffi.out(koffi.pointer('uint32_t'));
  const fn = {
    init: bind(lib, 'nvmlInit_v2', 'int', []),
    shutdown: bind(lib, 'nvmlShutdown', 'int', []),
    errorString: bind(lib, 'nvmlErrorString', 'const char *', ['int']),
    count: bind(lib, 'nvmlDeviceGetCount_v2', 'int', [u32Out]),
    handle: bind(lib, 'nvmlDeviceGetHandleByIndex_v2', 'int', [
      'uint32_t',
      koffi.out(koffi.pointer('void *')),
    ]),
    name: bind(lib, 'nvmlDeviceGetName', 'int', ['void *', 'void *', 'uint32_t']),
    uuid: bind(lib, 'nvmlDeviceGetUUID', 'int', ['void *', 'void *', 'uint32_t']),
    memory: bind(lib, 'nvmlDeviceGetMemoryInfo', 'int', [
      'void *',
      koffi.out(koffi.pointer(MEMORY)),
    ]),
    power: bind(lib, 'nvmlDeviceGetPowerUsage', 'int', ['void *', u32Out]),
    energy: bind(lib, 'nvmlDeviceGetTotalEnergyConsumption', 'int', [
      'void *',
      koffi.out(koffi.pointer('uint64_t')),
    ]),
    limit: bind(lib, 'nvmlDeviceGetEnforcedPowerLimit', 'int', ['void *', u32Out]),
    pstate: bind(lib, 'nvmlDeviceGetPerformanceState', 'int', [
      'void *',
      koffi.out(koffi.pointer('int')),
    ]),
    utilization: bind(lib, 'nvmlDeviceGetUtilizationRates', 'int', [
      'void *',
      koffi.out(koffi.pointer(UTILIZATION)),
    ]),
    temperature: bind(lib, 'nvmlDeviceGetTemperature', 'int', ['void *', 'int', u32Out]),
    architecture: bind(lib, 'nvmlDeviceGetArchitecture', 'int', ['void *', u32Out]),
    processesV3: bind(lib, 'nvmlDeviceGetComputeRunningProcesses_v3', 'int', [
      'void *',
      koffi.inout(koffi.pointer('uint32_t')),
      'void *',
    ]),
    processesV2: bind(lib, 'nvmlDeviceGetComputeRunningProcesses_v2', 'int', [
      'void *',
      koffi.inout(koffi.pointer('uint32_t')),
      'void *',
    ]),
  };
  if (!fn.init || !fn.count || !fn.handle)
    throw new Error(
      'the library has no nvmlInit_v2 / nvmlDeviceGetCount_v2 / nvmlDeviceGetHandleByIndex_v2',
    );
  const errorString = (code: number): string => {
    const text = fn.errorString ? (fn.errorString(code) as string | null) : null;
    return `${text ?? 'NVML error'} (${code})`;
  };
  const initCode = toNumber(fn.init());
  if (initCode !== NVML_SUCCESS) throw new Error(`nvmlInit_v2 failed: ${errorString(initCode)}`);

  const handles = new Map<number, unknown>();
  const handleOf = (index: number): NvmlResult<unknown> => {
    const cached = handles.get(index);
    if (cached !== undefined) return { ok: true, value: cached };
    const out: unknown[] = [null];
    const code = toNumber(fn.handle!(index, out));
    if (code !== NVML_SUCCESS) return { ok: false, code };
    handles.set(index, out[0]);
    return { ok: true, value: out[0] };
  };
  /** Calls `f(handle, ...)`, giving FUNCTION_NOT_FOUND when the symbol is missing. */
  const call = <T>(
    f: NativeFn | null,
    index: number,
    read: (f: NativeFn, handle: unknown) => NvmlResult<T>,
  ): NvmlResult<T> => {
    if (!f) return { ok: false, code: NVML_ERROR_FUNCTION_NOT_FOUND };
    const handle = handleOf(index);
    return handle.ok ? read(f, handle.value) : handle;
  };
  const scalar = (f: NativeFn | null, index: number, ...before: unknown[]): NvmlResult<number> =>
    call(f, index, (g, h) => {
      const out: unknown[] = [0];
      const code = toNumber(g(h, ...before, out));
      return code === NVML_SUCCESS ? { ok: true, value: toNumber(out[0]) } : { ok: false, code };
    });
  const text = (f: NativeFn | null, index: number): NvmlResult<string> =>
    call(f, index, (g, h) => {
      const buffer = Buffer.alloc(NAME_BUFFER_BYTES);
      const code = toNumber(g(h, buffer, NAME_BUFFER_BYTES));
      return code === NVML_SUCCESS
        ? { ok: true, value: decodeCString(buffer) }
        : { ok: false, code };
    });
  const processesWith = (f: NativeFn | null, index: number): NvmlResult<readonly NvmlProcess[]> =>
    call(f, index, (g, h) => {
      const buffer = Buffer.alloc(PROCESS_INFO_BYTES * MAX_PROCESSES);
      const count = [MAX_PROCESSES];
      const code = toNumber(g(h, count, buffer));
      if (code !== NVML_SUCCESS) return { ok: false, code };
      const list: NvmlProcess[] = [];
      for (let i = 0; i < Math.min(toNumber(count[0]), MAX_PROCESSES); i++) {
        const used = buffer.readBigUInt64LE(i * PROCESS_INFO_BYTES + 8);
        list.push({
          pid: buffer.readUInt32LE(i * PROCESS_INFO_BYTES),
          usedBytes: used === NVML_VALUE_NOT_AVAILABLE ? null : Number(used),
        });
      }
      return { ok: true, value: list };
    });

  return {
    libraryPath,
    deviceCount: () => {
      const out: unknown[] = [0];
      const code = toNumber(fn.count!(out));
      return code === NVML_SUCCESS ? { ok: true, value: toNumber(out[0]) } : { ok: false, code };
    },
    name: (i) => text(fn.name, i),
    uuid: (i) => text(fn.uuid, i),
    memory: (i) =>
      call(fn.memory, i, (g, h) => {
        const out: { total?: unknown; used?: unknown } = {};
        const code = toNumber(g(h, out));
        return code === NVML_SUCCESS
          ? { ok: true, value: { usedBytes: toNumber(out.used), totalBytes: toNumber(out.total) } }
          : { ok: false, code };
      }),
    powerMilliwatts: (i) => scalar(fn.power, i),
    energyMillijoules: (i) => scalar(fn.energy, i),
    enforcedPowerLimitMilliwatts: (i) => scalar(fn.limit, i),
    performanceState: (i) => scalar(fn.pstate, i),
    utilization: (i) =>
      call(fn.utilization, i, (g, h) => {
        const out: { gpu?: unknown; memory?: unknown } = {};
        const code = toNumber(g(h, out));
        return code === NVML_SUCCESS
          ? {
              ok: true,
              value: { gpuPercent: toNumber(out.gpu), memoryPercent: toNumber(out.memory) },
            }
          : { ok: false, code };
      }),
    // 0 is NVML_TEMPERATURE_GPU.
    temperatureC: (i) => scalar(fn.temperature, i, 0),
    architecture: (i) => scalar(fn.architecture, i),
    computeProcesses: (i) => {
      const v3 = processesWith(fn.processesV3, i);
      return !v3.ok && v3.code === NVML_ERROR_FUNCTION_NOT_FOUND
        ? processesWith(fn.processesV2, i)
        : v3;
    },
    errorString,
    shutdown: () => {
      if (fn.shutdown) fn.shutdown();
      lib.unload();
    },
  };
}
