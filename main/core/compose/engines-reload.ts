// Applies a changed `engines:` of siesta.yaml while Siesta runs: an added engine is connected (and its GPU exporter
// read), a removed one is dropped with its models, a changed one is connected anew; said in one log line.
import type { Clock } from '../clock/clock';
import type { EngineConfig } from '../config/engines-yaml';
import type { ParsedSiestaYaml } from '../config/siesta-yaml';
import type { DcgmExporterProbe } from '../gpu/dcgm-exporter-probe';
import { HostsProbe } from '../gpu/hosts-probe';
import type { GpuProbe, GpuSample } from '../gpu/gpu-sample';
import {
  engineChangeLine,
  reconfigureEngineSet,
  remoteGpuProbes,
  sameEngine,
  type EngineSetParts,
} from '../providers/build-engine-set';
import { GPU_INDEX_STRIDE, type EngineSetRuntime } from '../providers/engine-set';
import { messageOf } from './teardown';

/** What applying engine changes needs. */
export interface EnginesReloadParts {
  /** The engine set Siesta started with, or null when it drives one engine (no `engines:` at start). */
  readonly engineSet: EngineSetRuntime | null;
  /** The engines in force at start. */
  readonly engines: readonly EngineConfig[];
  readonly setParts: EngineSetParts;
  /** The GPU probe over the remote hosts' exporters (present whenever there is an engine set). */
  readonly hostsProbe: HostsProbe | null;
  /** The remote probes in force at start. */
  readonly remoteProbes: readonly DcgmExporterProbe[];
  readonly clock: Clock;
  /** The latest samples the dashboard shows: a dropped engine's GPUs leave them. */
  readonly latest: { samples: readonly GpuSample[] };
  /** The engines' states changed: tell the clients. */
  readonly republish: () => void;
  readonly log: (line: string) => void;
  /** A change that cannot be applied now (logged and kept as a problem). */
  readonly report: (line: string) => void;
}

/** A remote probe with what it reads: the same engine, endpoint and GPU numbering keep the running probe. */
interface KeyedProbe {
  readonly key: string;
  readonly indexBase: number;
  readonly probe: DcgmExporterProbe;
}

/** The exporter probes `engines` want, keyed (remoteGpuProbes builds one per engine with `gpuMetrics:`, in order). */
function keyedProbes(
  engines: readonly EngineConfig[],
  set: EngineSetRuntime,
  clock: Clock,
): KeyedProbe[] {
  const withMetrics = engines.filter((e) => e.gpuMetricsUrl !== null);
  return remoteGpuProbes(engines, set, clock).map((probe, i) => {
    const engine = withMetrics[i];
    const indexBase = set.gpuIndexBaseOf(engine?.name ?? '');
    return {
      key: `${engine?.name ?? ''} ${engine?.gpuMetricsUrl ?? ''} ${indexBase}`,
      indexBase,
      probe,
    };
  });
}

/**
 * Remote hosts' GPUs from their exporters (`gpuMetrics:`) beside this machine's probe; a remote host without one has
 * estimated figures. With several engines there is always a HostsProbe, so exporters of engines added later join it.
 */
export function remoteHostsProbe(
  local: GpuProbe,
  engineSet: EngineSetRuntime | null,
  config: { get(): ParsedSiestaYaml | null },
  clock: Clock,
): { hostsProbe: HostsProbe | null; remoteProbes: DcgmExporterProbe[] } {
  if (engineSet === null) return { hostsProbe: null, remoteProbes: [] };
  const remoteProbes = remoteGpuProbes(config.get()?.engines ?? [], engineSet, clock);
  return { hostsProbe: new HostsProbe(local, remoteProbes), remoteProbes };
}

/**
 * Returns the function a reload calls with the new siesta.yaml before it applies the models: it applies the engine
 * changes and logs what it did. A change it cannot apply is reported, and the engines in force stay.
 */
export function enginesReloader(
  parts: EnginesReloadParts,
): (next: ParsedSiestaYaml) => Promise<void> {
  let inForce = parts.engines;
  // The exporter probes in force, keyed while their engines are still in the set (the keys hold their GPU numbering).
  let probes: KeyedProbe[] | null = null;
  return async (next) => {
    const engines = next.engines ?? [];
    const same =
      engines.length === inForce.length &&
      engines.every((e, i) => {
        const was = inForce[i];
        return was !== undefined && sameEngine(e, was);
      });
    if (same) return;
    const set = parts.engineSet;
    if (set === null || engines.length === 0) {
      parts.report(
        `engines: ${set === null ? 'Siesta started with one engine, so a new engines: list' : 'removing every engine'} takes effect at the next start`,
      );
      return;
    }
    const before =
      probes ??
      keyedProbes(parts.engines, set, parts.clock).map((k, i) => ({
        ...k,
        probe: parts.remoteProbes[i] ?? k.probe,
      }));
    let change;
    try {
      change = reconfigureEngineSet(set, inForce, engines, parts.setParts);
    } catch (error: unknown) {
      parts.report(`engines: ${messageOf(error)}; the engines in force stay`);
      return;
    }
    inForce = engines;
    const wanted = keyedProbes(engines, set, parts.clock);
    const kept = wanted.map((w) => before.find((b) => b.key === w.key) ?? w);
    const dropped = before.filter((b) => !kept.includes(b));
    probes = kept;
    await parts.hostsProbe?.setRemotes(kept.map((k) => k.probe));
    for (const { indexBase } of dropped) {
      parts.latest.samples = parts.latest.samples.filter(
        (s) => s.index < indexBase || s.index >= indexBase + GPU_INDEX_STRIDE,
      );
    }
    parts.republish();
    const line = engineChangeLine(change);
    if (line !== null) parts.log(line);
  };
}
