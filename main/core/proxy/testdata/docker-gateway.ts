// A Gateway over a real Lifecycle over the real Docker engine, with fake-model containers, for *.docker.test.ts suites.
import type Docker from 'dockerode';
import { systemClock } from '../../clock/clock';
import type { ModelSpec } from '../../config/model-spec';
import { DockerRuntime } from '../../docker/docker-runtime';
import { Lifecycle } from '../../lifecycle/lifecycle';
import type { LifecycleEvent } from '../../lifecycle/model-state';
import { createFakeModel, removeContainer } from '../../../../test/docker-harness';
import { Gateway } from '../gateway';
import { gatewaySettings } from '../gateway-settings';
import { specForTest } from '../../config/testdata/spec-for-test';

/** One model container to create: its Siesta name (also the container's) and spec overrides. */
export interface DockerModel {
  readonly name: string;
  readonly env?: Record<string, string>;
  readonly spec?: Partial<ModelSpec>;
}

/** A started gateway over real containers. */
export interface DockerGateway {
  readonly gateway: Gateway;
  readonly lifecycle: Lifecycle;
  readonly port: number;
  readonly events: LifecycleEvent[];
  readonly logs: string[];
  /** Puts a model to sleep and waits until its container has stopped. */
  sleep(name: string): Promise<void>;
  /** Whether the container runs, as the engine says. */
  running(name: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The spec of a fake-model container: port 8000, readiness by GET /health, long idle time unless overridden. */
export function fakeModelSpec(name: string, overrides: Partial<ModelSpec> = {}): ModelSpec {
  return specForTest(name, { idleMs: 10 * 60_000, wakeTimeoutMs: 60_000, ...overrides });
}

/** Creates the containers (stopped, labelled siesta.enable=true) and starts a lifecycle and a gateway on 127.0.0.1:0. */
export async function startDockerGateway(
  docker: Docker,
  models: readonly DockerModel[],
): Promise<DockerGateway> {
  await Promise.all(
    models.map((m) =>
      createFakeModel(docker, {
        name: m.name,
        env: m.env ?? {},
        labels: { 'siesta.enable': 'true' },
      }),
    ),
  );
  const clock = systemClock();
  const logs: string[] = [];
  const events: LifecycleEvent[] = [];
  const runtime = new DockerRuntime({ docker, managedNames: () => [] });
  const lifecycle = new Lifecycle({
    clock,
    runtime,
    stopGraceMs: 2_000,
    log: (line) => logs.push(line),
  });
  lifecycle.onEvent((event) => events.push(event));
  lifecycle.setSpecs(models.map((m) => fakeModelSpec(m.name, m.spec)));
  await lifecycle.start();
  const gateway = new Gateway({
    lifecycle,
    clock,
    settings: gatewaySettings({ port: 0 }),
    log: (line) => logs.push(line),
  });
  await gateway.start();
  const port = gateway.addresses()[0]?.port;
  if (port === undefined) throw new Error('the gateway has no main address');

  const running = async (name: string): Promise<boolean> =>
    (await docker.getContainer(name).inspect()).State.Running;
  return {
    gateway,
    lifecycle,
    port,
    events,
    logs,
    running,
    async sleep(name) {
      await lifecycle.sleep(name, { kind: 'user', via: 'cli' });
      const deadline = Date.now() + 20_000;
      while ((await running(name)) || lifecycle.get(name)?.state !== 'asleep') {
        if (Date.now() > deadline) throw new Error(`"${name}" did not go to sleep within 20 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await gateway.stop();
      await lifecycle.stop();
      await Promise.all(models.map((m) => removeContainer(docker, m.name)));
    },
  };
}
