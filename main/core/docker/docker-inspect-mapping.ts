// Turns the engine's `docker inspect` answer into the ContainerInfo the lifecycle reads.
import type Dockerode from 'dockerode';
import type { ContainerHealth, ContainerInfo, PublishedPort } from './container-runtime';

/** Docker writes this for a container that never ran. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** ContainerInfo from a `docker inspect` of one container. */
export function containerInfoFromInspect(inspect: Dockerode.ContainerInspectInfo): ContainerInfo {
  const state = inspect.State;
  const startedAt = parseDockerTime(state.StartedAt);
  const running = state.Running;
  return {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    labels: { ...(inspect.Config.Labels ?? {}) },
    running,
    health: healthOf(state.Health?.Status),
    hasHealthcheck: hasHealthcheck(inspect.Config.Healthcheck?.Test),
    exitCode: running || startedAt === null ? null : state.ExitCode,
    oomKilled: state.OOMKilled,
    publishedPorts: running
      ? publishedFromNetwork(inspect.NetworkSettings.Ports)
      : publishedFromBindings(inspect.HostConfig.PortBindings),
    hostNetwork: inspect.HostConfig.NetworkMode === 'host',
    gpuIndexes: gpuIndexesOf(inspect),
    startedAt,
  };
}

/** Epoch ms of a Docker timestamp, or null for the zero time or an unreadable one. */
export function parseDockerTime(text: string | undefined): number | null {
  if (!text || text.startsWith(ZERO_TIME.slice(0, 10))) return null;
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : null;
}

function healthOf(status: string | undefined): ContainerHealth {
  switch (status) {
    case 'starting':
    case 'healthy':
    case 'unhealthy':
      return status;
    default:
      return 'none';
  }
}

function hasHealthcheck(test: readonly string[] | undefined): boolean {
  return test !== undefined && test.length > 0 && test[0] !== 'NONE';
}

type PortMap =
  | Readonly<
      Record<string, ReadonlyArray<{ HostIp?: string; HostPort?: string }> | null | undefined>
    >
  | null
  | undefined;

/** While running, NetworkSettings.Ports holds the host ports really bound (random ones resolved). */
function publishedFromNetwork(ports: PortMap): PublishedPort[] {
  return portsFrom(ports).filter((p) => p.hostPort > 0);
}

/** When stopped the engine clears NetworkSettings.Ports; the requested bindings remain (port 0 = random at start). */
function publishedFromBindings(bindings: unknown): PublishedPort[] {
  return portsFrom(bindings as PortMap);
}

function portsFrom(ports: PortMap): PublishedPort[] {
  const result: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const [portText, protocolText] = key.split('/');
    const containerPort = Number(portText);
    const protocol = protocolText === 'udp' || protocolText === 'sctp' ? protocolText : 'tcp';
    if (!Number.isInteger(containerPort)) continue;
    for (const binding of bindings ?? []) {
      const hostPort = binding.HostPort ? Number(binding.HostPort) : 0;
      result.push({
        containerPort,
        protocol,
        hostIp: binding.HostIp ?? '',
        hostPort: Number.isInteger(hostPort) ? hostPort : 0,
      });
    }
  }
  return result;
}

/** GPU indexes from `--gpus device=0,1` (DeviceRequests) or NVIDIA_VISIBLE_DEVICES; `all`, counts and UUIDs are unknown. */
function gpuIndexesOf(inspect: Dockerode.ContainerInspectInfo): number[] {
  const fromRequests = (inspect.HostConfig.DeviceRequests ?? []).flatMap(
    (request) => request.DeviceIDs ?? [],
  );
  const envEntry = (inspect.Config.Env ?? []).find((entry) =>
    entry.startsWith('NVIDIA_VISIBLE_DEVICES='),
  );
  const fromEnv = envEntry ? envEntry.slice('NVIDIA_VISIBLE_DEVICES='.length).split(',') : [];
  const ids = fromRequests.length > 0 ? fromRequests : fromEnv;
  const indexes = ids
    .map((id) => id.trim())
    .filter((id) => /^\d+$/.test(id))
    .map(Number);
  return [...new Set(indexes)].sort((a, b) => a - b);
}
