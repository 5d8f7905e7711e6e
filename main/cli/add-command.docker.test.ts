// `siesta add` as a user runs it, against a running `siesta serve`, the real Engine and a loopback registry: the pull
// is shown layer by layer, the container is created asleep, the daemon picks it up and wakes it, and it answers a chat
// request through the gateway. A second add of the name is refused and changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeTestContainers, TEST_LABEL, testDocker } from '../../test/docker-harness';
import { describeDocker } from '../../test/docker-suite';
import { pushFakeServerImage, startRegistry, type TestRegistry } from '../../test/registry-harness';
import { startSiestaDaemon, stateOf, runSiesta, type SiestaDaemon } from '../../test/siesta-daemon';

const docker = testDocker();
const NAME = 'cli-added';

describeDocker('siesta add', () => {
  let registry: TestRegistry;
  let image: string;
  let dataDir: string;
  let daemon: SiestaDaemon;

  beforeAll(async () => {
    registry = await startRegistry();
    image = pushFakeServerImage(registry, `siesta-test/cli-add:${process.pid}`, 5_000_000);
    dataDir = mkdtempSync(join(tmpdir(), 'siesta-add-'));
    daemon = await startSiestaDaemon(dataDir);
  }, 120_000);

  afterAll(async () => {
    daemon.child.kill('SIGTERM');
    await removeTestContainers(docker);
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    await registry.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a container from the vLLM template that the daemon wakes and that answers through the gateway', async () => {
    const client = ['--control', daemon.controlUrl, '--data-dir', dataDir];
    const added = await runSiesta([
      'add',
      NAME,
      '--template',
      'vllm',
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--image',
      image,
      '--gpu',
      'none',
      '--idle',
      '1m',
      '--label',
      `${TEST_LABEL}=${process.pid}`,
      '--wake',
      ...client,
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const lines = added.stdout.split('\n');
    expect(lines).toContain(
      'The running Siesta sees no GPU: the model runs without one (--gpu none).',
    );
    expect(lines).toContain(
      '  BF16             18.0 GiB  15.0 GiB  1.0 GiB   2.0 GiB  no GPU seen',
    );
    // A pipe gets the pull as lines: the base layer is already here, the weights layer arrives.
    expect(lines).toContain(`pulling ${image}: 2/2 layers done, 100% of the known bytes`);
    expect(lines).toContain(`Pulled ${image}.`);
    expect(lines).toContain(
      `Created container "${NAME}" (asleep); it wakes on its first request through Siesta's gateway.`,
    );
    expect(lines.some((l) => new RegExp(`^${NAME} is ready after \\d+\\.\\d s$`).test(l))).toBe(
      true,
    );
    const model = (await stateOf(daemon)).models.find((m) => m.name === NAME);
    expect(model?.state).toBe('ready');

    const response = await fetch(`${daemon.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: NAME,
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 2,
      }),
      signal: AbortSignal.timeout(30_000),
    });
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]
        ?.message.content,
    ).toBe('tok0 tok1');

    const again = await runSiesta([
      'add',
      NAME,
      '--template',
      'vllm',
      '--model',
      'x/y-1B',
      '--image',
      image,
      '--gpu',
      'none',
      ...client,
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `siesta: name: Siesta already has a model named "${NAME}"; choose another name\n`,
    );
    expect((await docker.getContainer(NAME).inspect()).State.Running).toBe(true);
  }, 120_000);
});
