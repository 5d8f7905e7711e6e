// DockerRuntime against the real engine: discovery, start/stop of managed containers only, logs, PIDs, health, events.
import { afterAll, afterEach, expect, it } from 'vitest';
import {
  createFakeModel,
  fakeModelImage,
  removeTestContainers,
  TEST_LABEL,
  untilEventsFlow,
} from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { ContainerRefusedError, type RuntimeEvent } from './container-runtime';
import { dockerFromEnv } from './docker-client';
import { DockerRuntime } from './docker-runtime';
import { until } from '../../../test/until';

const docker = dockerFromEnv();
const enabled = { 'siesta.enable': 'true' };

const unsubscribes: (() => void)[] = [];
afterEach(() => {
  for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
});

describeDocker('DockerRuntime on the real engine', () => {
  afterAll(() => removeTestContainers(docker));

  it('finds containers labelled siesta.enable=true and those named in siesta.yaml, and ignores unlabelled ones', async () => {
    await createFakeModel(docker, { name: 'hd-rt-labelled', labels: enabled });
    await createFakeModel(docker, { name: 'hd-rt-yaml' });
    await createFakeModel(docker, { name: 'hd-rt-plain' });
    await createFakeModel(docker, { name: 'hd-rt-false', labels: { 'siesta.enable': 'false' } });
    const runtime = new DockerRuntime({
      docker,
      managedNames: () => ['hd-rt-yaml', 'hd-rt-missing'],
    });
    const names = (await runtime.discover()).map((c) => c.name);
    expect(names).toContain('hd-rt-labelled');
    expect(names).toContain('hd-rt-yaml');
    expect(names).not.toContain('hd-rt-plain');
    expect(names).not.toContain('hd-rt-false');
    expect(names).not.toContain('hd-rt-missing');
    const labelled = (await runtime.discover()).find((c) => c.name === 'hd-rt-labelled');
    expect(labelled).toMatchObject({
      running: false,
      exitCode: null,
      startedAt: null,
      health: 'none',
      hasHealthcheck: false,
    });
    expect(labelled?.publishedPorts).toEqual([
      { containerPort: 8000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 0 },
    ]);
  });

  it('with a scope, manages only labelled containers that also carry the scope label', async () => {
    await createFakeModel(docker, { name: 'hd-rt-team-a', labels: { ...enabled, team: 'a' } });
    await createFakeModel(docker, { name: 'hd-rt-team-b', labels: { ...enabled, team: 'b' } });
    await createFakeModel(docker, { name: 'hd-rt-team-none', labels: enabled });
    const runtime = new DockerRuntime({ docker, managedNames: () => [], scope: ['team=a'] });
    const names = (await runtime.discover()).map((c) => c.name);
    expect(names).toContain('hd-rt-team-a');
    expect(names).not.toContain('hd-rt-team-b');
    expect(names).not.toContain('hd-rt-team-none');
    await expect(runtime.start('hd-rt-team-b')).rejects.toBeInstanceOf(ContainerRefusedError);
    expect(() => new DockerRuntime({ docker, managedNames: () => [], scope: ['team'] })).toThrow(
      'container scope "team": expected a label as key=value, e.g. team=vision',
    );
  });

  it('starts and stops a managed container, and a repeated start or stop is not an error', async () => {
    await createFakeModel(docker, { name: 'hd-rt-startstop', labels: enabled });
    const runtime = new DockerRuntime({ docker, managedNames: () => [] });
    await runtime.start('hd-rt-startstop');
    await runtime.start('hd-rt-startstop');
    const running = await runtime.inspect('hd-rt-startstop');
    expect(running?.running).toBe(true);
    expect(running?.startedAt).toBeGreaterThan(Date.now() - 60_000);
    const port = running?.publishedPorts.find((p) => p.containerPort === 8000);
    expect(port?.hostIp).toBe('127.0.0.1');
    expect(port?.hostPort).toBeGreaterThan(0);
    await until(
      'the server to answer',
      () =>
        fetch(`http://127.0.0.1:${port?.hostPort}/health`, {
          signal: AbortSignal.timeout(1000),
        }).then(
          (r) => r.status,
          () => 0,
        ),
      (s) => s === 200,
    );
    await runtime.stop('hd-rt-startstop', 1500);
    await runtime.stop('hd-rt-startstop', 1500);
    const stopped = await runtime.inspect('hd-rt-startstop');
    expect(stopped?.running).toBe(false);
    expect(stopped?.exitCode).not.toBeNull();
    expect(await runtime.inspect('hd-rt-no-such-container')).toBeNull();
  });

  it('refuses to stop or start an unlabelled container and leaves it as it was', async () => {
    const plain = await createFakeModel(docker, { name: 'hd-rt-refuse', start: true });
    const sleeping = await createFakeModel(docker, { name: 'hd-rt-refuse-asleep' });
    const runtime = new DockerRuntime({ docker, managedNames: () => ['hd-rt-other'] });
    await expect(runtime.stop('hd-rt-refuse', 1000)).rejects.toBeInstanceOf(ContainerRefusedError);
    await expect(runtime.stop('/hd-rt-refuse', 1000)).rejects.toThrow(
      /refusing to stop container "hd-rt-refuse"/,
    );
    await expect(runtime.start('hd-rt-refuse-asleep')).rejects.toBeInstanceOf(
      ContainerRefusedError,
    );
    expect((await plain.inspect()).State.Running).toBe(true);
    expect((await sleeping.inspect()).State.Running).toBe(false);
    expect((await sleeping.inspect()).State.StartedAt.startsWith('0001')).toBe(true);
  });

  it('reads the last log lines of a model that crashed while starting, with and without a TTY', async () => {
    const runtime = new DockerRuntime({
      docker,
      managedNames: () => ['hd-rt-crash', 'hd-rt-crash-tty'],
    });
    await createFakeModel(docker, { name: 'hd-rt-crash', env: { CRASH_AFTER_MS: '50' } });
    await docker.createContainer({
      name: 'hd-rt-crash-tty',
      Image: fakeModelImage(),
      Cmd: ['/bin/node', '/app/server.js'],
      Env: ['MODEL_NAME=hd-rt-crash-tty', 'CRASH_AFTER_MS=50'],
      Labels: { [TEST_LABEL]: String(process.pid) },
      Tty: true,
    });
    await runtime.start('hd-rt-crash');
    await runtime.start('hd-rt-crash-tty');
    const crashed = await until(
      'the crash',
      () => runtime.inspect('hd-rt-crash'),
      (info) => info?.running === false,
    );
    expect(crashed?.exitCode).toBe(3);
    await until(
      'the TTY crash',
      () => runtime.inspect('hd-rt-crash-tty'),
      (info) => info?.running === false,
    );
    for (const name of ['hd-rt-crash', 'hd-rt-crash-tty']) {
      // stdout and stderr are copied to the log separately, so their relative order is not fixed.
      const all = await runtime.logTail(name, 50);
      expect(all[0]).toBe(`[fake-model ${name}] starting (delay 0 ms)`);
      expect(all).toContain(
        `[fake-model ${name}] loading weights failed: CUDA error: out of memory`,
      );
      expect(all).toContain('fatal: could not load model');
      expect(await runtime.logTail(name, 2)).toEqual(all.slice(-2));
      expect(all.every((line) => !line.includes('\u0000') && !line.endsWith('\r'))).toBe(true);
    }
  });

  it('lists the host PIDs of a running container, and none once it stopped', async () => {
    const container = await createFakeModel(docker, {
      name: 'hd-rt-pids',
      labels: enabled,
      start: true,
    });
    const runtime = new DockerRuntime({ docker, managedNames: () => [] });
    const mainPid = (await container.inspect()).State.Pid;
    const pids = await runtime.pids('hd-rt-pids');
    expect(pids).toContain(mainPid);
    await runtime.stop('hd-rt-pids', 1000);
    expect(await runtime.pids('hd-rt-pids')).toEqual([]);
  });

  it('reads GPU indexes from NVIDIA_VISIBLE_DEVICES', async () => {
    await createFakeModel(docker, {
      name: 'hd-rt-gpu',
      labels: enabled,
      env: { NVIDIA_VISIBLE_DEVICES: '1,0' },
    });
    await createFakeModel(docker, {
      name: 'hd-rt-gpu-all',
      labels: enabled,
      env: { NVIDIA_VISIBLE_DEVICES: 'all' },
    });
    const runtime = new DockerRuntime({ docker, managedNames: () => [] });
    expect((await runtime.inspect('hd-rt-gpu'))?.gpuIndexes).toEqual([0, 1]);
    expect((await runtime.inspect('hd-rt-gpu-all'))?.gpuIndexes).toEqual([]);
  });

  it('follows a model through start, healthy, kill, die and stop events', async () => {
    await createFakeModel(docker, {
      name: 'hd-rt-events',
      labels: enabled,
      dockerHealthcheck: { intervalMs: 200 },
    });
    const runtime = new DockerRuntime({ docker, managedNames: () => [] });
    const events: RuntimeEvent[] = [];
    const mine = (): Extract<RuntimeEvent, { kind: 'container' }>[] =>
      events.filter(
        (e): e is Extract<RuntimeEvent, { kind: 'container' }> =>
          e.kind === 'container' && e.name === 'hd-rt-events',
      );
    unsubscribes.push(runtime.watch((event) => events.push(event)));
    await untilEventsFlow(
      docker,
      (name) => events.some((e) => e.kind === 'container' && e.name === name),
      {
        prefix: 'hd-rt-probe',
        timeoutMs: 15_000,
        attemptMs: 300,
      },
    );
    await runtime.start('hd-rt-events');
    await until(
      'a start event',
      () => mine().map((e) => e.action),
      (actions) => actions.includes('start'),
    );
    const started = mine().find((e) => e.action === 'start');
    expect(started?.labels['siesta.enable']).toBe('true');
    expect(started?.id).toMatch(/^[0-9a-f]{64}$/);
    await until(
      'a healthy event',
      () => mine(),
      (list) => list.some((e) => e.action === 'health' && e.health === 'healthy'),
    );
    expect((await runtime.inspect('hd-rt-events'))?.health).toBe('healthy');
    expect((await runtime.inspect('hd-rt-events'))?.hasHealthcheck).toBe(true);
    await runtime.stop('hd-rt-events', 1000);
    const actions = await until(
      'kill, die and stop',
      () => mine().map((e) => e.action),
      (list) => list.includes('stop'),
    );
    expect(actions.indexOf('kill')).toBeLessThan(actions.indexOf('die'));
    expect(actions.indexOf('die')).toBeLessThan(actions.indexOf('stop'));
    expect(mine().find((e) => e.action === 'die')?.exitCode).not.toBeNull();
    expect(events.some((e) => e.kind === 'disconnected')).toBe(false);
  });
});
