// Ollama's paths on the gateway over a fake lifecycle and real local upstreams: what is answered without a wake, in
// Ollama's error shape, and what reaches the server that has the model.
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock/clock';
import type { OllamaLoadedModel, OllamaTag, ServerModel } from '../ollama/ollama-types';
import { Gateway } from './gateway';
import { gatewaySettings } from './gateway-settings';
import type { OllamaDirectory } from './ollama-directory';
import { FakeLifecycle } from './testdata/fake-lifecycle';
import { call } from './testdata/http-call';
import { freePort } from '../../../test/free-port';

const tag = (name: string): OllamaTag => ({
  name,
  model: name,
  modified_at: '',
  size: 1,
  digest: `d-${name}`,
  details: {},
});

/** One server, "ollama", with two models; nothing loaded. */
function directory(): OllamaDirectory & { uses: string[] } {
  const models: ServerModel[] = [
    { server: 'ollama', tag: tag('llama3.2:latest') },
    { server: 'ollama', tag: tag('qwen2.5:7b') },
  ];
  const uses: string[] = [];
  return {
    uses,
    models: () => models,
    modelsOf: (server) => models.filter((m) => m.server === server).map((m) => m.tag),
    serverFor: (asked) =>
      models.find((m) => m.tag.name === asked || m.tag.name === `${asked}:latest`),
    loaded: (): OllamaLoadedModel[] => [],
    refresh: () => Promise.resolve(),
    version: () => null,
    noteUse: (server, model) => void uses.push(`${server} ${model}`),
  };
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

async function start(dedicatedPort: number | null = null) {
  const lifecycle = new FakeLifecycle([
    { name: 'ollama', server: 'ollama', listenPort: dedicatedPort },
    { name: 'qwen', models: ['qwen'] },
  ]);
  const ollama = directory();
  const gateway = new Gateway({
    lifecycle,
    clock: systemClock(),
    settings: gatewaySettings({ port: 0 }),
    ollama,
  });
  await gateway.start();
  close = async () => {
    await gateway.stop();
    await lifecycle.close();
  };
  return { lifecycle, ollama, port: gateway.addresses()[0]!.port };
}

const post = (path: string, body: unknown) => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe("Ollama's API on the gateway", () => {
  it('answers the lists of a sleeping server on its own port without waking it', async () => {
    const port = await freePort();
    const { lifecycle } = await start(port);
    const tags = await call(port, { path: '/api/tags' });
    expect(tags.status).toBe(200);
    expect((JSON.parse(tags.body) as { models: OllamaTag[] }).models.map((m) => m.name)).toEqual([
      'llama3.2:latest',
      'qwen2.5:7b',
    ]);
    expect(JSON.parse((await call(port, { path: '/api/ps' })).body)).toEqual({ models: [] });
    expect(JSON.parse((await call(port, { path: '/api/version' })).body)).toEqual({
      version: '0.12.6',
    });
    expect(lifecycle.acquires).toEqual([]);
    expect(lifecycle.wakes).toEqual([]);
  });

  it('answers a model a sleeping server does not have with Ollama’s 404 on its own port, and wakes it for one it has', async () => {
    const port = await freePort();
    const { lifecycle, ollama } = await start(port);
    const unknown = await call(port, post('/api/chat', { model: 'mistral', messages: [] }));
    expect([unknown.status, unknown.body]).toEqual([
      404,
      '{"error":"model \'mistral\' not found"}',
    ]);
    expect(lifecycle.acquires).toEqual([]);

    const known = await call(
      port,
      post('/api/chat', { model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(JSON.parse(known.body)).toMatchObject({ model: 'ollama', url: '/api/chat' });
    expect(lifecycle.acquires.map((a) => [a.model, a.cause.kind])).toEqual([['ollama', 'request']]);
    expect(ollama.uses).toEqual(['ollama qwen2.5:7b']);
  });

  it('says what is wrong with a body in Ollama’s shape, and wakes nothing', async () => {
    const { port, lifecycle } = await start();
    const notJson = await call(port, { method: 'POST', path: '/api/chat', body: '{"model":' });
    expect(notJson.status).toBe(400);
    expect(Object.keys(JSON.parse(notJson.body) as object)).toEqual(['error']);
    expect((await call(port, post('/api/chat', { messages: [] }))).body).toBe(
      '{"error":"model is required"}',
    );
    const openAiModel = await call(port, post('/api/generate', { model: 'qwen', prompt: 'hi' }));
    expect(openAiModel.status).toBe(400);
    expect(openAiModel.body).toContain("speaks OpenAI's API, not Ollama's");
    const unknown = await call(port, post('/api/embed', { model: 'nope', input: 'x' }));
    expect([unknown.status, unknown.body]).toEqual([404, '{"error":"model \'nope\' not found"}']);
    const pull = await call(port, post('/api/pull', { model: 'llama3.2' }));
    expect(pull.status).toBe(404);
    expect((JSON.parse(pull.body) as { error: string }).error).toMatch(
      /^Siesta's gateway routes POST \/api\/pull to no Ollama server: .* Send this one to the server's own port/,
    );
    expect(lifecycle.acquires).toEqual([]);
  });

  it('answers an unload of a sleeping server’s model without waking it', async () => {
    const { port, lifecycle } = await start();
    const answer = await call(port, post('/api/generate', { model: 'llama3.2', keep_alive: 0 }));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      model: 'llama3.2:latest',
      done: true,
      done_reason: 'unload',
      response: '',
    });
    expect(lifecycle.acquires).toEqual([]);
  });

  it('routes a chat by its model to the server that has it, and notes the use when it ends', async () => {
    const { port, lifecycle, ollama } = await start();
    const answer = await call(
      port,
      post('/api/chat', { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] }),
    );
    // The test upstream has no /api/chat: its own 404 shows the request reached the server, path intact.
    expect(JSON.parse(answer.body)).toMatchObject({ model: 'ollama', url: '/api/chat' });
    expect(lifecycle.acquires.map((a) => [a.model, a.cause])).toEqual([
      ['ollama', { kind: 'request', route: 'model-field', detail: 'llama3.2' }],
    ]);
    expect(ollama.uses).toEqual(['ollama llama3.2:latest']);
  });

  it('lists the servers’ models in /v1/models, and sends an OpenAI request for one to that server', async () => {
    const { port, lifecycle } = await start();
    const list = JSON.parse((await call(port, { path: '/v1/models' })).body) as {
      data: { id: string; owned_by: string }[];
    };
    expect(list.data.map((m) => [m.id, m.owned_by])).toEqual([
      ['llama3.2:latest', 'ollama'],
      ['qwen2.5:7b', 'ollama'],
      ['qwen', 'qwen'],
    ]);
    const answer = await call(
      port,
      post('/v1/chat/completions', { model: 'qwen2.5:7b', messages: [] }),
    );
    expect(answer.status).toBe(200);
    expect(lifecycle.acquires.map((a) => a.model)).toEqual(['ollama']);
  });
});
