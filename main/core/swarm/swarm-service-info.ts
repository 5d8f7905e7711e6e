// A Swarm service and its tasks as the lifecycle sees a workload: "running" while it is scaled to at least one
// replica, healthy once a task runs (Swarm holds a task in `starting` until its healthcheck passes), its published
// ports, and its GPUs from the generic resources it reserves or was assigned.
import type { ContainerHealth, ContainerInfo, PublishedPort } from '../docker/container-runtime';

/** The fields of a service (GET /services/{id}) Siesta reads. */
export interface SwarmService {
  readonly ID: string;
  readonly Version?: { readonly Index?: number };
  readonly Spec?: {
    readonly Name?: string;
    readonly Labels?: Record<string, string>;
    readonly Mode?: {
      readonly Replicated?: { readonly Replicas?: number };
      readonly Global?: object;
    };
    readonly TaskTemplate?: {
      readonly ContainerSpec?: { readonly Healthcheck?: { readonly Test?: readonly string[] } };
      readonly Resources?: {
        readonly Reservations?: { readonly GenericResources?: readonly GenericResource[] };
      };
    };
    readonly EndpointSpec?: { readonly Ports?: readonly SwarmPort[] };
  };
  readonly Endpoint?: { readonly Ports?: readonly SwarmPort[] };
}

/** A published port of a service. */
export interface SwarmPort {
  readonly Protocol?: string;
  readonly TargetPort?: number;
  readonly PublishedPort?: number;
  readonly PublishMode?: string;
}

/** A generic resource (`--generic-resource NVIDIA-GPU=1`, or a named GPU such as `NVIDIA-GPU=0`). */
export interface GenericResource {
  readonly DiscreteResourceSpec?: { readonly Kind?: string; readonly Value?: number };
  readonly NamedResourceSpec?: { readonly Kind?: string; readonly Value?: string };
}

/** The fields of a task (GET /tasks) Siesta reads. */
export interface SwarmTask {
  readonly ID: string;
  readonly ServiceID?: string;
  readonly DesiredState?: string;
  readonly CreatedAt?: string;
  readonly Status?: {
    readonly State?: string;
    readonly Timestamp?: string;
    readonly Err?: string;
    readonly ContainerStatus?: {
      readonly ContainerID?: string;
      readonly PID?: number;
      readonly ExitCode?: number;
    };
  };
  readonly AssignedGenericResources?: readonly GenericResource[];
}

/** Task states after which the task will never run again. */
const ENDED = new Set(['complete', 'shutdown', 'failed', 'rejected', 'orphaned', 'remove']);

/** The replicas a replicated service asks for (a global service counts as 1). */
export function replicasOf(service: SwarmService): number {
  if (service.Spec?.Mode?.Global) return 1;
  return service.Spec?.Mode?.Replicated?.Replicas ?? 0;
}

/** The running task of a service, if it has one. */
export function runningTask(tasks: readonly SwarmTask[]): SwarmTask | undefined {
  return tasks.find((t) => t.Status?.State === 'running' && t.DesiredState === 'running');
}

/** Whether some task of the service has not ended yet (it runs, or is on its way up or down). */
export function hasLiveTask(tasks: readonly SwarmTask[]): boolean {
  return tasks.some((t) => !ENDED.has(t.Status?.State ?? ''));
}

/** GPU indexes of a named NVIDIA-GPU generic resource that is a number; UUIDs and counts give none (unknown). */
function gpuIndexesOf(resources: readonly GenericResource[]): number[] {
  return resources
    .map((r) => r.NamedResourceSpec)
    .filter((n) => n?.Kind?.toUpperCase().includes('GPU') && /^\d+$/.test(n.Value ?? ''))
    .map((n) => Number(n?.Value));
}

/** The GPUs a service reserves: named ones by index; `count` the discrete NVIDIA-GPU count (0 when none). */
export function gpuNeedsOf(service: SwarmService): {
  readonly indexes: readonly number[];
  readonly count: number;
} {
  const reserved = service.Spec?.TaskTemplate?.Resources?.Reservations?.GenericResources ?? [];
  const indexes = gpuIndexesOf(reserved);
  const discrete = reserved
    .map((r) => r.DiscreteResourceSpec)
    .filter((d) => d?.Kind?.toUpperCase().includes('GPU'))
    .reduce((sum, d) => sum + (d?.Value ?? 0), 0);
  return { indexes, count: Math.max(indexes.length, discrete) };
}

function hasOwnHealthcheck(service: SwarmService): boolean {
  const test = service.Spec?.TaskTemplate?.ContainerSpec?.Healthcheck?.Test ?? [];
  return test.length > 0 && test[0] !== 'NONE';
}

/** The workload view of a service and its tasks (newest first or in any order). */
export function serviceInfo(service: SwarmService, tasks: readonly SwarmTask[]): ContainerInfo {
  const replicas = replicasOf(service);
  const running = runningTask(tasks);
  const latest = [...tasks].sort((a, b) => (b.CreatedAt ?? '').localeCompare(a.CreatedAt ?? ''))[0];
  const health: ContainerHealth = running
    ? 'healthy'
    : replicas > 0 && latest && ['failed', 'rejected'].includes(latest.Status?.State ?? '')
      ? 'unhealthy'
      : 'starting';
  const ports: PublishedPort[] = (
    service.Endpoint?.Ports ??
    service.Spec?.EndpointSpec?.Ports ??
    []
  )
    .filter((p) => (p.PublishedPort ?? 0) > 0 && (p.TargetPort ?? 0) > 0)
    .map((p) => ({
      containerPort: p.TargetPort ?? 0,
      protocol: p.Protocol === 'udp' ? 'udp' : p.Protocol === 'sctp' ? 'sctp' : 'tcp',
      // Swarm publishes on every address of the node, in host mode and through the ingress mesh alike.
      hostIp: '0.0.0.0',
      hostPort: p.PublishedPort ?? 0,
    }));
  const assigned = running?.AssignedGenericResources ?? [];
  const startedAt = running?.Status?.Timestamp ? Date.parse(running.Status.Timestamp) : null;
  return {
    id: service.ID,
    name: service.Spec?.Name ?? service.ID,
    labels: service.Spec?.Labels ?? {},
    running: replicas > 0,
    health,
    // A Swarm task is `running` only once its container's healthcheck passes: with one, readiness is the task's;
    // without one, the lifecycle checks the published port as it does for a container.
    hasHealthcheck: hasOwnHealthcheck(service),
    exitCode: replicas === 0 ? (latest?.Status?.ContainerStatus?.ExitCode ?? null) : null,
    oomKilled: false,
    publishedPorts: ports,
    hostNetwork: false,
    gpuIndexes: assigned.length > 0 ? gpuIndexesOf(assigned) : gpuNeedsOf(service).indexes,
    startedAt: startedAt !== null && Number.isFinite(startedAt) ? startedAt : null,
  };
}
