// What the NVML probe needs from NVML, as plain values: the koffi binding implements it, tests fake it.

/** nvml.h `NVML_SUCCESS`. */
export const NVML_SUCCESS = 0;
/** nvml.h `NVML_ERROR_NOT_SUPPORTED`: this GPU does not have the field (it reads as null). */
export const NVML_ERROR_NOT_SUPPORTED = 3;
/** nvml.h `NVML_ERROR_FUNCTION_NOT_FOUND`: this driver's NVML lacks the call (also used when the symbol is missing). */
export const NVML_ERROR_FUNCTION_NOT_FOUND = 13;
/** nvml.h `NVML_ERROR_GPU_IS_LOST`: the GPU fell off the bus. */
export const NVML_ERROR_GPU_IS_LOST = 15;
/** nvml.h `NVML_VALUE_NOT_AVAILABLE`: a process's memory under Windows WDDM. */
export const NVML_VALUE_NOT_AVAILABLE = 0xffffffffffffffffn;

/** A value, or the NVML return code that says why there is none. */
export type NvmlResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: number };

/** One compute process on a device; `usedBytes` null where NVML cannot say (WDDM). */
export interface NvmlProcess {
  readonly pid: number;
  readonly usedBytes: number | null;
}

/** NVML, initialised, with devices addressed by index. */
export interface NvmlApi {
  /** The library file that was loaded. */
  readonly libraryPath: string;
  deviceCount(): NvmlResult<number>;
  name(index: number): NvmlResult<string>;
  uuid(index: number): NvmlResult<string>;
  memory(index: number): NvmlResult<{ readonly usedBytes: number; readonly totalBytes: number }>;
  /** `nvmlDeviceGetPowerUsage`, mW. */
  powerMilliwatts(index: number): NvmlResult<number>;
  /** `nvmlDeviceGetTotalEnergyConsumption`, mJ since the driver loaded (Volta and later). */
  energyMillijoules(index: number): NvmlResult<number>;
  enforcedPowerLimitMilliwatts(index: number): NvmlResult<number>;
  /** 0 to 15 (P0..P15); 32 is unknown. */
  performanceState(index: number): NvmlResult<number>;
  utilization(
    index: number,
  ): NvmlResult<{ readonly gpuPercent: number; readonly memoryPercent: number }>;
  /** GPU core temperature, °C. */
  temperatureC(index: number): NvmlResult<number>;
  /** `nvmlDeviceArchitecture_t`. */
  architecture(index: number): NvmlResult<number>;
  /** `nvmlDeviceGetComputeRunningProcesses_v3`, else `_v2`. */
  computeProcesses(index: number): NvmlResult<readonly NvmlProcess[]>;
  errorString(code: number): string;
  shutdown(): void;
}

/** A value or null; `onError` hears every code but NOT_SUPPORTED (a field this GPU lacks, not a fault). */
export function valueOrNull<T>(result: NvmlResult<T>, onError: (code: number) => void): T | null {
  if (result.ok) return result.value;
  if (result.code !== NVML_ERROR_NOT_SUPPORTED) onError(result.code);
  return null;
}
