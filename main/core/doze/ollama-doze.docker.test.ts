// The Ollama doze on the real engine (issue 15): a fake Ollama server in a container labelled `siesta.doze=ollama`,
// the whole daemon (`startSiesta`), the `ollama` npm client on the gateway, and a GPU stand-in whose VRAM follows what
// the server has loaded. A doze unloads every model and keeps the container; the next request is answered at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeTestContainers, TEST_LABEL } from '../../../test/docker-harness';
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
const SERVER = `hz-ollama-${process.pid}`;
const MODEL_BYTES = { 'alpha:latest': 6 * GIB, 'beta:7b': 4 * GIB } as const;

let dataDir = '';
let siesta: RunningSiesta | null = null;
let gpu: OllamaGpuStandIn | null = null;
const events: LifecycleEvent[] = [];
const logLines: string[] = [];

async function startedAt(): Promise<string> {
  const info = await docker.getContainer(SERVER).inspect();
  expect(info.State.Running).toBe(true);
  return info.State.StartedAt;
}

describeDocker(
  'an Ollama server dozes by unloading its models (real engine, ollama npm client)',
  () => {
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'siesta-ollama-doze-'));
      await createFakeOllama(docker, {
        name: SERVER,
        models: Object.entries(MODEL_BYTES)
          .map(([name, bytes]) => `${name}=${bytes}`)
          .join(','),
        labels: {
          'siesta.enable': 'true',
          'siesta.server': 'ollama',
          'siesta.doze': 'ollama',
          'siesta.idle': '10m',
        },
      });
      gpu = new OllamaGpuStandIn(docker, {
        clock,
        totalBytes: 24 * GIB,
        ollama: { container: SERVER, modelBytes: MODEL_BYTES },
        containers: {},
      });
      await gpu.start();
      siesta = await startSiesta({
        dataDir,
        gateway: { host: '127.0.0.1', port: 0 },
        control: { host: '127.0.0.1', port: 0 },
        docker,
        containerScope: [`${TEST_LABEL}=${process.pid}`],
        gpuProbe: gpu.probe,
        clock,
        log: (line) => logLines.push(line),
      });
      siesta.lifecycle.onEvent((event) => events.push(event));
    }, 120_000);

    afterAll(async () => {
      await siesta?.stop();
      gpu?.stop();
      await removeTestContainers(docker);
      if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
    });

    it('a doze frees every loaded model’s VRAM and keeps the container; the next request is answered from the doze', async () => {
      const client = new Ollama({ host: siesta!.gatewayUrl });
      await siesta!.lifecycle.wake(SERVER, { kind: 'user', via: 'api' });
      await until(
        'the server’s models in /api/tags',
        async () => (await client.list()).models.length,
        (count) => count === 2,
      );
      for (const model of ['alpha', 'beta:7b'])
        expect((await client.generate({ model, prompt: 'hi' })).response).toContain('says: hi');
      await until(
        'the stand-in to see both models loaded',
        () => gpu!.latest()?.usedBytes,
        (used) => used === 10 * GIB,
      );
      const started = await startedAt();

      await siesta!.lifecycle.doze(SERVER, { kind: 'user', via: 'api' });
      expect(siesta!.lifecycle.get(SERVER)?.state).toBe('dozed');
      await until(
        'the stand-in to see the VRAM freed',
        () => gpu!.latest(),
        (r) => r?.usedBytes === 0 && r.ollamaLoaded.length === 0,
      );
      expect(await startedAt()).toBe(started);

      const reply = await client.chat({
        model: 'alpha',
        messages: [{ role: 'user', content: 'again' }],
      });
      expect(reply.message.content).toBe('alpha:latest says: again');
      expect(siesta!.lifecycle.get(SERVER)?.state).toBe('ready');
      expect(await startedAt()).toBe(started);
      const woke = events.filter((e) => e.model === SERVER && e.kind === 'ready').at(-1);
      expect(woke).toMatchObject({ kind: 'ready', from: 'dozed' });
      await until(
        'the stand-in to see alpha loaded again',
        () => gpu!.latest(),
        (r) => r?.usedBytes === 6 * GIB && r.ollamaLoaded.join() === 'alpha:latest',
      );
    });

    it('a doze with fewer models loaded than before frees all it held: no "freed too little" warning', async () => {
      // alpha alone is loaded now (6 GiB of the 10 GiB the server held at its first doze).
      await siesta!.lifecycle.doze(SERVER, { kind: 'user', via: 'api' });
      await until(
        'the stand-in to see the VRAM freed',
        () => gpu!.latest()?.usedBytes,
        (used) => used === 0,
      );
      const response = await fetch(`${siesta!.controlUrl}/api/state`, {
        headers: { authorization: `Bearer ${siesta!.token}` },
      });
      const state = (await response.json()) as StateResponse;
      const view = state.models.find((m) => m.name === SERVER);
      expect(view?.state).toBe('dozed');
      expect(view?.doze?.warning ?? null).toBeNull();
      expect(logLines.filter((l) => l.includes('still holds'))).toEqual([]);
    });
  },
);
