// Ollama's API through the real gateway (issue 19): the `ollama` npm client against `startSiesta` on a real engine, an
// Ollama server of three models in a container (test/fake-ollama), and a GPU stand-in whose VRAM follows what it loaded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFakeModel, removeTestContainers, TEST_LABEL } from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { createFakeOllama, OllamaGpuStandIn } from '../../../test/fake-ollama-harness';
import { until } from '../../../test/until';
import type { StateResponse } from '../api/contract';
import { systemClock } from '../clock/clock';
import { dockerFromEnv } from '../docker/docker-client';
import type { LifecycleEvent } from '../lifecycle/model-state';
import { startSiesta, type RunningSiesta } from '../siesta';

const docker = dockerFromEnv();
const clock = systemClock();
const GIB = 1024 ** 3;
const SERVER = `ho-ollama-${process.pid}`;
const BIG = `ho-big-${process.pid}`;
/** Three models of 6 GiB each: all loaded they hold 18 of the card's 24 GiB. */
const MODEL_BYTES = { 'alpha:latest': 6 * GIB, 'beta:7b': 6 * GIB, 'gamma:2b': 6 * GIB } as const;
const NAMES = Object.keys(MODEL_BYTES).sort();

let dataDir = '';
let siesta: RunningSiesta | null = null;
let gpu: OllamaGpuStandIn | null = null;
const events: LifecycleEvent[] = [];
const logLines: string[] = [];

async function start(): Promise<RunningSiesta> {
  const running = await startSiesta({
    dataDir,
    gateway: { host: '127.0.0.1', port: 0 },
    control: { host: '127.0.0.1', port: 0 },
    docker,
    containerScope: [`${TEST_LABEL}=${process.pid}`],
    gpuProbe: gpu!.probe,
    clock,
    log: (line) => logLines.push(line),
  });
  running.settings.update({ minResidencyMs: 0 });
  running.lifecycle.onEvent((event) => events.push(event));
  return running;
}

function client(): Ollama {
  return new Ollama({ host: siesta!.gatewayUrl });
}

async function running(name: string): Promise<boolean> {
  const info = await docker.getContainer(name).inspect();
  return info.State.Running;
}

/** The control API's state, as the dashboard reads it. */
async function stateOf(): Promise<StateResponse> {
  const response = await fetch(`${siesta!.controlUrl}/api/state`, {
    headers: { authorization: `Bearer ${siesta!.token}` },
  });
  return (await response.json()) as StateResponse;
}

function wakesOf(model: string): number {
  return events.filter((e) => e.kind === 'wake-requested' && e.model === model).length;
}

async function putServerToSleep(): Promise<void> {
  await siesta!.lifecycle.sleep(SERVER, { kind: 'user', via: 'api' });
  expect(await running(SERVER)).toBe(false);
}

describeDocker('Ollama API on the gateway, real engine, ollama npm client', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'siesta-ollama-'));
    await createFakeOllama(docker, {
      name: SERVER,
      models: Object.entries(MODEL_BYTES)
        .map(([name, bytes]) => `${name}=${bytes}`)
        .join(','),
      labels: { 'siesta.enable': 'true', 'siesta.server': 'ollama', 'siesta.idle': '10m' },
      env: { TOKEN_DELAY_MS: '40' },
    });
    await createFakeModel(docker, {
      name: BIG,
      labels: {
        'siesta.enable': 'true',
        'siesta.models': 'big',
        'siesta.vram': '8GiB',
        'siesta.idle': '10m',
      },
    });
    gpu = new OllamaGpuStandIn(docker, {
      clock,
      totalBytes: 24 * GIB,
      ollama: { container: SERVER, modelBytes: MODEL_BYTES },
      containers: { [BIG]: 8 * GIB },
    });
    await gpu.start();
    siesta = await start();
  });

  afterAll(async () => {
    await siesta?.stop();
    gpu?.stop();
    await removeTestContainers(docker);
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });

  it('learns a server’s models while it is awake and lists them from the ledger while it sleeps, after a restart', async () => {
    expect((await client().list()).models).toEqual([]);
    await siesta!.lifecycle.wake(SERVER, { kind: 'user', via: 'api' });
    await until(
      'the server’s models in /api/tags',
      async () => (await client().list()).models.map((m) => m.name).sort(),
      (names) => names.length === 3,
    );
    await putServerToSleep();
    await siesta!.stop();
    siesta = await start();

    const listed = await client().list();
    expect(listed.models.map((m) => m.name).sort()).toEqual(NAMES);
    expect(listed.models.find((m) => m.name === 'beta:7b')?.size).toBe(6 * GIB);
    expect(siesta.lifecycle.get(SERVER)?.state).toBe('asleep');
  });

  it('answers /api/tags polled 100 times, /api/ps and /api/version without waking anything, and /v1/models agrees', async () => {
    const before = wakesOf(SERVER);
    const ollama = client();
    for (let i = 0; i < 100; i++) expect((await ollama.list()).models).toHaveLength(3);
    expect((await ollama.ps()).models).toEqual([]);
    expect((await ollama.version()).version).toBe('0.12.6');

    const openAi = (await (await fetch(`${siesta!.gatewayUrl}/v1/models`)).json()) as {
      data: { id: string; owned_by: string }[];
    };
    const served = openAi.data.filter((m) => m.owned_by === SERVER).map((m) => m.id);
    expect(served.sort()).toEqual((await ollama.list()).models.map((m) => m.name).sort());
    expect(wakesOf(SERVER)).toBe(before);
    expect(await running(SERVER)).toBe(false);
  });

  it('answers a model no server has with Ollama’s 404, and wakes nothing', async () => {
    const before = wakesOf(SERVER);
    await expect(
      client().chat({ model: 'nope:1b', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 404,
      error: "model 'nope:1b' not found",
    });
    const raw = await fetch(`${siesta!.gatewayUrl}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'nope:1b', prompt: 'x' }),
    });
    expect(raw.status).toBe(404);
    expect(await raw.json()).toEqual({ error: "model 'nope:1b' not found" });
    expect(await running(SERVER)).toBe(false);
    expect(wakesOf(SERVER)).toBe(before);
  });

  it('wakes a sleeping server for /api/chat and streams its NDJSON intact, token by token', async () => {
    const before = wakesOf(SERVER);
    const stream = await client().chat({
      model: 'alpha',
      messages: [{ role: 'user', content: 'hello from siesta' }],
      stream: true,
    });
    const parts: { at: number; content: string; done: boolean }[] = [];
    for await (const part of stream)
      parts.push({ at: Date.now(), content: part.message.content, done: part.done });

    expect(parts.map((p) => p.content).join('')).toBe('alpha:latest says: hello from siesta');
    expect(parts.filter((p) => !p.done)).toHaveLength(5);
    expect(parts[parts.length - 1]?.done).toBe(true);
    // The server waits 40 ms between tokens: a buffered response would arrive all at once.
    expect(parts[parts.length - 1]!.at - parts[0]!.at).toBeGreaterThanOrEqual(120);
    expect(wakesOf(SERVER)).toBe(before + 1);
    expect(siesta!.lifecycle.get(SERVER)?.state).toBe('ready');
  });

  it('sends an OpenAI request for an Ollama model to that server’s /v1 endpoints', async () => {
    const response = await fetch(`${siesta!.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'beta:7b', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe('beta:7b says: hi');
  });

  it('unloads one model of three inside the server to make room for another model, and keeps the server up', async () => {
    const ollama = client();
    await siesta!.lifecycle.wake(SERVER, { kind: 'user', via: 'api' });
    await until(
      'the server’s models',
      async () => (await ollama.list()).models,
      (models) => models.length === 3,
    );
    // alpha first, gamma last: alpha is the least recently used.
    await ollama.generate({ model: 'alpha', prompt: 'again' });
    await ollama.embed({ model: 'beta:7b', input: 'again' });
    await ollama.generate({ model: 'gamma:2b', prompt: 'now' });
    const loaded = await until(
      'three models loaded',
      async () => (await ollama.ps()).models,
      (models) => models.length === 3,
    );
    expect(loaded.map((m) => m.size_vram)).toEqual([6 * GIB, 6 * GIB, 6 * GIB]);
    const sleepsBefore = events.filter((e) => e.kind === 'sleep' && e.model === SERVER).length;
    await until(
      'Siesta to see 18 GiB used on its GPU',
      stateOf,
      (state) => state.gpus[0]?.vramUsedBytes === 18 * GIB,
    );
    // What Siesta shows under the server: each model, loaded, with its VRAM from /api/ps.
    const view = (await stateOf()).models.find((m) => m.name === SERVER);
    expect(view?.serves?.map((m) => [m.name, m.loaded, m.vramBytes])).toEqual(
      NAMES.map((n) => [n, true, 6 * GIB]),
    );
    const logFrom = gpu!.log.length;

    const response = await fetch(`${siesta!.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'big', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);

    expect((await ollama.ps()).models.map((m) => m.name).sort()).toEqual(['beta:7b', 'gamma:2b']);
    expect(await running(SERVER)).toBe(true);
    expect(siesta!.lifecycle.get(SERVER)?.state).toBe('ready');
    expect(events.filter((e) => e.kind === 'sleep' && e.model === SERVER)).toHaveLength(
      sleepsBefore,
    );
    expect(
      logLines.some((l) =>
        l.includes(`${SERVER}: unloaded alpha:latest (6.0 GiB) to make room for ${BIG}`),
      ),
    ).toBe(true);
    // What the GPU reported: never more than the card (three models and big would be 26 GiB), and 20 GiB at the end.
    expect(Math.max(...gpu!.log.slice(logFrom).map((r) => r.usedBytes))).toBeLessThanOrEqual(
      24 * GIB,
    );
    await until(
      'the stand-in to read big beside two models',
      () => gpu!.latest()?.usedBytes,
      (used) => used === 20 * GIB,
    );
  });

  it('unloads a model from the dashboard’s and tray’s control API, and refuses one that is not loaded, saying why', async () => {
    const unload = (model: string): Promise<Response> =>
      fetch(`${siesta!.controlUrl}/api/models/${SERVER}/unload`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${siesta!.token}`,
          'content-type': 'application/json',
          origin: siesta!.controlUrl,
        },
        body: JSON.stringify({ model }),
      });
    const ok = await unload('gamma:2b');
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as {
      model: { state: string; serves: { name: string; loaded: boolean }[] };
    };
    expect(body.model.state).toBe('ready');
    expect(body.model.serves.filter((m) => m.loaded).map((m) => m.name)).toEqual(['beta:7b']);
    expect((await client().ps()).models.map((m) => m.name)).toEqual(['beta:7b']);

    const again = await unload('gamma:2b');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toBe(
      '"gamma:2b" is not loaded in "' + SERVER + '" now',
    );
    expect((await unload('nope:1b')).status).toBe(404);
  });
});
