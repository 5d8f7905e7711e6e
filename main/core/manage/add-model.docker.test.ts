// Adding a model against the real Engine and a loopback registry: the pull streams per-layer progress, the container is
// made asleep with Siesta's labels, and every bad input is refused with a clear error that leaves nothing behind.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createFakeModel,
  removeContainer,
  removeTestContainers,
  TEST_LABEL,
  testDocker,
} from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { freePort } from '../../../test/free-port';
import {
  breakWeightsLayer,
  pushFakeServerImage,
  startRegistry,
  type TestRegistry,
} from '../../../test/registry-harness';
import { hasImage } from '../docker/image-pull';
import { addModel, type AddModelProgress } from './add-model';
import { AddModelError } from './add-model-error';
import type { AddModelRequest } from './add-plan';

const docker = testDocker();
const GiB = 2 ** 30;
const labels = { [TEST_LABEL]: String(process.pid) };

async function refusal(
  request: AddModelRequest,
  gpus: { totalBytes: number }[] = [],
): Promise<AddModelError> {
  const error: unknown = await addModel(docker, request, {
    gpus: gpus.map((g, index) => ({
      index,
      name: `GPU ${index}`,
      totalBytes: g.totalBytes,
      freeBytes: g.totalBytes,
    })),
    modelNames: ['taken-model'],
  }).then(
    () => new Error('it was added'),
    (e: unknown) => e,
  );
  if (!(error instanceof AddModelError)) throw error;
  return error;
}

async function exists(name: string): Promise<boolean> {
  return docker
    .getContainer(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

describeDocker('adding a model from a template', () => {
  let registry: TestRegistry;
  let image: string;

  beforeAll(async () => {
    registry = await startRegistry();
    image = pushFakeServerImage(registry, `siesta-test/fake-vllm:${process.pid}`, 6_000_000);
  }, 120_000);

  afterAll(async () => {
    await removeTestContainers(docker);
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    await registry.stop();
  });

  it('pulls the image from the registry with per-layer progress and creates the labelled container, asleep', async () => {
    const seen: AddModelProgress[] = [];
    const result = await addModel(
      docker,
      {
        template: 'vllm',
        name: 'add-pulled',
        modelId: 'meta-llama/Llama-3.1-8B-Instruct',
        idle: '2m',
        gpu: 'none',
        image,
        labels,
      },
      { gpus: [], modelNames: [], onProgress: (p) => seen.push(p) },
    );
    const pulls = seen.flatMap((p) => (p.step === 'pull' ? [p.progress] : []));
    const downloading = pulls.flatMap((p) => p.layers).filter((l) => l.status === 'Downloading');
    // The weights layer (6 MB of random bytes, compressed no smaller) is reported while it downloads, then complete.
    expect(
      downloading.some(
        (l) => (l.totalBytes ?? 0) >= 6_000_000 && l.currentBytes < (l.totalBytes ?? 0),
      ),
    ).toBe(true);
    const last = pulls[pulls.length - 1];
    expect(last?.layers.every((l) => l.done)).toBe(true);
    expect(last?.layers.length).toBe(2);
    expect(seen.map((p) => p.step).filter((s) => s !== 'pull')).toEqual([
      'planned',
      'image-ready',
      'created',
    ]);

    const info = await docker.getContainer(result.containerId).inspect();
    expect(info.State.Running).toBe(false);
    expect(info.Config.Labels).toMatchObject({
      'siesta.enable': 'true',
      'siesta.name': 'add-pulled',
      'siesta.port': '8000',
      'siesta.health': '/health',
      'siesta.idle': '2m',
      'siesta-template.id': 'vllm',
    });
    expect(info.Config.Cmd).toEqual(
      expect.arrayContaining([
        '--model',
        'meta-llama/Llama-3.1-8B-Instruct',
        '--served-model-name',
        'add-pulled',
      ]),
    );
    expect(info.HostConfig.PortBindings).toEqual({
      '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
    });
    expect(info.Mounts.map((m) => [m.Type, m.Name, m.Destination])).toEqual([
      ['volume', 'siesta-cache-vllm', '/root/.cache/huggingface'],
    ]);

    // The second add of the same image pulls nothing.
    const again: AddModelProgress[] = [];
    await addModel(
      docker,
      { template: 'vllm', name: 'add-cached', modelId: 'x/y-1B', gpu: 'none', image, labels },
      { gpus: [], modelNames: [], onProgress: (p) => again.push(p) },
    );
    expect(again.map((p) => p.step)).toEqual(['planned', 'image-ready', 'created']);
  }, 120_000);

  it('refuses a name Siesta or the Engine already has, and leaves the existing container as it was', async () => {
    await createFakeModel(docker, { name: 'add-existing' });
    const before = await docker.getContainer('add-existing').inspect();
    const engineName = await refusal({
      template: 'vllm',
      name: 'add-existing',
      modelId: 'a/b-1B',
      gpu: 'none',
      image,
      labels,
    });
    expect(engineName.code).toBe('name-taken');
    expect(engineName.message).toBe(
      'name: a container named "add-existing" already exists (adopt it instead, or choose another name)',
    );
    expect((await docker.getContainer('add-existing').inspect()).Id).toBe(before.Id);
    const modelName = await refusal({
      template: 'vllm',
      name: 'taken-model',
      modelId: 'a/b-1B',
      gpu: 'none',
      image,
      labels,
    });
    expect(modelName.message).toBe(
      'name: Siesta already has a model named "taken-model"; choose another name',
    );
    expect(await exists('taken-model')).toBe(false);
  });

  it('refuses a host port that is taken, an unknown template, a model that cannot fit, and creates nothing', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const taken = await refusal({
        template: 'vllm',
        name: 'add-port',
        modelId: 'a/b-1B',
        gpu: 'none',
        image,
        hostPort: port,
        labels,
      });
      expect(taken.code).toBe('port-taken');
      expect(taken.message).toBe(
        `hostPort: 127.0.0.1:${port} is already in use; leave the port empty and the Engine picks a free one`,
      );
    } finally {
      holder.close();
    }
    expect(await exists('add-port')).toBe(false);
    expect((await refusal({ template: 'vlm', name: 'add-typo', labels })).message).toMatch(
      /^template: no template "vlm"; the templates are /,
    );
    const tooBig = await refusal(
      {
        template: 'vllm',
        name: 'add-big',
        modelId: 'meta-llama/Llama-3.1-70B-Instruct',
        gpu: 0,
        image: `${registry.host}/siesta-test/never:1`,
        labels,
      },
      [{ totalBytes: 24 * GiB }],
    );
    expect(tooBig.code).toBe('cannot-fit');
    expect(tooBig.message).toMatch(
      /^modelId: Llama 3\.1 70B at BF16 with 8192 tokens of context needs about 136GiB, more than GPU 0 \(GPU 0, 24GiB\) holds; choose a smaller model or a shorter context$/,
    );
    expect(await exists('add-big')).toBe(false);
  });

  it('says which image could not be pulled, for an unknown image and for a pull that fails midway, and leaves nothing', async () => {
    const unknown = await refusal({
      template: 'vllm',
      name: 'add-unknown',
      modelId: 'a/b-1B',
      gpu: 'none',
      image: `${registry.host}/siesta-test/nothing-here:1`,
      labels,
    });
    expect(unknown.code).toBe('pull-failed');
    expect(unknown.message).toMatch(
      new RegExp(
        `^image: pulling image ${registry.host}/siesta-test/nothing-here:1 failed: .*(not found|unknown)`,
        'i',
      ),
    );
    expect(await exists('add-unknown')).toBe(false);

    const broken = pushFakeServerImage(
      registry,
      `siesta-test/fake-broken:${process.pid}`,
      3_000_000,
    );
    breakWeightsLayer(registry, 3_000_000);
    const midway = await refusal({
      template: 'vllm',
      name: 'add-midway',
      modelId: 'a/b-1B',
      gpu: 'none',
      image: broken,
      labels,
    });
    expect(midway.code).toBe('pull-failed');
    expect(midway.message).toBe(
      `image: pulling image ${broken} failed: unknown blob (after 1 of 2 layers)`,
    );
    expect(await exists('add-midway')).toBe(false);
    expect(await hasImage(docker, broken)).toBe(false);
    await removeContainer(docker, 'add-existing');
  }, 120_000);
});
