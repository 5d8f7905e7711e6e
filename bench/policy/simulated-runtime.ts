// The fake container engine and readiness checker the replay hands the real Lifecycle: one container over a
// SimulatedModel, whose start takes the wake time and whose power the model's meter integrates.
import type { Clock } from '../../main/core/clock/clock';
import type {
  ContainerInfo,
  ContainerRuntime,
  RuntimeEvent,
} from '../../main/core/docker/container-runtime';
import { ContainerRefusedError } from '../../main/core/docker/container-runtime';
import type {
  ReadinessChecker,
  ReadinessResult,
} from '../../main/core/lifecycle/readiness-checker';
import type { SimulatedModel } from './simulated-model';

const CONTAINER_ID = 'c'.repeat(64);
const HOST_PORT = 40_000;

/** A `ContainerRuntime` with one container, `name`, backed by a simulated model. */
export class SimulatedRuntime implements ContainerRuntime {
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly name: string,
    private readonly model: SimulatedModel,
    private readonly containerPort: number,
  ) {}

  discover(): Promise<readonly ContainerInfo[]> {
    return Promise.resolve([this.info()]);
  }

  inspect(nameOrId: string): Promise<ContainerInfo | null> {
    return Promise.resolve(this.isOurs(nameOrId) ? this.info() : null);
  }

  start(nameOrId: string): Promise<void> {
    if (!this.isOurs(nameOrId)) return Promise.reject(new ContainerRefusedError(nameOrId, 'start'));
    this.model.start();
    // Docker reports the health change when the model answers: the lifecycle re-checks at once
    // instead of at its next poll, so the wake ends exactly when the model is ready.
    void this.model.whenReady().then(() => this.emit('health'));
    return Promise.resolve();
  }

  stop(nameOrId: string): Promise<void> {
    if (!this.isOurs(nameOrId)) return Promise.reject(new ContainerRefusedError(nameOrId, 'stop'));
    return this.model.stop();
  }

  logTail(): Promise<readonly string[]> {
    return Promise.resolve([]);
  }

  pids(): Promise<readonly number[]> {
    return Promise.resolve([]);
  }

  watch(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private isOurs(nameOrId: string): boolean {
    return nameOrId === this.name || nameOrId === CONTAINER_ID;
  }

  private emit(action: 'health'): void {
    const event: RuntimeEvent = {
      kind: 'container',
      action,
      id: CONTAINER_ID,
      name: this.name,
      at: this.clock.now(),
      labels: { 'siesta.enable': 'true' },
      exitCode: null,
      health: 'healthy',
    };
    for (const listener of this.listeners) listener(event);
  }

  private info(): ContainerInfo {
    const state = this.model.state();
    return {
      id: CONTAINER_ID,
      name: this.name,
      labels: { 'siesta.enable': 'true' },
      running: state !== 'stopped',
      health: 'none',
      hasHealthcheck: false,
      exitCode: state === 'stopped' ? 0 : null,
      oomKilled: false,
      publishedPorts: [
        {
          containerPort: this.containerPort,
          protocol: 'tcp',
          hostIp: '127.0.0.1',
          hostPort: HOST_PORT,
        },
      ],
      hostNetwork: false,
      gpuIndexes: [0],
      startedAt: null,
    };
  }
}

/** A readiness checker that asks the simulated model whether it answers. */
export function simulatedReadiness(model: SimulatedModel): ReadinessChecker {
  return {
    check(): Promise<ReadinessResult> {
      return Promise.resolve(
        model.isReady()
          ? { ready: true, detail: 'the simulated model answers' }
          : { ready: false, detail: 'the simulated model is loading' },
      );
    },
  };
}
