// A container engine in memory on a clock: for the lifecycle's unit tests and the keep-alive simulator.
// Containers "serve" a set time after they start; the engine's events are emitted as Docker would.
import type { Clock } from '../../clock/clock';
import {
  ContainerRefusedError,
  labelledForSiesta,
  type ContainerAction,
  type ContainerHealth,
  type ContainerInfo,
  type RuntimeEvent,
} from '../container-runtime';
import type { ContainerRuntime } from '../container-runtime';

/** A container to put in the memory engine. */
export interface MemoryContainerOptions {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Running from the start (and serving at once). Default false. */
  readonly running?: boolean;
  /** How long after a start it serves. Default the runtime's `startDelayMs`. */
  readonly startDelayMs?: number;
  readonly hasHealthcheck?: boolean;
  /** Container port published on 127.0.0.1 (default 8000), and its host port (default a fresh one). */
  readonly containerPort?: number;
  readonly hostPort?: number;
  readonly gpuIndexes?: readonly number[];
}

/** What the memory engine was asked to do, in order. */
export interface RuntimeCall {
  readonly op: 'start' | 'stop';
  readonly name: string;
  readonly at: number;
}

/** Settings of the memory engine. */
export interface MemoryRuntimeOptions {
  readonly clock: Clock;
  /** Default delay from start until a container serves. Default 1000 ms. */
  readonly startDelayMs?: number;
  /** How long a stop takes. Default 0. */
  readonly stopDelayMs?: number;
  /** Containers named in siesta.yaml (managed without the label). */
  readonly yamlContainers?: readonly string[];
}

interface MemoryContainer {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly startDelayMs: number;
  readonly hasHealthcheck: boolean;
  readonly containerPort: number;
  readonly hostPort: number;
  readonly gpuIndexes: readonly number[];
  running: boolean;
  serving: boolean;
  health: ContainerHealth;
  exitCode: number | null;
  startedAt: number | null;
  logLines: string[];
  /** Bumped on every start and stop, so a stale "now serving" timer does nothing. */
  generation: number;
}

/** An in-memory `ContainerRuntime`. `startCount`, `calls` and the by-hand helpers let tests see and steer it. */
export class MemoryRuntime implements ContainerRuntime {
  readonly calls: RuntimeCall[] = [];
  private readonly clock: Clock;
  private readonly startDelayMs: number;
  private readonly stopDelayMs: number;
  private readonly yamlContainers: Set<string>;
  private engineDown = false;
  private readonly containers = new Map<string, MemoryContainer>();
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private nextHostPort = 40_000;
  private nextId = 1;
  /** When set, the next `start` rejects with this message. */
  failNextStart: string | null = null;

  constructor(options: MemoryRuntimeOptions) {
    this.clock = options.clock;
    this.startDelayMs = options.startDelayMs ?? 1000;
    this.stopDelayMs = options.stopDelayMs ?? 0;
    this.yamlContainers = new Set(options.yamlContainers ?? []);
  }

  /** Adds a container. */
  add(options: MemoryContainerOptions): void {
    const id = (this.nextId++).toString(16).padStart(64, 'c');
    const running = options.running ?? false;
    this.containers.set(options.name, {
      id,
      name: options.name,
      labels: options.labels ?? { 'siesta.enable': 'true' },
      startDelayMs: options.startDelayMs ?? this.startDelayMs,
      hasHealthcheck: options.hasHealthcheck ?? false,
      containerPort: options.containerPort ?? 8000,
      hostPort: options.hostPort ?? this.nextHostPort++,
      gpuIndexes: options.gpuIndexes ?? [],
      running,
      serving: running,
      health: options.hasHealthcheck ? (running ? 'healthy' : 'starting') : 'none',
      exitCode: null,
      startedAt: running ? this.clock.now() : null,
      logLines: [],
      generation: 0,
    });
  }

  /** How many times Siesta started `name`. */
  startCount(name: string): number {
    return this.calls.filter((c) => c.op === 'start' && c.name === name).length;
  }

  /** Whether the container's server answers now. */
  isServing(nameOrId: string): boolean {
    return this.find(nameOrId)?.serving ?? false;
  }

  discover(): Promise<readonly ContainerInfo[]> {
    if (this.engineDown) return this.away('list containers');
    return Promise.resolve(
      [...this.containers.values()].filter((c) => this.managed(c)).map((c) => this.info(c)),
    );
  }

  inspect(nameOrId: string): Promise<ContainerInfo | null> {
    if (this.engineDown) return this.away(`inspect container "${nameOrId}"`);
    const container = this.find(nameOrId);
    return Promise.resolve(container ? this.info(container) : null);
  }

  start(nameOrId: string): Promise<void> {
    if (this.engineDown) return this.away(`start container "${nameOrId}"`);
    const container = this.find(nameOrId);
    if (!container) return Promise.reject(new Error(`no container "${nameOrId}"`));
    if (!this.managed(container))
      return Promise.reject(new ContainerRefusedError(container.name, 'start'));
    this.calls.push({ op: 'start', name: container.name, at: this.clock.now() });
    if (this.failNextStart !== null) {
      const message = this.failNextStart;
      this.failNextStart = null;
      return Promise.reject(new Error(message));
    }
    this.run(container);
    return Promise.resolve();
  }

  async stop(nameOrId: string, _graceMs: number): Promise<void> {
    if (this.engineDown) return this.away(`stop container "${nameOrId}"`);
    const container = this.find(nameOrId);
    if (!container) throw new Error(`no container "${nameOrId}"`);
    if (!this.managed(container)) throw new ContainerRefusedError(container.name, 'stop');
    this.calls.push({ op: 'stop', name: container.name, at: this.clock.now() });
    if (this.stopDelayMs > 0) await this.clock.sleep(this.stopDelayMs);
    this.halt(container, 143, true);
  }

  logTail(nameOrId: string, count: number): Promise<readonly string[]> {
    return Promise.resolve(this.find(nameOrId)?.logLines.slice(-count) ?? []);
  }

  pids(nameOrId: string): Promise<readonly number[]> {
    const container = this.find(nameOrId);
    return Promise.resolve(
      container?.running ? [10_000 + Number.parseInt(container.id.slice(-4), 16)] : [],
    );
  }

  watch(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- the engine's side: what happens outside Siesta ----

  /**
   * The engine goes away (calls fail as a refused socket does, the event stream reports `disconnected`) or
   * comes back (`reconnected`); containers keep their states meanwhile.
   */
  setEngineDown(down: boolean): void {
    if (this.engineDown === down) return;
    this.engineDown = down;
    if (down) this.emit({ kind: 'disconnected', at: this.clock.now(), reason: 'engine stopped' });
    else this.emit({ kind: 'reconnected', at: this.clock.now() });
  }

  /** `docker start` by hand. */
  handStart(name: string): void {
    const container = this.must(name);
    if (!container.running) this.run(container);
  }

  /** `docker stop` by hand: kill, die, stop. */
  handStop(name: string): void {
    this.halt(this.must(name), 143, true);
  }

  /** The server crashes: it logs `logLines` and exits with `exitCode` (a `die` with no `kill` before it). */
  crash(name: string, exitCode: number, logLines: readonly string[] = []): void {
    const container = this.must(name);
    container.logLines.push(...logLines);
    this.halt(container, exitCode, false);
  }

  /** The healthcheck reports a new status. */
  setHealth(name: string, health: ContainerHealth): void {
    const container = this.must(name);
    container.health = health;
    this.emitContainer(container, 'health', { health });
  }

  /** Appends lines to the container's log. */
  log(name: string, ...lines: string[]): void {
    this.must(name).logLines.push(...lines);
  }

  /** The event stream breaks, then comes back (the engine restarted); nothing in between is reported. */
  dropEvents(change: (runtime: MemoryRuntime) => void = () => undefined): void {
    this.emit({ kind: 'disconnected', at: this.clock.now(), reason: 'engine restarting' });
    const saved = new Set(this.listeners);
    this.listeners.clear();
    change(this);
    for (const listener of saved) this.listeners.add(listener);
    this.emit({ kind: 'reconnected', at: this.clock.now() });
  }

  /** Starts a container without any event (as during an engine outage). */
  silentStart(name: string): void {
    const saved = new Set(this.listeners);
    this.listeners.clear();
    this.handStart(name);
    for (const listener of saved) this.listeners.add(listener);
  }

  private run(container: MemoryContainer): void {
    container.generation++;
    container.running = true;
    container.serving = false;
    container.exitCode = null;
    container.startedAt = this.clock.now();
    if (container.hasHealthcheck) container.health = 'starting';
    container.logLines.push(`[${container.name}] starting`);
    const generation = container.generation;
    this.emitContainer(container, 'start');
    this.clock.setTimeout(() => {
      if (container.generation !== generation || !container.running) return;
      container.serving = true;
      container.logLines.push(`[${container.name}] serving`);
      if (container.hasHealthcheck) this.setHealth(container.name, 'healthy');
    }, container.startDelayMs);
  }

  private halt(container: MemoryContainer, exitCode: number, killed: boolean): void {
    if (!container.running) return;
    container.generation++;
    container.running = false;
    container.serving = false;
    container.exitCode = exitCode;
    if (container.hasHealthcheck) container.health = 'unhealthy';
    if (killed) this.emitContainer(container, 'kill');
    this.emitContainer(container, 'die', { exitCode });
    if (killed) this.emitContainer(container, 'stop');
  }

  private away<T>(doing: string): Promise<T> {
    const cause = Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), {
      code: 'ECONNREFUSED',
    });
    return Promise.reject(
      new Error(`Docker engine: could not ${doing}: ${cause.message}`, { cause }),
    );
  }

  private managed(container: MemoryContainer): boolean {
    return labelledForSiesta(container.labels) || this.yamlContainers.has(container.name);
  }

  private find(nameOrId: string): MemoryContainer | undefined {
    const name = nameOrId.replace(/^\//, '');
    return (
      this.containers.get(name) ??
      [...this.containers.values()].find(
        (c) => c.id === name || (name.length >= 12 && c.id.startsWith(name)),
      )
    );
  }

  private must(name: string): MemoryContainer {
    const container = this.find(name);
    if (!container) throw new Error(`no container "${name}"`);
    return container;
  }

  private info(c: MemoryContainer): ContainerInfo {
    return {
      id: c.id,
      name: c.name,
      labels: c.labels,
      running: c.running,
      health: c.health,
      hasHealthcheck: c.hasHealthcheck,
      exitCode: c.running ? null : c.exitCode,
      oomKilled: false,
      publishedPorts: [
        {
          containerPort: c.containerPort,
          protocol: 'tcp',
          hostIp: '127.0.0.1',
          hostPort: c.hostPort,
        },
      ],
      hostNetwork: false,
      gpuIndexes: c.gpuIndexes,
      startedAt: c.startedAt,
    };
  }

  private emitContainer(
    c: MemoryContainer,
    action: ContainerAction,
    extra: { exitCode?: number; health?: ContainerHealth } = {},
  ): void {
    this.emit({
      kind: 'container',
      action,
      id: c.id,
      name: c.name,
      at: this.clock.now(),
      labels: c.labels,
      exitCode: extra.exitCode ?? null,
      health: extra.health ?? null,
    });
  }

  /** Delivered after the current turn, as events from a real engine arrive after the call that caused them. */
  private emit(event: RuntimeEvent): void {
    const listeners = [...this.listeners];
    queueMicrotask(() => {
      for (const listener of listeners) listener(event);
    });
  }
}

/** Readiness for `MemoryRuntime`: ready once the container serves. */
export class MemoryReadiness {
  constructor(private readonly runtime: MemoryRuntime) {}

  check(target: {
    readonly container: ContainerInfo;
  }): Promise<{ ready: boolean; detail: string }> {
    const ready = this.runtime.isServing(target.container.id);
    return Promise.resolve({ ready, detail: ready ? 'serving' : 'not serving yet' });
  }
}
