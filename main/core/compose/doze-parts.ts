// The sleep ladder's parts for the composition root (issue 15): the HTTP dozer with its host-RAM check, and the doze
// meter that measures each doze with the GPU probe for the scheduler and the API.
import type { Clock } from '../clock/clock';
import type { ModelSpec } from '../config/model-spec';
import { DozeMeter } from '../doze/doze-meter';
import { availableHostRamBytes, hostRamRefusal } from '../doze/host-ram';
import { httpDozer } from '../doze/http-dozer';
import type { GpuProbe, GpuSample } from '../gpu/gpu-sample';
import type { Dozer } from '../lifecycle/lifecycle-api';

/** The dozer: the servers' own sleep APIs, refused when host RAM cannot take the weights (`needOf`: VRAM need). */
export function hostDozer(needOf: (spec: ModelSpec) => number | null): Dozer {
  return httpDozer({
    extraRefusal: (spec) =>
      spec.doze ? hostRamRefusal(spec.doze.kind, needOf(spec), availableHostRamBytes()) : null,
  });
}

/** The doze meter over the latest GPU samples and the probe's fresh reading; wrap the dozer with it, then attach it. */
export function gpuDozeMeter(parts: {
  readonly clock: Clock;
  readonly latest: { readonly samples: readonly GpuSample[] };
  readonly probe: GpuProbe;
  readonly needOf: (spec: ModelSpec) => number | null;
  readonly report: (line: string) => void;
}): DozeMeter {
  const { probe, latest } = parts;
  return new DozeMeter({
    clock: parts.clock,
    reading: (gpu) => {
      const s = latest.samples.find((x) => x.index === gpu);
      return s ? { usedBytes: s.vramUsedBytes, powerWatts: s.powerWatts } : null;
    },
    readNow: probe.readNow ? () => probe.readNow?.() ?? Promise.resolve() : undefined,
    heldBytes: parts.needOf,
    report: parts.report,
  });
}
