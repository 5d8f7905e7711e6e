// What the lifecycle needs of a container engine: inspect, start, stop, logs, PIDs and events.
// DockerRuntime implements it over dockerode; MemoryRuntime on a clock for tests and the simulator.

/** Docker's health status of a container; `none` when it has no healthcheck. */
export type ContainerHealth = 'none' | 'starting' | 'healthy' | 'unhealthy';

/** A container port published on the host. */
export interface PublishedPort {
  /** The port inside the container. */
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  /** Host address it is bound to ('127.0.0.1', '0.0.0.0', '::', ...). */
  readonly hostIp: string;
  readonly hostPort: number;
}

/** One container as the lifecycle sees it. */
export interface ContainerInfo {
  readonly id: string;
  /** The name without Docker's leading slash. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly running: boolean;
  readonly health: ContainerHealth;
  /** Whether the container has a healthcheck (its image's or its own), even before the first result. */
  readonly hasHealthcheck: boolean;
  /** Exit code of the last run, or null while running or never run. */
  readonly exitCode: number | null;
  /** The kernel killed it for memory (Docker's State.OOMKilled). */
  readonly oomKilled: boolean;
  readonly publishedPorts: readonly PublishedPort[];
  /** It shares the host's network (`network_mode: host`): its server listens on the host's ports, none published. */
  readonly hostNetwork: boolean;
  /** GPU indexes from its device requests or NVIDIA_VISIBLE_DEVICES; empty when unknown or none. */
  readonly gpuIndexes: readonly number[];
  /** When the current or last run started (epoch ms), or null. */
  readonly startedAt: number | null;
  /**
   * The address its published ports are dialled on: the engine's host for a remote engine (`10.0.0.12`). Absent for
   * a local engine, whose ports are dialled on 127.0.0.1.
   */
  readonly upstreamHost?: string;
  /** The engine that runs it, for a Siesta with several (`engines:` in siesta.yaml); absent with one engine. */
  readonly engine?: string;
}

/** A container event from the engine, or a change in the connection to it. */
export type RuntimeEvent =
  | {
      readonly kind: 'container';
      readonly action: ContainerAction;
      readonly id: string;
      /** The name without the leading slash ('' when the engine did not say). */
      readonly name: string;
      readonly at: number;
      readonly labels: Readonly<Record<string, string>>;
      /** For `die`: the exit code. */
      readonly exitCode: number | null;
      /** For `health`: the new status. */
      readonly health: ContainerHealth | null;
    }
  /** The event stream broke (engine restarted or went away); events may be missed until `reconnected`. */
  | { readonly kind: 'disconnected'; readonly at: number; readonly reason: string }
  /** The event stream is back: listeners should re-read the state of their containers. */
  | { readonly kind: 'reconnected'; readonly at: number };

/** The container actions Siesta follows. `kill` precedes the `die` of a stop or kill by hand. */
export type ContainerAction =
  'create' | 'start' | 'kill' | 'die' | 'stop' | 'health' | 'destroy' | 'oom';

/** The engine as the lifecycle uses it. Every method takes a container name or id. */
export interface ContainerRuntime {
  /** The containers Siesta manages: labelled `siesta.enable=true`, plus those named in siesta.yaml. */
  discover(): Promise<readonly ContainerInfo[]>;
  /** One container, or null when it does not exist. */
  inspect(nameOrId: string): Promise<ContainerInfo | null>;
  /** Starts a managed container; rejects with `ContainerRefusedError` for any other. */
  start(nameOrId: string): Promise<void>;
  /** Stops a managed container, killing it after `graceMs`; rejects with `ContainerRefusedError` for any other. */
  stop(nameOrId: string, graceMs: number): Promise<void>;
  /** The last `count` lines of its stdout and stderr, oldest first. */
  logTail(nameOrId: string, count: number): Promise<readonly string[]>;
  /** Host PIDs of its processes (for GPU attribution); empty when it is not running. */
  pids(nameOrId: string): Promise<readonly number[]>;
  /** Follows the engine's container events (reconnecting on its own). Returns an unsubscribe function. */
  watch(listener: (event: RuntimeEvent) => void): () => void;
}

/** Siesta refused to start or stop a container it does not manage (DESIGN.md, "Security"). */
export class ContainerRefusedError extends Error {
  constructor(
    readonly container: string,
    readonly operation: 'start' | 'stop',
  ) {
    super(
      `refusing to ${operation} container "${container}": it is not labelled siesta.enable=true and not named in siesta.yaml`,
    );
    this.name = 'ContainerRefusedError';
  }
}

/** Socket errors that mean the engine itself is away (restarting, stopped), not that a call was wrong. */
const ENGINE_AWAY_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EHOSTDOWN',
]);

/** Whether an engine call failed because the engine cannot be reached (the error or one of its causes). */
export function isEngineUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && ENGINE_AWAY_CODES.has(code)) return true;
  }
  return false;
}

/** The label that hands a container to Siesta. */
export const ENABLE_LABEL = 'siesta.enable';

/** Whether labels mark a container as managed (`siesta.enable=true`). */
export function labelledForSiesta(labels: Readonly<Record<string, string>>): boolean {
  return labels[ENABLE_LABEL]?.trim().toLowerCase() === 'true';
}
