// Dozes on the real engine (issue 15): a fake server with vLLM's, SGLang's and custom sleep APIs in a container, its
// doze read from the container's labels, and a GPU stand-in whose VRAM follows the fake's own sleep state.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createFakeModel,
  ensureFakeDozeImage,
  removeTestContainers,
} from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { dockerFromEnv } from '../docker/docker-client';
import type { Upstream } from '../lifecycle/model-state';
import { judgeDoze } from './doze-check';
import { dozeClient } from './doze-client';
import { dozeSpecFromLabels } from '../config/doze-spec';

const docker = dockerFromEnv();
const GIB = 1024 ** 3;
const WAKE_DELAY_MS = 400;

/** The GPU stand-in: what the fake says it holds (14 GiB awake, its leftover dozed), plus 0.4 GiB of CUDA context. */
async function usedBytes(upstream: Upstream): Promise<number> {
  const res = await fetch(`http://${upstream.host}:${upstream.port}/fake/state`, {
    signal: AbortSignal.timeout(5_000),
  });
  return ((await res.json()) as { usedBytes: number }).usedBytes + 0.4 * GIB;
}

/** Watts of the stand-in: 30 W idle card, 3 W per GiB held. */
function wattsFor(bytes: number): number {
  return 30 + (3 * bytes) / GIB;
}

async function request(upstream: Upstream): Promise<{ status: number; wakes: number | null }> {
  const res = await fetch(`http://${upstream.host}:${upstream.port}/whoami`, {
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json()) as { wakes?: number };
  return { status: res.status, wakes: body.wakes ?? null };
}

async function startFake(
  name: string,
  labels: Record<string, string>,
  env: Record<string, string> = {},
) {
  const container = await createFakeModel(docker, {
    name,
    image: ensureFakeDozeImage(),
    labels: { 'siesta.enable': 'true', ...labels },
    env: { WAKE_DELAY_MS: String(WAKE_DELAY_MS), ...env },
    start: true,
  });
  const info = await container.inspect();
  const upstream: Upstream = {
    host: '127.0.0.1',
    port: Number(info.NetworkSettings.Ports['8000/tcp']?.[0]?.HostPort ?? 0),
  };
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${upstream.port}/health`, {
      // A connection to a container that just started is now and then accepted and never answered: try a new one.
      signal: AbortSignal.timeout(1_000),
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 200) throw new Error(`${name} did not answer /health`);
    await new Promise((r) => setTimeout(r, 25));
  }
  // The doze comes from the container's labels, as Siesta reads them.
  const spec = dozeSpecFromLabels(info.Config.Labels, `container ${name}`);
  if (!spec) throw new Error(`${name} has no doze label`);
  return { upstream, client: dozeClient(name, spec, upstream), spec };
}

describeDocker('dozing a model through its server’s own sleep API, with the real engine', () => {
  // Building the image (docker import) can take a while on a loaded machine: before the tests, not inside one.
  beforeAll(() => void ensureFakeDozeImage(), 180_000);

  afterAll(async () => {
    await removeTestContainers(docker);
  });

  const cases = [
    { kind: 'vllm', labels: { 'siesta.doze': 'vllm' }, hasStatus: true },
    { kind: 'sglang', labels: { 'siesta.doze': 'sglang' }, hasStatus: false },
    {
      kind: 'http',
      labels: {
        'siesta.doze': 'http',
        'siesta.doze.sleep': '/custom/doze',
        'siesta.doze.wake': '/custom/wake',
        'siesta.doze.status': '/custom/state',
      },
      hasStatus: true,
    },
  ] as const;

  for (const c of cases) {
    it(`${c.kind}: a doze frees the VRAM (checked on the GPU stand-in), requests wait, and a wake answers again`, async () => {
      const { upstream, client } = await startFake(`hd-doze-${c.kind}`, c.labels);
      expect(await request(upstream)).toEqual({ status: 200, wakes: 0 });
      const before = await usedBytes(upstream);
      await client.doze();
      const after = await usedBytes(upstream);
      expect(await client.isDozed()).toBe(c.hasStatus ? true : null);
      const verdict = judgeDoze(
        {
          model: c.kind,
          gpuIndex: 0,
          usedBeforeBytes: before,
          usedAfterBytes: after,
          powerBeforeWatts: wattsFor(before),
          powerAfterWatts: wattsFor(after),
        },
        14 * GIB,
      );
      expect(verdict).toMatchObject({ enough: true, warning: null, freedBytes: 14 * GIB });
      expect(verdict.dozedWatts).toBeCloseTo(31.2, 5);
      expect((await request(upstream)).status).toBe(503);

      const t0 = performance.now();
      await client.wake();
      const wakeMs = performance.now() - t0;
      expect(wakeMs).toBeGreaterThanOrEqual(WAKE_DELAY_MS - 5);
      if (c.hasStatus) expect(await client.isDozed()).toBe(false);
      expect(await request(upstream)).toEqual({ status: 200, wakes: 1 });
    });
  }

  it('notices a doze that freed too little (the server kept 12 GiB) and says so', async () => {
    const { upstream, client } = await startFake(
      'hd-doze-leaky',
      { 'siesta.doze': 'vllm' },
      { LEFTOVER_BYTES: String(12 * GIB) },
    );
    const before = await usedBytes(upstream);
    await client.doze();
    const after = await usedBytes(upstream);
    const verdict = judgeDoze(
      {
        model: 'hd-doze-leaky',
        gpuIndex: 0,
        usedBeforeBytes: before,
        usedAfterBytes: after,
        powerBeforeWatts: null,
        powerAfterWatts: null,
      },
      14 * GIB,
    );
    expect(verdict.enough).toBe(false);
    expect(verdict.warning).toBe(
      'hd-doze-leaky dozed but still holds 12.0 GiB of its 14.0 GiB on GPU 0 (its server kept them allocated); Siesta stops it instead when another model needs the room.',
    );
  });

  it('says what went wrong when the server has no sleep API', async () => {
    const { upstream } = await startFake('hd-doze-wrong', { 'siesta.doze': 'vllm' });
    const client = dozeClient(
      'hd-doze-wrong',
      { kind: 'http', sleepPath: '/nope', wakePath: '/nope', statusPath: null },
      upstream,
    );
    await expect(client.doze()).rejects.toThrow(
      'hd-doze-wrong: POST /nope (http doze) answered HTTP 404: {"error":"no route POST /nope"}',
    );
  });
});
