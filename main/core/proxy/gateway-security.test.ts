import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TOKEN_COOKIE } from '../api/request-guards';
import type { GatewayFixture } from './testdata/gateway-fixture';
import { startGateway } from './testdata/gateway-fixture';
import { call } from './testdata/http-call';

let fx: GatewayFixture | null = null;
afterEach(async () => {
  await fx?.close();
  fx = null;
});

function wsRejection(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => undefined);
  });
}

describe('the gateway on a desktop', () => {
  it('refuses a foreign Host with 403 and wakes nothing (DNS rebinding)', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    for (const host of [
      'attacker.example',
      `attacker.example:${fx.port}`,
      `192.168.1.5:${fx.port}`,
      `unknown.localhost:${fx.port}`,
    ]) {
      const res = await call(fx.port, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { host, 'content-type': 'application/json' },
        body: '{"model":"llama"}',
      });
      expect(res.status, host).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({
        error: { type: 'permission_error', code: 'host_not_allowed' },
      });
    }
    const page = await call(fx.port, {
      path: '/llama/',
      headers: { host: 'attacker.example', accept: 'text/html' },
    });
    expect(page.status).toBe(403);
    expect(
      await wsRejection(`ws://127.0.0.1:${fx.port}/llama/socket`, { host: 'attacker.example' }),
    ).toBe(403);
    expect(fx.lifecycle.acquires).toEqual([]);
    expect(fx.lifecycle.wakes).toEqual([]);
    expect(fx.lifecycle.get('llama')?.state).toBe('asleep');
  });

  it('answers host names the user added', async () => {
    fx = await startGateway([{ name: 'llama' }], { allowedHosts: ['gpu-box.lan'] });
    const res = await call(fx.port, {
      path: '/llama/whoami',
      headers: { host: `gpu-box.lan:${fx.port}` },
    });
    expect(res.status).toBe(200);
  });

  it("never passes Siesta's own token cookie to a model's web UI, and keeps the UI's cookies", async () => {
    // The composition root hands the gateway the control API's cookie name (main/core/siesta.ts).
    fx = await startGateway([{ name: 'comfy' }], { privateCookieNames: [TOKEN_COOKIE] });
    const res = await call(fx.port, {
      path: '/whoami',
      headers: {
        host: `comfy.localhost:${fx.port}`,
        cookie: 'theme=dark; siesta_token=secret; session=abc',
      },
    });
    expect(res.status).toBe(200);
    const seen = (JSON.parse(res.body) as { headers: Record<string, string> }).headers;
    expect(seen.cookie).toBe('theme=dark; session=abc');
    const only = await call(fx.port, {
      path: '/comfy/whoami',
      headers: { cookie: 'siesta_token=secret' },
    });
    expect(
      (JSON.parse(only.body) as { headers: Record<string, string> }).headers.cookie,
    ).toBeUndefined();
  });

  it('sends no CORS headers by default, even when the model server does', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    const res = await call(fx.port, { path: '/llama/whoami' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it("refuses requests from another site's page, so it cannot wake or use a model", async () => {
    fx = await startGateway([{ name: 'llama' }]);
    const res = await call(fx.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: '{"model":"llama"}',
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'origin_not_allowed' } });
    expect(
      await wsRejection(`ws://127.0.0.1:${fx.port}/llama/socket`, {
        origin: 'https://evil.example',
      }),
    ).toBe(403);
    expect(fx.lifecycle.acquires).toEqual([]);
  });

  it('lets a page through its own origin (a web UI served by the gateway)', async () => {
    fx = await startGateway([{ name: 'comfy' }]);
    const res = await call(fx.port, {
      method: 'POST',
      path: '/echo',
      headers: { host: `comfy.localhost:${fx.port}`, origin: `http://comfy.localhost:${fx.port}` },
      body: 'prompt',
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('prompt');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('reflects a configured origin and answers its preflight without waking the model', async () => {
    fx = await startGateway([{ name: 'llama' }], { corsOrigins: ['http://localhost:3000'] });
    const preflight = await call(fx.port, {
      method: 'OPTIONS',
      path: '/v1/chat/completions',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(preflight.headers['access-control-allow-methods']).toBe('POST');
    expect(preflight.headers['access-control-allow-headers']).toBe('authorization, content-type');
    expect(fx.lifecycle.acquires).toEqual([]);

    const res = await call(fx.port, {
      path: '/llama/whoami',
      headers: { origin: 'http://localhost:3000' },
    });
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(res.headers.vary).toContain('Origin');
    const list = await call(fx.port, {
      path: '/v1/models',
      headers: { origin: 'http://localhost:3000' },
    });
    expect(list.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const error = await call(fx.port, {
      path: '/nothing',
      headers: { origin: 'http://localhost:3000' },
    });
    expect(error.status).toBe(404);
    expect(error.headers['access-control-allow-origin']).toBe('http://localhost:3000');
  });
});
