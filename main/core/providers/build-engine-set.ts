// Builds the providers of siesta.yaml's `engines:` (a Docker engine's containers, a Swarm manager's services) into
// one EngineSetRuntime; each provider manages what is labelled, plus what siesta.yaml names as ENGINE/NAME on it.
import type { Clock } from '../clock/clock';
import type { EngineConfig } from '../config/engines-yaml';
import { DockerRuntime } from '../docker/docker-runtime';
import { DcgmExporterProbe } from '../gpu/dcgm-exporter-probe';
import { SwarmRuntime } from '../swarm/swarm-runtime';
import { engineClient } from './engine-client';
import {
  EngineSetRuntime,
  type EngineMember,
  type EngineSetChange,
  type EngineStatus,
} from './engine-set';

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

/** One engine's member of the set; throws an error naming the engine when it cannot be built. */
function memberOf(config: EngineConfig, first: boolean, parts: EngineSetParts): EngineMember {
  const client = engineClient(config);
  const managedNames = (): readonly string[] =>
    namesOnEngine(parts.managedNames(), config.name, first);
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
}

/** The engine set; throws an error naming the engine when one cannot be built (a TLS file missing, a bad host). */
export function buildEngineSet(
  engines: readonly EngineConfig[],
  parts: EngineSetParts,
): EngineSetRuntime {
  const members = engines.map((config, i) => memberOf(config, i === 0, parts));
  return new EngineSetRuntime({ members, clock: parts.clock, onStatus: parts.onStatus });
}

/** Whether two entries of `engines:` say the same (their line in the file aside). */
export function sameEngine(a: EngineConfig, b: EngineConfig): boolean {
  return JSON.stringify({ ...a, line: 0 }) === JSON.stringify({ ...b, line: 0 });
}

/**
 * Applies a changed `engines:` to a running set: an engine whose entry is unchanged keeps its connection, a new or
 * changed one is connected, one no longer listed is dropped. Throws an error naming the engine when one cannot be
 * built, or when the first engine changed (that needs a restart); the set is then left as it was.
 */
export function reconfigureEngineSet(
  set: EngineSetRuntime,
  before: readonly EngineConfig[],
  after: readonly EngineConfig[],
  parts: EngineSetParts,
): EngineSetChange {
  const members = after.map((config, i) => {
    const old = before.find((b) => b.name === config.name);
    const member =
      old !== undefined && sameEngine(old, config) ? set.member(config.name) : undefined;
    return member ?? memberOf(config, i === 0, parts);
  });
  return set.setMembers(members);
}

/** What a change of `engines:` did, in one log line; null when nothing changed. */
export function engineChangeLine(change: EngineSetChange): string | null {
  const parts = [
    ...change.added.map((e) => `added "${e.name}" (${e.address})`),
    ...change.removed.map(
      ({ engine, workloads }) =>
        `removed "${engine.name}" (${engine.address}): ${
          workloads.length === 0
            ? 'it had no models'
            : `its containers (${workloads.join(', ')}) are no longer managed and are left as they are`
        }`,
    ),
  ];
  return parts.length === 0 ? null : `engines: ${parts.join('; ')}`;
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
