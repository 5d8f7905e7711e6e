// The sleep ladder's parts for the composition root (issue 15): the HTTP dozer with its host-RAM check, the doze meter
// that measures each doze with the GPU probe for the scheduler, and what the API and the waiting page show of it.
import type { Clock } from '../clock/clock';
import type { ModelSpec } from '../config/model-spec';
import { DozeMeter, type DozeMeterOptions } from '../doze/doze-meter';
import { availableHostRamBytes, hostRamRefusal } from '../doze/host-ram';
import { httpDozer } from '../doze/http-dozer';
import {
  CUDA_CHECKPOINT_COMMAND,
  cudaCheckpointDozer,
  findOnPath,
} from '../doze/cuda-checkpoint-dozer';
import type { GpuProbe, GpuSample } from '../gpu/gpu-sample';
import { ollamaDozeClient } from '../ollama/ollama-doze-client';
import type { DozeMeasureView } from '../api/model-view';
import type { Dozer, LifecycleApi } from '../lifecycle/lifecycle-api';

/**
 * The dozer: the servers' own sleep APIs, or `cuda-checkpoint` on the container's main process where the host has the
 * binary; refused when host RAM cannot take the weights (`needOf`: VRAM need). `mainPid`: null where the engine is not
 * on this host (a cuda-checkpoint doze then fails and the model stops).
 */
export function hostDozer(
  needOf: (spec: ModelSpec) => number | null,
  mainPid: ((container: string) => Promise<number | null>) | null,
  cudaCheckpointBinary = findOnPath(CUDA_CHECKPOINT_COMMAND, process.env.PATH),
): Dozer {
  const ramRefusal = (spec: ModelSpec): string | null =>
    spec.doze ? hostRamRefusal(spec.doze.kind, needOf(spec), availableHostRamBytes()) : null;
  const http = httpDozer({ extraRefusal: ramRefusal, clients: { ollama: ollamaDozeClient } });
  const cuda = cudaCheckpointDozer({
    binary: cudaCheckpointBinary,
    mainPid: mainPid ?? (() => Promise.reject(new Error('the engine does not run on this host'))),
  });
  const pick = (spec: ModelSpec): Dozer => (spec.doze?.kind === 'cuda-checkpoint' ? cuda : http);
  return {
    refusal: (spec) =>
      spec.doze?.kind === 'cuda-checkpoint'
        ? (cuda.refusal(spec) ?? ramRefusal(spec))
        : http.refusal(spec),
    doze: (spec, upstream) => pick(spec).doze(spec, upstream),
    wake: (spec, upstream) => pick(spec).wake(spec, upstream),
    isDozed: (spec, upstream) => pick(spec).isDozed?.(spec, upstream) ?? Promise.resolve(null),
  };
}

/** The doze meter over the latest GPU samples and the probe's fresh reading; wrap the dozer with it, then attach it. */
export function gpuDozeMeter(parts: {
  readonly clock: Clock;
  readonly latest: { readonly samples: readonly GpuSample[] };
  readonly probe: GpuProbe;
  readonly needOf: (spec: ModelSpec) => number | null;
  readonly report: (line: string) => void;
  readonly store?: DozeMeterOptions['store'];
}): DozeMeter {
  const { probe, latest } = parts;
  return new DozeMeter({
    clock: parts.clock,
    reading: (gpu) => {
      const s = latest.samples.find((x) => x.index === gpu);
      return s ? { usedBytes: s.vramUsedBytes, powerWatts: s.powerWatts } : null;
    },
    readNow: probe.readNow ? () => probe.readNow?.() ?? Promise.resolve() : undefined,
    // An Ollama doze is checked empty (`/api/ps`): what it freed is all it held, however much it held at other times.
    heldBytes: (spec) => (spec.doze?.kind === 'ollama' ? null : parts.needOf(spec)),
    report: parts.report,
    store: parts.store,
  });
}

/** Each model's doze as the API shows it: what its last doze kept (the meter) and its usual doze wake (the ledger). */
export function dozeViews(
  meter: DozeMeter,
  dozeWakeMs: (model: string) => number | null,
): { measureOf(model: string): DozeMeasureView | null } {
  return {
    measureOf: (model) => {
      const measure = meter.measureOf(model);
      const wakeEstimateMs = dozeWakeMs(model);
      if (!measure)
        return wakeEstimateMs === null
          ? null
          : { measured: false, keptBytes: 0, warning: null, wakeEstimateMs };
      const { measured, keptBytes, warning } = measure;
      return { measured, keptBytes, warning, wakeEstimateMs };
    },
  };
}

/** The usual wake time by level, for the waiting page: a doze wake's for a dozed model or one waking from it. */
export function wakeEstimateByLevel(
  lifecycle: Pick<LifecycleApi, 'get'>,
  startMs: (model: string) => number | null,
  dozeWakeMs: (model: string) => number | null,
): (model: string) => number | null {
  return (model) => {
    const status = lifecycle.get(model);
    const fromDoze =
      status?.state === 'dozed' || status?.state === 'dozing' || status?.wakeFrom === 'dozed';
    return fromDoze ? dozeWakeMs(model) : startMs(model);
  };
}
