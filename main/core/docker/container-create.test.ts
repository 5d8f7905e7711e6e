// The Engine create body of a model container: loopback port, GPU device request, cache volume, healthcheck.
import { describe, expect, it } from 'vitest';
import { containerCreateOptions, type ContainerBlueprint } from './container-create';
import { foldPullEvent, pullProgressOf, type LayerProgress } from './image-pull';

const blueprint: ContainerBlueprint = {
  name: 'llama',
  image: 'vllm/vllm-openai:v0.11.0',
  cmd: ['--model', 'm'],
  env: { A: '1' },
  labels: { 'siesta.enable': 'true' },
  containerPort: 8000,
  hostPort: null,
  gpus: [1],
  cacheVolume: 'siesta-cache-vllm',
  cacheMountPath: '/root/.cache/huggingface',
  shmBytes: 1024,
  healthcheck: null,
};

describe('container create options', () => {
  it('publishes on 127.0.0.1 only, asks for the chosen GPU and mounts the cache volume', () => {
    const options = containerCreateOptions(blueprint);
    expect(options.HostConfig?.PortBindings).toEqual({
      '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
    });
    expect(options.HostConfig?.DeviceRequests).toEqual([
      { Driver: 'nvidia', DeviceIDs: ['1'], Capabilities: [['gpu']] },
    ]);
    expect(options.HostConfig?.Mounts).toEqual([
      { Type: 'volume', Source: 'siesta-cache-vllm', Target: '/root/.cache/huggingface' },
    ]);
    expect(options.HostConfig?.ShmSize).toBe(1024);
    expect(options.Env).toEqual(['A=1']);
    expect(options.Healthcheck).toBeUndefined();
    expect(options.Entrypoint).toBeUndefined();
  });

  it('asks for every GPU, none, a fixed port and a healthcheck when told', () => {
    expect(
      containerCreateOptions({ ...blueprint, gpus: 'all' }).HostConfig?.DeviceRequests,
    ).toEqual([{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }]);
    const cpu = containerCreateOptions({
      ...blueprint,
      gpus: 'none',
      hostPort: 18000,
      healthcheck: ['test', '-f', '/x'],
    });
    expect(cpu.HostConfig?.DeviceRequests).toBeUndefined();
    expect(cpu.HostConfig?.PortBindings).toEqual({
      '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '18000' }],
    });
    expect(cpu.Healthcheck?.Test).toEqual(['CMD', 'test', '-f', '/x']);
  });
});

describe('pull progress', () => {
  it('follows each layer from waiting to complete and sums the known sizes', () => {
    let layers: Map<string, LayerProgress> = new Map();
    for (const event of [
      { status: 'Pulling from siesta-test/fake', id: '1' },
      { status: 'Already exists', id: 'aaaaaaaaaaaa' },
      { status: 'Pulling fs layer', id: 'bbbbbbbbbbbb' },
      { status: 'Downloading', id: 'bbbbbbbbbbbb', progressDetail: { current: 100, total: 400 } },
      { status: 'Downloading', id: 'bbbbbbbbbbbb', progressDetail: { current: 300, total: 400 } },
    ]) {
      layers = foldPullEvent(layers, event);
    }
    expect(pullProgressOf('img', layers)).toMatchObject({ currentBytes: 300, totalBytes: 400 });
    layers = foldPullEvent(layers, {
      status: 'Extracting',
      id: 'bbbbbbbbbbbb',
      progressDetail: { current: 50, total: 400 },
    });
    layers = foldPullEvent(layers, { status: 'Pull complete', id: 'bbbbbbbbbbbb' });
    const done = pullProgressOf('img', layers);
    expect(done.layers.map((l) => [l.id, l.status, l.done])).toEqual([
      ['aaaaaaaaaaaa', 'Already exists', true],
      ['bbbbbbbbbbbb', 'Pull complete', true],
    ]);
    expect(done.currentBytes).toBe(400);
  });
});
