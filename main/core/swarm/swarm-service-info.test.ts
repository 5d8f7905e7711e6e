// A Swarm service and its tasks as a workload: running while scaled up, healthy once a task runs, its host-mode
// published port, its GPUs from generic resources; and the events of its task containers as the service's.
import { describe, expect, it } from 'vitest';
import { parseSwarmEventLine } from './swarm-events';
import { gpuNeedsOf, serviceInfo, type SwarmService, type SwarmTask } from './swarm-service-info';

const service = (
  replicas: number,
  extra: Partial<NonNullable<SwarmService['Spec']>> = {},
): SwarmService => ({
  ID: 'svc1',
  Version: { Index: 7 },
  Spec: {
    Name: 'chat',
    Labels: { 'siesta.enable': 'true' },
    Mode: { Replicated: { Replicas: replicas } },
    TaskTemplate: { ContainerSpec: { Healthcheck: { Test: ['CMD', 'true'] } } },
    ...extra,
  },
  Endpoint: {
    Ports: [{ Protocol: 'tcp', TargetPort: 8000, PublishedPort: 18000, PublishMode: 'host' }],
  },
});
const task = (state: string, createdAt: string, extra: Partial<SwarmTask> = {}): SwarmTask => ({
  ID: `t-${createdAt}`,
  DesiredState: 'running',
  CreatedAt: createdAt,
  Status: { State: state, Timestamp: createdAt },
  ...extra,
});

describe('a Swarm service as a workload', () => {
  it('is asleep at 0 replicas, starting until a task runs, then healthy, with its published port', () => {
    expect(serviceInfo(service(0), [])).toMatchObject({
      running: false,
      health: 'starting',
      name: 'chat',
    });
    expect(serviceInfo(service(1), [task('preparing', '2026-01-01T00:00:01Z')])).toMatchObject({
      running: true,
      health: 'starting',
    });
    const up = serviceInfo(service(1), [task('running', '2026-01-01T00:00:02Z')]);
    expect(up).toMatchObject({
      running: true,
      health: 'healthy',
      hasHealthcheck: true,
      startedAt: Date.parse('2026-01-01T00:00:02Z'),
    });
    expect(up.publishedPorts).toEqual([
      { containerPort: 8000, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 18000 },
    ]);
  });

  it('is unhealthy when its newest task failed, and has no healthcheck of its own without one', () => {
    const tasks = [
      task('running', '2026-01-01T00:00:01Z', { DesiredState: 'shutdown' }),
      task('failed', '2026-01-01T00:00:05Z'),
    ];
    expect(serviceInfo(service(1), tasks).health).toBe('unhealthy');
    expect(serviceInfo(service(1, { TaskTemplate: {} }), []).hasHealthcheck).toBe(false);
  });

  it('reads its GPUs from generic resources: named ones by index, a discrete count as unknown GPUs', () => {
    const reserving = (resources: object[]) =>
      service(0, {
        TaskTemplate: { Resources: { Reservations: { GenericResources: resources } } },
      });
    expect(
      gpuNeedsOf(reserving([{ DiscreteResourceSpec: { Kind: 'NVIDIA-GPU', Value: 2 } }])),
    ).toEqual({ indexes: [], count: 2 });
    expect(
      gpuNeedsOf(reserving([{ NamedResourceSpec: { Kind: 'NVIDIA-GPU', Value: '1' } }])),
    ).toEqual({ indexes: [1], count: 1 });
    const assigned = task('running', '2026-01-01T00:00:02Z', {
      AssignedGenericResources: [{ NamedResourceSpec: { Kind: 'NVIDIA-GPU', Value: '3' } }],
    });
    expect(
      serviceInfo(reserving([{ DiscreteResourceSpec: { Kind: 'NVIDIA-GPU', Value: 1 } }]), [
        assigned,
      ]).gpuIndexes,
    ).toEqual([3]);
  });

  it('turns a task container’s events into its service’s, and service create/remove into a rescan', () => {
    const containerLine = JSON.stringify({
      Type: 'container',
      Action: 'start',
      Actor: {
        ID: 'c1',
        Attributes: {
          name: 'chat.1.abc',
          'com.docker.swarm.service.id': 'svc1',
          'com.docker.swarm.service.name': 'chat',
        },
      },
      time: 1_700_000_000,
    });
    expect(parseSwarmEventLine(containerLine, 0)).toMatchObject({
      kind: 'container',
      action: 'start',
      id: 'svc1',
      name: 'chat',
    });
    const plain = JSON.stringify({
      Type: 'container',
      Action: 'start',
      Actor: { ID: 'c2', Attributes: { name: 'x' } },
    });
    expect(parseSwarmEventLine(plain, 0)).toBeNull();
    const created = JSON.stringify({
      Type: 'service',
      Action: 'create',
      Actor: { ID: 'svc2', Attributes: { name: 'tts' } },
      time: 1,
    });
    expect(parseSwarmEventLine(created, 0)).toMatchObject({
      action: 'create',
      id: 'svc2',
      name: 'tts',
      at: 1000,
    });
    expect(
      parseSwarmEventLine(
        JSON.stringify({ Type: 'service', Action: 'update', Actor: { ID: 'svc2' } }),
        0,
      ),
    ).toBeNull();
  });
});
