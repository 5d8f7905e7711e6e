// The ContainerRuntime over a real Docker Engine (dockerode): discovery, start and stop of managed
// containers only, log tails, PIDs, and the reconnecting events stream.
import type Dockerode from 'dockerode';
import { systemClock, type Clock } from '../clock/clock';
import {
  ContainerRefusedError,
  ENABLE_LABEL,
  labelledForSiesta,
  type ContainerInfo,
  type ContainerRuntime,
  type RuntimeEvent,
} from './container-runtime';
import { followEngineEvents, type ReconnectDelays } from './docker-event-follower';
import { containerInfoFromInspect } from './docker-inspect-mapping';
import { demultiplexDockerLog, lastLines } from './docker-log-frames';

/** What a `DockerRuntime` is built from. */
export interface DockerRuntimeOptions {
  readonly docker: Dockerode;
  /** Containers named in siesta.yaml (names or ids): managed without the label. Read on every call, so a reload counts. */
  readonly managedNames: () => readonly string[];
  /**
   * Extra labels (`key=value`) a container must also carry to be managed: one Siesta per team or per
   * test run on a shared engine. Default none.
   */
  readonly scope?: readonly string[];
  /** Timers of the events reconnection. Default the system clock. */
  readonly clock?: Clock;
  /** First delay before reconnecting the events stream; doubles up to `maxReconnectDelayMs`. Default 250 ms. */
  readonly reconnectDelayMs?: number;
  /** Default 5000 ms. */
  readonly maxReconnectDelayMs?: number;
}

/** An engine error with its HTTP status (dockerode sets `statusCode`). */
function statusOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : null;
}

/** The Docker Engine as the lifecycle uses it. Starts and stops only managed containers (DESIGN.md, "Security"). */
export class DockerRuntime implements ContainerRuntime {
  private readonly docker: Dockerode;
  private readonly managedNames: () => readonly string[];
  private readonly clock: Clock;
  private readonly delays: ReconnectDelays;
  private readonly scope: readonly (readonly [string, string])[];

  constructor(options: DockerRuntimeOptions) {
    this.docker = options.docker;
    this.managedNames = options.managedNames;
    this.scope = (options.scope ?? []).map(parseScopeLabel);
    this.clock = options.clock ?? systemClock();
    this.delays = { initialMs: options.reconnectDelayMs, maxMs: options.maxReconnectDelayMs };
  }

  async discover(): Promise<readonly ContainerInfo[]> {
    const labelled = await this.docker.listContainers({
      all: true,
      filters: { label: [ENABLE_LABEL, ...this.scope.map(([key, value]) => `${key}=${value}`)] },
    });
    const refs = [
      ...labelled.filter((c) => labelledForSiesta(c.Labels ?? {})).map((c) => c.Id),
      ...this.managedNames(),
    ];
    const infos = await Promise.all(refs.map((ref) => this.inspect(ref)));
    const byId = new Map<string, ContainerInfo>();
    for (const info of infos) {
      if (info && this.isManaged(info)) byId.set(info.id, info);
    }
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async inspect(nameOrId: string): Promise<ContainerInfo | null> {
    try {
      return containerInfoFromInspect(await this.docker.getContainer(bare(nameOrId)).inspect());
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw engineError(`inspect container "${bare(nameOrId)}"`, error);
    }
  }

  async start(nameOrId: string): Promise<void> {
    const info = await this.managedOrRefuse(nameOrId, 'start');
    try {
      await this.docker.getContainer(info.id).start();
    } catch (error) {
      if (statusOf(error) === 304) return; // already started
      throw engineError(`start container "${info.name}"`, error);
    }
  }

  async stop(nameOrId: string, graceMs: number): Promise<void> {
    const info = await this.managedOrRefuse(nameOrId, 'stop');
    const seconds = Math.max(0, Math.ceil(graceMs / 1000));
    try {
      await this.docker.getContainer(info.id).stop({ t: seconds });
    } catch (error) {
      if (statusOf(error) === 304) return; // already stopped
      throw engineError(`stop container "${info.name}"`, error);
    }
  }

  async logTail(nameOrId: string, count: number): Promise<readonly string[]> {
    if (count <= 0) return [];
    const container = this.docker.getContainer(bare(nameOrId));
    try {
      const inspect = await container.inspect();
      const data = await container.logs({ stdout: true, stderr: true, follow: false, tail: count });
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(String(data));
      return lastLines(demultiplexDockerLog(bytes, inspect.Config.Tty).toString('utf8'), count);
    } catch (error) {
      throw engineError(`read the log of container "${bare(nameOrId)}"`, error);
    }
  }

  async mainPid(nameOrId: string): Promise<number | null> {
    try {
      const inspect = await this.docker.getContainer(bare(nameOrId)).inspect();
      return inspect.State.Running && inspect.State.Pid > 0 ? inspect.State.Pid : null;
    } catch (error) {
      throw engineError(`read the main process of container "${bare(nameOrId)}"`, error);
    }
  }

  async pids(nameOrId: string): Promise<readonly number[]> {
    const container = this.docker.getContainer(bare(nameOrId));
    let mainPid = 0;
    try {
      const inspect = await container.inspect();
      if (!inspect.State.Running) return [];
      mainPid = inspect.State.Pid;
      const top = (await container.top({ ps_args: '-eo pid' })) as {
        Titles?: string[];
        Processes?: string[][];
      };
      const column = (top.Titles ?? []).indexOf('PID');
      const pids = (top.Processes ?? [])
        .map((row) => Number(row[column] ?? NaN))
        .filter((pid) => Number.isInteger(pid) && pid > 0);
      return pids.length > 0 || column >= 0 ? pids : mainPid > 0 ? [mainPid] : [];
    } catch (error) {
      const status = statusOf(error);
      if (status === 409) return []; // stopped between inspect and top
      if (status === 404)
        throw engineError(`list the processes of container "${bare(nameOrId)}"`, error);
      // `docker top` runs `ps` on the engine's host; where that fails the main PID still attributes the GPU.
      if (mainPid > 0) return [mainPid];
      throw engineError(`list the processes of container "${bare(nameOrId)}"`, error);
    }
  }

  watch(listener: (event: RuntimeEvent) => void): () => void {
    return followEngineEvents(this.docker, this.clock, listener, this.delays);
  }

  /** Reads the live container and refuses anything not labelled and not named in siesta.yaml. */
  private async managedOrRefuse(
    nameOrId: string,
    operation: 'start' | 'stop',
  ): Promise<ContainerInfo> {
    const info = await this.inspect(nameOrId);
    if (!info)
      throw new Error(`cannot ${operation} container "${bare(nameOrId)}": no such container`);
    if (!this.isManaged(info)) throw new ContainerRefusedError(info.name, operation);
    return info;
  }

  private isManaged(info: ContainerInfo): boolean {
    if (!this.scope.every(([key, value]) => info.labels[key] === value)) return false;
    if (labelledForSiesta(info.labels)) return true;
    return this.managedNames().some((ref) => {
      const wanted = bare(ref);
      return (
        wanted === info.name ||
        wanted === info.id ||
        (wanted.length >= 12 && /^[0-9a-f]+$/.test(wanted) && info.id.startsWith(wanted))
      );
    });
  }
}

/** `key=value` → [key, value]; anything else is a programming or command-line error, said plainly. */
export function parseScopeLabel(text: string): readonly [string, string] {
  const at = text.indexOf('=');
  const key = at > 0 ? text.slice(0, at).trim() : '';
  if (key === '' || /\s/.test(key))
    throw new Error(`container scope "${text}": expected a label as key=value, e.g. team=vision`);
  return [key, text.slice(at + 1)];
}

function bare(nameOrId: string): string {
  return nameOrId.replace(/^\//, '');
}

/** An engine failure that says what Siesta was doing. */
function engineError(doing: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`Docker engine: could not ${doing}: ${reason}`, { cause: error });
}
