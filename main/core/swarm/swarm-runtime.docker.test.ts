// A real single-node Docker Swarm (a dockerd of its own, in a network namespace the test creates, reached over TLS):
// a labelled service scaled 0 → 1 by a request through `siesta serve`, its request answered (streaming), and back to
// 0 after idle; services Siesta does not manage are never scaled.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureFakeModelImage, testDocker } from '../../../test/docker-harness';
import { describeAsRoot } from '../../../test/docker-suite';
import { copyImage, startSecondHost, type SecondHost } from '../../../test/second-host';
import { startDaemon, stateOf, type Daemon } from '../../../test/serve-daemon';
import { createFakeModelService } from '../../../test/swarm-service';
import { until } from '../../../test/until';
import type { SwarmService, SwarmTask } from './swarm-service-info';

const PUBLISHED_PORT = 18_000;
describeAsRoot('a Docker Swarm service as a model (single-node Swarm)', () => {
  let host: SecondHost;
  let dir: string;
  let daemon: Daemon;
  const dataDir = (): string => join(dir, 'data');
  const replicas = async (name: string): Promise<number> =>
    ((await host.admin.getService(name).inspect()) as SwarmService).Spec?.Mode?.Replicated
      ?.Replicas ?? -1;
  const runningTasks = async (name: string): Promise<number> =>
    (
      (await host.admin.listTasks({
        filters: { service: [name], 'desired-state': ['running'] },
      })) as SwarmTask[]
    ).filter((t) => t.Status?.State === 'running').length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'siesta-swarm-'));
    host = await startSecondHost({ swarm: true });
    const image = ensureFakeModelImage();
    await copyImage(testDocker(), host.admin, image);
    await createFakeModelService(host.admin, {
      name: 'svc-chat',
      image,
      publishedPort: PUBLISHED_PORT,
      labels: { 'siesta.enable': 'true', 'siesta.name': 'swarmchat', 'siesta.idle': '3s' },
      env: { START_DELAY_MS: '300' },
    });
    // Not labelled: Siesta must leave it alone.
    await createFakeModelService(host.admin, {
      name: 'svc-other',
      image,
      publishedPort: PUBLISHED_PORT + 1,
      labels: {},
    });
    const config = join(dir, 'siesta.yaml');
    writeFileSync(config, ['engines:', ...host.engineYaml('cluster', 'swarm'), ''].join('\n'));
    daemon = await startDaemon(dataDir(), ['--config', config]);
  }, 180_000);

  afterAll(async () => {
    daemon?.child.kill('SIGTERM');
    await host?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('lists the labelled service, asleep at 0 replicas, and not the other one', async () => {
    const state = await until(
      'the service model',
      () => stateOf(daemon, dataDir()),
      (s) => s.models.length > 0,
      30_000,
    );
    expect(state.models.map((m) => [m.name, m.engine, m.state, m.container])).toEqual([
      ['swarmchat', 'cluster', 'asleep', 'svc-chat'],
    ]);
    expect(state.engines).toEqual([
      {
        name: 'cluster',
        kind: 'swarm',
        address: host.dockerHost,
        reachable: true,
        detail: null,
        since: null,
      },
    ]);
  });

  it('scales the service 0 → 1 for a request, streams its answer, and back to 0 after idle', async () => {
    expect(await replicas('svc-chat')).toBe(0);
    const client = new OpenAI({
      baseURL: `${daemon.gatewayUrl}/v1`,
      apiKey: 'not-needed',
      timeout: 90_000,
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({
      model: 'swarmchat',
      messages: [{ role: 'user', content: 'count' }],
      max_tokens: 20,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(Array.from({ length: 20 }, (_, i) => `tok${i}`).join(' '));
    expect(await replicas('svc-chat')).toBe(1);
    expect(await runningTasks('svc-chat')).toBe(1);
    const ready = (await stateOf(daemon, dataDir())).models[0];
    expect(ready?.state).toBe('ready');

    await until(
      'asleep after idle',
      async () => (await stateOf(daemon, dataDir())).models[0]?.state,
      (s) => s === 'asleep',
      60_000,
      250,
    );
    expect(await replicas('svc-chat')).toBe(0);
    await until(
      'its task gone',
      () => runningTasks('svc-chat'),
      (n) => n === 0,
      30_000,
      250,
    );
    expect(await replicas('svc-other')).toBe(0);
  }, 180_000);
});
