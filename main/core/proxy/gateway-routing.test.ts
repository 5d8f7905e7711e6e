import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayFixture } from './testdata/gateway-fixture';
import { startGateway } from './testdata/gateway-fixture';
import { call, freePort } from './testdata/http-call';

let fx: GatewayFixture | null = null;
afterEach(async () => {
  await fx?.close();
  fx = null;
});

interface Whoami {
  readonly model: string;
  readonly url: string;
  readonly headers: Record<string, string>;
}

describe('the gateway finds the model of a request', () => {
  it('by dedicated port first, then NAME.localhost, then /NAME/, then the model field', async () => {
    const port = await freePort();
    fx = await startGateway([
      { name: 'byport', listenPort: port },
      { name: 'byhost' },
      { name: 'bypath' },
      { name: 'byfield', models: ['gpt-field', 'field-alias'] },
    ]);
    const onPort = await call(port, {
      path: '/bypath/whoami',
      headers: { host: 'byhost.localhost' },
    });
    expect((JSON.parse(onPort.body) as Whoami).model).toBe('byport');
    const onHost = await call(fx.port, {
      path: '/bypath/whoami',
      headers: { host: `byhost.localhost:${fx.port}` },
    });
    expect(JSON.parse(onHost.body) as Whoami).toMatchObject({
      model: 'byhost',
      url: '/bypath/whoami',
    });
    const onPath = await call(fx.port, { path: '/bypath/whoami?x=1' });
    expect(JSON.parse(onPath.body) as Whoami).toMatchObject({
      model: 'bypath',
      url: '/whoami?x=1',
    });
    expect((JSON.parse(onPath.body) as Whoami).headers['x-forwarded-prefix']).toBe('/bypath');
    const body = JSON.stringify({
      model: 'field-alias',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const byField = await call(fx.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(byField.status).toBe(200);
    expect(JSON.parse(byField.body)).toEqual({ served_by: 'byfield', body });
    expect(fx.lifecycle.acquires.map((a) => a.cause)).toEqual([
      { kind: 'request', route: 'port', detail: String(port) },
      { kind: 'request', route: 'host', detail: 'byhost.localhost' },
      { kind: 'request', route: 'path', detail: '/bypath/' },
      { kind: 'request', route: 'model-field', detail: 'field-alias' },
    ]);
  });

  it('routes a multipart form (as the audio endpoints send) by its model field', async () => {
    fx = await startGateway([{ name: 'whisper', models: ['whisper-1'] }]);
    const boundary = '----siesta';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF\r\n--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--${boundary}--\r\n`;
    const res = await call(fx.port, {
      method: 'POST',
      path: '/v1/audio/transcriptions',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(res.status).toBe(404); // the upstream has no such route: the request reached it
    expect(JSON.parse(res.body)).toMatchObject({ model: 'whisper' });
    expect(fx.lifecycle.acquires[0]?.cause).toEqual({
      kind: 'request',
      route: 'model-field',
      detail: 'whisper-1',
    });
  });

  it('lists every OpenAI model of every container on GET /v1/models without waking anything', async () => {
    fx = await startGateway([{ name: 'llama', models: ['llama-3', 'llama'] }, { name: 'sd' }]);
    await fx.lifecycle.setReady('sd');
    const res = await call(fx.port, { path: '/v1/models' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      object: 'list',
      data: [
        {
          id: 'llama-3',
          object: 'model',
          created: 0,
          owned_by: 'llama',
          siesta: { model: 'llama', state: 'asleep' },
        },
        {
          id: 'llama',
          object: 'model',
          created: 0,
          owned_by: 'llama',
          siesta: { model: 'llama', state: 'asleep' },
        },
        {
          id: 'sd',
          object: 'model',
          created: 0,
          owned_by: 'sd',
          siesta: { model: 'sd', state: 'ready' },
        },
      ],
    });
    const one = await call(fx.port, { path: '/v1/models/llama-3' });
    expect(JSON.parse(one.body)).toMatchObject({ id: 'llama-3', owned_by: 'llama' });
    expect(fx.lifecycle.acquires).toEqual([]);
    expect(fx.lifecycle.wakes).toEqual([]);
  });

  it('answers /v1/models of a sleeping model behind its own port itself, so clients that poll it do not wake it', async () => {
    const port = await freePort();
    fx = await startGateway([{ name: 'ollama', models: ['llama3:8b'], listenPort: port }]);
    const res = await call(port, { path: '/v1/models' });
    expect(JSON.parse(res.body)).toMatchObject({
      data: [{ id: 'llama3:8b', siesta: { state: 'asleep' } }],
    });
    expect(fx.lifecycle.acquires).toEqual([]);
  });

  it('answers 404 listing the known models for an unknown model, in the OpenAI error shape', async () => {
    fx = await startGateway([{ name: 'llama', models: ['llama-3'] }, { name: 'sd' }]);
    const res = await call(fx.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4' }),
    });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({
      error: {
        message: 'The model "gpt-4" does not exist; known models: llama-3, sd.',
        type: 'invalid_request_error',
        code: 'model_not_found',
      },
    });
    const unrouted = await call(fx.port, { path: '/nothing' });
    expect(unrouted.status).toBe(404);
    expect(unrouted.headers['content-type']).toContain('text/plain');
    expect(unrouted.body).toContain('known models: llama-3, sd');
    expect(fx.lifecycle.acquires).toEqual([]);
  });

  it('answers 400 for a POST /v1/ body that names no model', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    const res = await call(fx.port, {
      method: 'POST',
      path: '/v1/embeddings',
      body: '{"input":"x"}',
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      error: { type: 'invalid_request_error', code: 'model_missing' },
    });
  });

  it('answers 400 naming the JSON error for a POST /v1/ body that is not JSON, and wakes nothing', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    const res = await call(fx.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      body: '{"model": llama}',
    });
    expect(res.status).toBe(400);
    const error = (JSON.parse(res.body) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('invalid_json');
    expect(error.message).toMatch(
      /^The request body is not valid JSON, so Siesta cannot read its "model" field \(.*JSON.*\)/,
    );
    expect(fx.lifecycle.acquires).toEqual([]);
  });

  it('answers 413 when the body is larger than it reads for routing, and wakes nothing', async () => {
    fx = await startGateway([{ name: 'llama' }], { maxRoutingBodyBytes: 1024 });
    const big = JSON.stringify({ model: 'llama', input: 'x'.repeat(4096) });
    const declared = await call(fx.port, { method: 'POST', path: '/v1/embeddings', body: big });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({
      error: { code: 'request_too_large', type: 'invalid_request_error' },
    });
    // Without a Content-Length the limit is found while reading.
    const chunked = await call(fx.port, {
      method: 'POST',
      path: '/v1/embeddings',
      headers: { 'transfer-encoding': 'chunked' },
      body: big,
    });
    expect(chunked.status).toBe(413);
    expect(fx.lifecycle.acquires).toEqual([]);
  });

  it('keeps the client Host and adds X-Forwarded-For/Host/Proto, dropping hop-by-hop headers', async () => {
    fx = await startGateway([{ name: 'web' }]);
    const res = await call(fx.port, {
      path: '/whoami',
      headers: {
        host: `web.localhost:${fx.port}`,
        connection: 'keep-alive, x-secret',
        'x-secret': 'drop me',
        'keep-alive': 'timeout=5',
        'x-kept': 'yes',
      },
    });
    const seen = (JSON.parse(res.body) as Whoami).headers;
    expect(seen.host).toBe(`web.localhost:${fx.port}`);
    expect(seen['x-forwarded-host']).toBe(`web.localhost:${fx.port}`);
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-kept']).toBe('yes');
    expect(seen['x-secret']).toBeUndefined();
    expect(seen['keep-alive']).toBeUndefined();
  });

  it('opens and closes dedicated ports when the specs change', async () => {
    fx = await startGateway([{ name: 'a' }]);
    const port = await freePort();
    fx.lifecycle.add({ name: 'b', listenPort: port });
    await fx.gateway.updateListenPorts();
    expect(fx.gateway.addresses().map((a) => [a.model, a.listening])).toEqual([
      [null, true],
      ['b', true],
    ]);
    const res = await call(port, { path: '/whoami' });
    expect((JSON.parse(res.body) as Whoami).model).toBe('b');
  });

  it('reports a dedicated port it cannot have, and still serves the main port', async () => {
    const taken = await startGateway([]);
    try {
      fx = await startGateway([{ name: 'a', listenPort: taken.port }]);
      const [main, model] = fx.gateway.addresses();
      expect(main?.listening).toBe(true);
      expect(model).toMatchObject({ model: 'a', listening: false });
      expect(model?.error).toContain('port is in use');
      expect(fx.logs.join('\n')).toContain(`cannot listen on 127.0.0.1:${taken.port}`);
      const res = await call(fx.port, { path: '/a/whoami' });
      expect(res.status).toBe(200);
    } finally {
      await taken.close();
    }
  });
});
