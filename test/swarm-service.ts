// A fake-model Swarm service for tests: replicated, 0 replicas (asleep), its port published in host mode, with a
// container healthcheck so a task runs only once the server answers.
import type Docker from 'dockerode';
import { FAKE_MODEL_HEALTH_TEST, TEST_LABEL } from './docker-harness';

/** Creates the service; `publishedPort` is the node port (host mode: Docker's ingress mesh needs iptables). */
export async function createFakeModelService(
  docker: Docker,
  options: {
    readonly name: string;
    readonly image: string;
    readonly publishedPort: number;
    readonly labels: Record<string, string>;
    readonly env?: Record<string, string>;
  },
): Promise<Docker.Service> {
  return docker.createService({
    Name: options.name,
    Labels: { [TEST_LABEL]: String(process.pid), ...options.labels },
    TaskTemplate: {
      ContainerSpec: {
        Image: options.image,
        Command: ['/bin/node', '/app/server.js'],
        Env: Object.entries({ MODEL_NAME: options.name, ...(options.env ?? {}) }).map(
          ([k, v]) => `${k}=${v}`,
        ),
        StopGracePeriod: 2e9,
        Healthcheck: {
          Test: FAKE_MODEL_HEALTH_TEST,
          Interval: 100e6,
          Timeout: 2e9,
          Retries: 3,
          StartPeriod: 0,
        },
      },
      RestartPolicy: { Condition: 'on-failure', MaxAttempts: 3 },
    },
    Mode: { Replicated: { Replicas: 0 } },
    EndpointSpec: {
      Ports: [
        {
          Protocol: 'tcp',
          TargetPort: 8000,
          PublishedPort: options.publishedPort,
          PublishMode: 'host',
        },
      ],
    },
  } as Docker.CreateServiceOptions);
}
