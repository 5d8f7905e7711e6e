// Builds the providers of siesta.yaml's `engines:` (a Docker engine's containers, a Swarm manager's services) into
// one EngineSetRuntime; each provider manages what is labelled, plus what siesta.yaml names as ENGINE/NAME on it.
import type { Clock } from '../clock/clock';
import type { EngineConfig } from '../config/engines-yaml';
import { DockerRuntime } from '../docker/docker-runtime';
import { DcgmExporterProbe } from '../gpu/dcgm-exporter-probe';
import { SwarmRuntime } from '../swarm/swarm-runtime';
import { engineClient } from './engine-client';
import { EngineSetRuntime, type EngineStatus } from './engine-set';

/** What the engine set needs besides the engines. */
export interface EngineSetParts {
  readonly clock: Clock;
  /** Containers (or services) named in siesta.yaml: NAME on the first engine, ENGINE/NAME on another. */
  readonly managedNames: () => readonly string[];
  readonly scope?: readonly string[];
  readonly onStatus?: (status: EngineStatus) => void;
}

/** The names of siesta.yaml that belong to engine `engine` (the first engine takes the unprefixed ones), unprefixed. */
export function namesOnEngine(names: readonly string[], engine: string, first: boolean): string[] {
  return names.flatMap((name) => {
    const slash = name.indexOf('/');
    if (slash < 0) return first ? [name] : [];
    return name.slice(0, slash) === engine ? [name.slice(slash + 1)] : [];
  });
}

/** The engine set; throws an error naming the engine when one cannot be built (a TLS file missing, a bad host). */
export function buildEngineSet(
  engines: readonly EngineConfig[],
  parts: EngineSetParts,
): EngineSetRuntime {
  const members = engines.map((config, i) => {
    const client = engineClient(config);
    const managedNames = (): readonly string[] =>
      namesOnEngine(parts.managedNames(), config.name, i === 0);
    const runtime =
      config.kind === 'swarm'
        ? new SwarmRuntime({ docker: client.docker, managedNames, clock: parts.clock })
        : new DockerRuntime({
            docker: client.docker,
            managedNames,
            scope: parts.scope,
            clock: parts.clock,
          });
    return {
      name: config.name,
      address: client.address,
      kind: config.kind,
      runtime,
      upstreamHost: client.upstreamHost,
      remote: client.remote,
    };
  });
  return new EngineSetRuntime({ members, clock: parts.clock, onStatus: parts.onStatus });
}

/** The log line for an engine that stopped or started answering. */
export function engineStatusLine(status: EngineStatus): string {
  return status.reachable
    ? `engine "${status.name}" (${status.address}) answers again`
    : `engine "${status.name}" (${status.address}) does not answer: ${status.detail ?? 'no reason given'}`;
}

/** A GPU probe per engine with `gpuMetrics:`, its GPUs numbered as the engine set numbers that engine's GPUs. */
export function remoteGpuProbes(
  engines: readonly EngineConfig[],
  set: EngineSetRuntime,
  clock: Clock,
): DcgmExporterProbe[] {
  return engines.flatMap((engine) =>
    engine.gpuMetricsUrl === null
      ? []
      : [
          new DcgmExporterProbe({
            clock,
            engine: engine.name,
            url: engine.gpuMetricsUrl,
            indexBase: set.gpuIndexBaseOf(engine.name),
          }),
        ],
  );
}
