// The provider for a Docker Swarm manager: services labelled siesta.enable=true (or named in siesta.yaml) are models;
// a wake scales the service to 1 and the lifecycle waits for a running, healthy task; a sleep scales it to 0.
import type Dockerode from 'dockerode';
import { systemClock, type Clock } from '../clock/clock';
import {
  ContainerRefusedError,
  ENABLE_LABEL,
  labelledForSiesta,
  type ContainerInfo,
  type ContainerRuntime,
  type RuntimeEvent,
} from '../docker/container-runtime';
import { followEngineEvents } from '../docker/docker-event-follower';
import { demultiplexDockerLog, lastLines } from '../docker/docker-log-frames';
import { parseSwarmEventLine } from './swarm-events';
import {
  hasLiveTask,
  replicasOf,
  runningTask,
  serviceInfo,
  type SwarmService,
  type SwarmTask,
} from './swarm-service-info';

/** What a `SwarmRuntime` is built from. */
export interface SwarmRuntimeOptions {
  /** A client of a Swarm manager. */
  readonly docker: Dockerode;
  /** Services named in siesta.yaml: managed without the label. */
  readonly managedNames: () => readonly string[];
  readonly clock?: Clock;
  /** How often a scale-down is checked until its tasks are gone. Default 200 ms. */
  readonly pollMs?: number;
}

/** How many times a scale is tried when Swarm says the service changed meanwhile. */
const SCALE_ATTEMPTS = 3;

/** An engine error with its HTTP status (dockerode sets `statusCode`). */
function statusOf(error: unknown): number | null {
  const code =
    typeof error === 'object' && error !== null
      ? (error as { statusCode?: unknown }).statusCode
      : null;
  return typeof code === 'number' ? code : null;
}

/** Services of a Swarm as the lifecycle uses workloads. Scales only managed services (DESIGN.md, "Security"). */
export class SwarmRuntime implements ContainerRuntime {
  private readonly docker: Dockerode;
  private readonly clock: Clock;
  private readonly pollMs: number;

  constructor(private readonly options: SwarmRuntimeOptions) {
    this.docker = options.docker;
    this.clock = options.clock ?? systemClock();
    this.pollMs = options.pollMs ?? 200;
  }

  async discover(): Promise<readonly ContainerInfo[]> {
    const labelled = (await this.swarmCall('list services', () =>
      this.docker.listServices({ filters: { label: [ENABLE_LABEL] } }),
    )) as unknown as SwarmService[];
    const refs = [
      ...labelled.filter((s) => labelledForSiesta(s.Spec?.Labels ?? {})).map((s) => s.ID),
      ...this.options.managedNames(),
    ];
    const infos = await Promise.all(refs.map((ref) => this.inspect(ref)));
    const byId = new Map<string, ContainerInfo>();
    for (const info of infos) if (info && this.isManaged(info)) byId.set(info.id, info);
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async inspect(nameOrId: string): Promise<ContainerInfo | null> {
    const service = await this.service(nameOrId);
    return service === null ? null : serviceInfo(service, await this.tasks(service.ID));
  }

  /** Scales a managed service to 1; the lifecycle then waits for its task to run and be healthy. */
  async start(nameOrId: string): Promise<void> {
    const service = await this.managedOrRefuse(nameOrId, 'start');
    if (replicasOf(service) >= 1) return;
    await this.scale(service, 1);
  }

  /** Scales a managed service to 0 and waits (up to `graceMs` and 10 s more) until its tasks have stopped. */
  async stop(nameOrId: string, graceMs: number): Promise<void> {
    const service = await this.managedOrRefuse(nameOrId, 'stop');
    if (replicasOf(service) > 0) await this.scale(service, 0);
    const deadline = this.clock.now() + graceMs + 10_000;
    while (hasLiveTask(await this.tasks(service.ID)) && this.clock.now() < deadline) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.pollMs));
    }
  }

  async logTail(nameOrId: string, count: number): Promise<readonly string[]> {
    if (count <= 0) return [];
    const service = await this.service(nameOrId);
    if (service === null) return [];
    const data = (await this.swarmCall(
      `read the log of service "${service.Spec?.Name ?? service.ID}"`,
      () =>
        this.docker
          .getService(service.ID)
          .logs({ stdout: true, stderr: true, follow: false, tail: count }),
    )) as unknown;
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(String(data));
    return lastLines(demultiplexDockerLog(bytes, false).toString('utf8'), count);
  }

  /** The host PID of the running task's main process, when the task runs on this node (a single-node Swarm). */
  async pids(nameOrId: string): Promise<readonly number[]> {
    const service = await this.service(nameOrId);
    const task = service === null ? undefined : runningTask(await this.tasks(service.ID));
    const pid = task?.Status?.ContainerStatus?.PID ?? 0;
    return pid > 0 ? [pid] : [];
  }

  watch(listener: (event: RuntimeEvent) => void): () => void {
    return followEngineEvents(
      this.docker,
      this.clock,
      listener,
      {},
      { types: ['container', 'service'], parse: parseSwarmEventLine },
    );
  }

  private async service(nameOrId: string): Promise<SwarmService | null> {
    const ref = nameOrId.replace(/^\//, '');
    try {
      return (await this.docker.getService(ref).inspect()) as SwarmService;
    } catch (error: unknown) {
      if (statusOf(error) === 404) return null;
      throw swarmError(`inspect service "${ref}"`, error);
    }
  }

  private async tasks(serviceId: string): Promise<SwarmTask[]> {
    return (await this.swarmCall('list tasks', () =>
      this.docker.listTasks({ filters: { service: [serviceId] } }),
    )) as SwarmTask[];
  }

  /**
   * Sets the service's replicas. Swarm refuses an update made from a version it has moved past ("update out of
   * sequence": someone else updated the service between our read and our write); it is read again and retried, as
   * `docker service scale` does.
   */
  private async scale(service: SwarmService, replicas: number): Promise<void> {
    const name = service.Spec?.Name ?? service.ID;
    let current = service;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.docker.getService(current.ID).update({
          ...current.Spec,
          Mode: { Replicated: { Replicas: replicas } },
          version: current.Version?.Index ?? 0,
        });
        return;
      } catch (error: unknown) {
        const stale = /update out of sequence/i.test(
          error instanceof Error ? error.message : String(error),
        );
        if (!stale || attempt >= SCALE_ATTEMPTS)
          throw swarmError(`scale service "${name}" to ${replicas}`, error);
        const fresh = await this.service(current.ID);
        if (fresh === null) throw new Error(`cannot scale service "${name}": it was removed`);
        current = fresh;
      }
    }
  }

  private async managedOrRefuse(
    nameOrId: string,
    operation: 'start' | 'stop',
  ): Promise<SwarmService> {
    const service = await this.service(nameOrId);
    if (service === null)
      throw new Error(`cannot ${operation} service "${nameOrId}": no such service`);
    if (service.Spec?.Mode?.Global)
      throw new Error(
        `cannot ${operation} service "${service.Spec.Name ?? service.ID}": a global service cannot be scaled; make it replicated`,
      );
    if (!this.isManaged(serviceInfo(service, [])))
      throw new ContainerRefusedError(service.Spec?.Name ?? service.ID, operation);
    return service;
  }

  private isManaged(info: ContainerInfo): boolean {
    if (labelledForSiesta(info.labels)) return true;
    return this.options
      .managedNames()
      .some((ref) => ref.replace(/^\//, '') === info.name || ref === info.id);
  }

  private async swarmCall<T>(doing: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error: unknown) {
      throw swarmError(doing, error);
    }
  }
}

/** A Swarm failure that says what Siesta was doing (and, for a 503, that the engine is no Swarm manager). */
function swarmError(doing: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  const hint =
    statusOf(error) === 503
      ? ' (is this engine a Swarm manager? `docker swarm init` makes it one)'
      : '';
  return new Error(`Docker Swarm: could not ${doing}: ${reason}${hint}`, { cause: error });
}
