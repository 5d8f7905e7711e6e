// Two real Docker hosts behind one `siesta serve`: this machine's engine and a second dockerd in a network namespace
// the test creates (its own veth pair and 10.231.x addresses), reached over TCP with TLS. One labelled container on
// each; one gateway wakes, serves (streaming) and sleeps both; the remote engine going away is reported, a request for
// its model gets a clear error at once, and its return is survived. The remote model's sleep is credited with the watts
// its GPU's exporter (a DCGM stand-in) really dropped. Removing gpu2 from siesta.yaml drops it and its model while
// Siesta runs; adding it back connects it again.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  TEST_LABEL,
  createFakeModel,
  ensureFakeModelImage,
  removeTestContainers,
  testDocker,
} from '../../../test/docker-harness';
import { describeAsRoot } from '../../../test/docker-suite';
import { copyImage, startSecondHost, type SecondHost } from '../../../test/second-host';
import { CLI, TSX, startDaemon, stateOf, type Daemon } from '../../../test/serve-daemon';
import { until } from '../../../test/until';
import {
  startDcgmExporterStandIn,
  type DcgmExporterStandIn,
} from '../../../test/dcgm-exporter-stand-in';

const docker = testDocker();
const NEAR = `h2-near-${process.pid}`;
const FAR = `h2-far-${process.pid}`;
const labels = (name: string) => ({
  'siesta.enable': 'true',
  'siesta.name': name,
  'siesta.health': '/health',
  'siesta.idle': '4s',
  [TEST_LABEL]: String(process.pid),
});

async function chat(gatewayUrl: string, model: string, tokens: number): Promise<string> {
  const client = new OpenAI({
    baseURL: `${gatewayUrl}/v1`,
    apiKey: 'not-needed',
    timeout: 60_000,
    maxRetries: 0,
  });
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'count' }],
    max_tokens: tokens,
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

const counted = (n: number): string => Array.from({ length: n }, (_, i) => `tok${i}`).join(' ');

describeAsRoot('two Docker hosts through one gateway', () => {
  let host: SecondHost;
  let dir: string;
  let daemon: Daemon;
  let exporter: DcgmExporterStandIn;
  const dataDir = (): string => join(dir, 'data');
  const config = (): string => join(dir, 'siesta.yaml');
  const bothEngines = (): string =>
    [
      'engines:',
      '  home: {}',
      ...host.engineYaml('gpu2', 'docker'),
      `    gpuMetrics: ${exporter.url}`,
      '',
    ].join('\n');
  const modelState = async (name: string) =>
    (await stateOf(daemon, dataDir())).models.find((m) => m.name === name);
  const running = async (client: typeof docker, container: string) =>
    (await client.getContainer(container).inspect()).State.Running;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'siesta-two-hosts-'));
    host = await startSecondHost();
    // gpu2's GPU: 210 W and 15,000 MiB while its model's container runs, 60 W and nothing otherwise.
    exporter = await startDcgmExporterStandIn(async () => {
      const up = await host.admin
        .getContainer(FAR)
        .inspect()
        .then(
          (i) => i.State.Running,
          () => false,
        );
      return up ? { powerWatts: 210, fbUsedMib: 15_000 } : { powerWatts: 60, fbUsedMib: 0 };
    });
    const image = ensureFakeModelImage();
    await copyImage(docker, host.admin, image);
    // Both claim their host's GPU 0: gpu2's has an exporter, this machine's has no reading at all.
    await createFakeModel(docker, {
      name: NEAR,
      labels: labels('near'),
      env: { START_DELAY_MS: '200', NVIDIA_VISIBLE_DEVICES: '0' },
    });
    // On the second host the port is published on every address of the namespace, where Siesta dials it. It loads for
    // 2.5 s, so its wake spans more than one exporter scrape (1 Hz) even on a loaded machine.
    await host.admin.createContainer({
      name: FAR,
      Image: image,
      Cmd: ['/bin/node', '/app/server.js'],
      Env: ['MODEL_NAME=far', 'START_DELAY_MS=2500', 'NVIDIA_VISIBLE_DEVICES=0'],
      Labels: labels('far'),
      ExposedPorts: { '8000/tcp': {} },
      StopTimeout: 2,
      HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '', HostPort: '' }] } },
    });
    writeFileSync(config(), bothEngines());
    daemon = await startDaemon(dataDir(), ['--config', config()]);
  }, 180_000);

  afterAll(async () => {
    daemon?.child.kill('SIGTERM');
    await removeTestContainers(docker);
    await host?.destroy();
    await exporter?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('lists each model under the engine where its container lives, both engines answering', async () => {
    const state = await until(
      'both models',
      () => stateOf(daemon, dataDir()),
      (s) => s.models.length === 2,
      30_000,
    );
    expect(state.engines?.map((e) => [e.name, e.reachable])).toEqual([
      ['home', true],
      ['gpu2', true],
    ]);
    expect(state.engines?.[1]?.address).toBe(host.dockerHost);
    expect(state.models.map((m) => [m.name, m.engine, m.state]).sort()).toEqual([
      ['far', 'gpu2', 'asleep'],
      ['near', 'home', 'asleep'],
    ]);
  });

  it('wakes, streams from and puts to sleep a model on each host through one gateway', async () => {
    // gpu2's exporter read while its GPU idles (60 W): the ledger's baseline before the wake.
    await until(
      'the idle reading of gpu2',
      async () => (await stateOf(daemon, dataDir())).gpus.find((g) => g.index === 100)?.powerWatts,
      (w) => w === 60,
      15_000,
      100,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const [far, near] = await Promise.all([
      chat(daemon.gatewayUrl, 'far', 30),
      chat(daemon.gatewayUrl, 'near', 30),
    ]);
    expect(far).toBe(counted(30));
    expect(near).toBe(counted(30));
    expect(await running(host.admin, FAR)).toBe(true);
    expect(await running(docker, NEAR)).toBe(true);
    expect((await modelState('far'))?.state).toBe('ready');
    // gpu2's GPU, read from its exporter, as the dashboard shows it: GPU 0 of the second engine is index 100.
    const busyGpu = await until(
      'the exporter reading of the running model',
      async () => (await stateOf(daemon, dataDir())).gpus.find((g) => g.index === 100),
      (g) => g?.powerWatts === 210,
      15_000,
      100,
    );
    expect(busyGpu).toMatchObject({
      name: 'NVIDIA H100 80GB HBM3',
      vramUsedBytes: 15_000 * 1024 ** 2,
    });
    expect(exporter.served.some((r) => r.powerWatts === 210 && r.fbUsedMib === 15_000)).toBe(true);
    expect((await modelState('far'))?.gpuIndexes).toEqual([100]);
    // Idle 4 s: both sleep, each container stopped on its own engine.
    await until(
      'both asleep',
      async () => [(await modelState('far'))?.state, (await modelState('near'))?.state],
      (s) => s.every((x) => x === 'asleep'),
      40_000,
      250,
    );
    expect(await running(host.admin, FAR)).toBe(false);
    expect(await running(docker, NEAR)).toBe(false);
    // The ledger: far's wake is charged from its host's exporter (the watts above idle while it woke, within what
    // the stand-in served: 150 W above idle at most, for no longer than it was awake); near's host has no reading.
    const [farAfter, nearAfter] = await until(
      "far's wake charged from readings",
      async () => [await modelState('far'), await modelState('near')],
      ([f]) => (f?.savedJoules ?? 0) < 0,
      30_000,
      250,
    );
    const awakeServed = exporter.served.filter((r) => r.powerWatts === 210);
    const awakeSpanS = ((awakeServed.at(-1)?.at ?? 0) - (awakeServed[0]?.at ?? 0)) / 1000 + 2;
    expect(-(farAfter?.savedJoules ?? 0)).toBeLessThanOrEqual(150 * awakeSpanS);
    expect(nearAfter).toMatchObject({ savedJoules: 0, savedIsEstimate: true });
    // The sleep's credit, measured on the remote GPU: what its exporter's power dropped when far slept (the last
    // reading while it ran minus the first after it stopped, as the stand-in logged them). While far sleeps, its
    // savings grow at that many watts, and are not an estimate.
    const firstAsleep = await until(
      "the exporter's first reading after far stopped",
      () => {
        const lastAwake = exporter.served.findLastIndex((r) => r.powerWatts === 210);
        return exporter.served.slice(lastAwake + 1)[0];
      },
      (r) => r !== undefined,
      15_000,
      100,
    );
    const droppedWatts = 210 - (firstAsleep?.powerWatts ?? 210);
    expect(droppedWatts).toBe(150);
    const credited = async (): Promise<{ joules: number; at: number; estimate: boolean }> => {
      const s = await stateOf(daemon, dataDir());
      const far = s.models.find((m) => m.name === 'far');
      expect(far?.state).toBe('asleep');
      return { joules: far?.savedJoules ?? 0, at: s.at, estimate: far?.savedIsEstimate ?? true };
    };
    // The ledger measures a sleep once its after-window (10 s settling, then 20 s) has readings; until then the
    // credit is an estimate.
    const from = await until(
      "far's sleep measured from gpu2's readings",
      credited,
      (c) => !c.estimate,
      60_000,
      500,
    );
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const to = await credited();
    const creditedWatts = (to.joules - from.joules) / ((to.at - from.at) / 1000);
    expect(creditedWatts).toBeGreaterThan(droppedWatts * 0.9);
    expect(creditedWatts).toBeLessThan(droppedWatts * 1.1);
    expect(to.estimate).toBe(false);
  }, 180_000);

  it('reports the remote engine going away, answers its model with a clear error at once, and survives its return', async () => {
    await host.stopEngine();
    const away = await until(
      'gpu2 reported away',
      () => stateOf(daemon, dataDir()),
      (s) => s.engines?.find((e) => e.name === 'gpu2')?.reachable === false,
      30_000,
      200,
    );
    expect(away.engines?.find((e) => e.name === 'home')?.reachable).toBe(true);
    expect(away.models.find((m) => m.name === 'far')?.engine).toBe('gpu2');
    // `siesta status` on the headless box: the models under their engines, and which engine does not answer.
    const status = spawnSync(
      TSX,
      [CLI, 'status', '--control', daemon.controlUrl, '--data-dir', dataDir()],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(`Engine "gpu2" (${host.dockerHost}) does not answer`);
    expect(status.stdout).toMatch(/^home\s+near\s+asleep/m);
    expect(status.stdout).toMatch(/^gpu2 \(away\)\s+far\s+asleep/m);

    const startedAt = Date.now();
    const response = await fetch(`${daemon.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'far', messages: [{ role: 'user', content: 'hi' }] }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as { error: { message: string; code: string } };
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(body.error.code).toBe('model_wake_failed');
    expect(body.error.message).toMatch(
      new RegExp(
        `^"far" failed to wake: engine "gpu2" \\(${host.dockerHost}\\) does not answer since `,
      ),
    );
    // The other host's model is served meanwhile.
    expect(await chat(daemon.gatewayUrl, 'near', 5)).toBe(counted(5));

    await host.startEngine();
    await until(
      'gpu2 answering again',
      () => stateOf(daemon, dataDir()),
      (s) => s.engines?.find((e) => e.name === 'gpu2')?.reachable === true,
      60_000,
      200,
    );
    expect(await chat(daemon.gatewayUrl, 'far', 12)).toBe(counted(12));
    expect(await running(host.admin, FAR)).toBe(true);
    expect(daemon.output()).toContain('engine "gpu2"');
  }, 180_000);

  it('follows engines: while running: a removed engine is dropped with its models, said in the log; added again, it connects', async () => {
    writeFileSync(config(), ['engines:', '  home: {}', ''].join('\n'));
    const dropped = await until(
      'gpu2 dropped',
      () => stateOf(daemon, dataDir()),
      (s) => s.engines?.length === 1 && !s.models.some((m) => m.name === 'far'),
      30_000,
      200,
    );
    expect(dropped.engines?.map((e) => e.name)).toEqual(['home']);
    expect(dropped.models.map((m) => m.name)).toEqual(['near']);
    // gpu2's GPU leaves the dashboard with it.
    expect(dropped.gpus.some((g) => g.index === 100)).toBe(false);
    expect(daemon.output()).toContain(
      `engines: removed "gpu2" (${host.dockerHost}): its containers (gpu2/${FAR}) are no longer managed and are left as they are`,
    );
    expect(daemon.output()).toMatch(/models: removed far/);

    writeFileSync(config(), bothEngines());
    const back = await until(
      'gpu2 connected again',
      () => stateOf(daemon, dataDir()),
      (s) => s.models.some((m) => m.name === 'far' && m.engine === 'gpu2'),
      30_000,
      200,
    );
    expect(back.engines?.map((e) => [e.name, e.reachable])).toEqual([
      ['home', true],
      ['gpu2', true],
    ]);
    expect(daemon.output()).toContain(`engines: added "gpu2" (${host.dockerHost})`);
    expect(await chat(daemon.gatewayUrl, 'far', 4)).toBe(counted(4));
    expect(await running(host.admin, FAR)).toBe(true);
    // Its exporter is read again, under a GPU index of its own.
    await until(
      'gpu2 read again',
      async () => (await stateOf(daemon, dataDir())).gpus.find((g) => g.index >= 100)?.powerWatts,
      (w) => w === 210,
      15_000,
      100,
    );
  }, 120_000);
});
