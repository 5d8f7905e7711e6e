import { afterEach, describe, expect, it } from 'vitest';
import { createServer, request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';
import type { GatewayFixture } from './testdata/gateway-fixture';
import { startGateway } from './testdata/gateway-fixture';
import { call, freePort, until } from './testdata/http-call';

let fx: GatewayFixture | null = null;
afterEach(async () => {
  await fx?.close();
  fx = null;
});

/** Opens a streaming GET and resolves with the response once its headers are in. */
function open(port: number, path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

function firstChunk(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => res.once('data', (c: Buffer) => resolve(c.toString('utf8'))));
}

describe('streaming through the gateway', () => {
  it('passes response chunks on as the model sends them, not when it ends', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    const res = await open(fx.port, '/llama/hold');
    expect(res.statusCode).toBe(200);
    expect(await firstChunk(res)).toBe('held\n');
    // The upstream has not finished: the chunk came through unbuffered.
    fx.lifecycle.upstreams.get('llama')?.releaseHeld();
    const rest: string[] = [];
    res.on('data', (c: Buffer) => rest.push(c.toString('utf8')));
    await new Promise((r) => res.on('end', r));
    expect(rest.join('')).toBe('released\n');
  });

  it('passes SSE tokens through in order', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    const res = await call(fx.port, { path: '/llama/sse?count=20&delay=1' });
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['content-encoding']).toBeUndefined();
    const tokens = [...res.body.matchAll(/data: (tok\d+)/g)].map((m) => m[1]);
    expect(tokens).toEqual(Array.from({ length: 20 }, (_, i) => `tok${i}`));
  });

  it('streams a request body upstream as it arrives', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    const port = fx.port;
    const echoed: string[] = [];
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/llama/echo',
      agent: false,
      headers: { 'transfer-encoding': 'chunked' },
    });
    const response = new Promise<IncomingMessage>((resolve) => req.on('response', resolve));
    req.write('part-1;');
    const res = await response;
    res.on('data', (c: Buffer) => echoed.push(c.toString('utf8')));
    // The model echoed the first part while the client had not finished sending.
    await until(() => echoed.join('') === 'part-1;', 5_000, 'the first part to come back');
    req.end('part-2');
    await new Promise((r) => res.on('end', r));
    expect(echoed.join('')).toBe('part-1;part-2');
  });

  it('releases the use exactly once when a response ends normally', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    for (let i = 0; i < 3; i++)
      expect((await call(fx.port, { path: '/llama/whoami' })).status).toBe(200);
    await until(() => fx!.lifecycle.open('llama') === 0, 5_000, 'the releases');
    expect(fx.lifecycle.leases.map((l) => l.releases)).toEqual([1, 1, 1]);
  });

  it('holds the use while a stream is open, and releases it once, aborting the model request, when the client leaves', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    const res = await open(fx.port, '/llama/hold');
    await firstChunk(res);
    expect(fx.lifecycle.open('llama')).toBe(1);
    res.destroy();
    await until(() => fx!.lifecycle.open('llama') === 0, 5_000, 'the release');
    await until(
      () => fx!.lifecycle.upstreams.get('llama')!.aborted() === 1,
      5_000,
      'the upstream abort',
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(fx.lifecycle.leases.map((l) => l.releases)).toEqual([1]);
  });

  it('cuts the client off and releases the use once when the model breaks a stream', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    const res = await open(fx.port, '/llama/break');
    const outcome = await new Promise<string>((resolve) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve('end'));
      res.on('error', () => resolve('error'));
      res.on('aborted', () => resolve('aborted'));
    });
    expect(outcome).not.toBe('end');
    await until(() => fx!.lifecycle.open('llama') === 0, 5_000, 'the release');
    expect(fx.lifecycle.leases.map((l) => l.releases)).toEqual([1]);
  });

  it('retries a model server that refuses for a moment after ready, then answers 502 when it never listens', async () => {
    const late = await freePort();
    const dead = await freePort();
    fx = await startGateway([
      { name: 'late', upstreamPort: late },
      { name: 'dead', upstreamPort: dead },
    ]);
    await fx.lifecycle.setReady('late');
    const pending = call(fx.port, { path: '/late/x' });
    await new Promise((r) => setTimeout(r, 200));
    const server = createServer((_req, res) => res.end('late but there'));
    await new Promise<void>((resolve) => server.listen(late, '127.0.0.1', resolve));
    try {
      expect((await pending).body).toBe('late but there');
    } finally {
      server.close();
    }

    const started = Date.now();
    const res = await call(fx.port, {
      method: 'POST',
      path: '/dead/v1/chat/completions',
      body: '{}',
    });
    expect(res.status).toBe(502);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(JSON.parse(res.body)).toMatchObject({
      error: { type: 'server_error', code: 'upstream_unreachable' },
    });
    expect((JSON.parse(res.body) as { error: { message: string } }).error.message).toContain(
      `127.0.0.1:${dead}`,
    );
    await until(
      () => fx!.lifecycle.open('dead') === 0 && fx!.lifecycle.open('late') === 0,
      5_000,
      'the releases',
    );
    expect(fx.lifecycle.leases.map((l) => l.releases)).toEqual([1, 1]);
  });
});

describe('WebSockets through the gateway', () => {
  it('wakes a sleeping model and echoes frames, holding the use until the socket closes', async () => {
    fx = await startGateway([{ name: 'comfy' }]);
    const ws = new WebSocket(`ws://127.0.0.1:${fx.port}/comfy/ws?clientId=1`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = new Promise<string>((resolve) =>
      ws.once('message', (data: Buffer) => resolve(data.toString('utf8'))),
    );
    ws.send('hello');
    expect(await reply).toBe('echo:hello');
    expect(fx.lifecycle.open('comfy')).toBe(1);
    expect(fx.lifecycle.upstreams.get('comfy')?.seen.at(-1)?.url).toBe('/ws?clientId=1');
    ws.close();
    await until(() => fx!.lifecycle.open('comfy') === 0, 5_000, 'the release');
    expect(fx.lifecycle.leases.map((l) => l.releases)).toEqual([1]);
  });

  it('passes on the bytes a client sends right behind its handshake', async () => {
    fx = await startGateway([{ name: 'comfy' }]);
    const socket = connect(fx.port, '127.0.0.1');
    const got: Buffer[] = [];
    socket.on('data', (c: Buffer) => got.push(c));
    const payload = Buffer.from('early');
    const mask = Buffer.from([1, 2, 3, 4]);
    const frame = Buffer.concat([
      Buffer.from([0x81, 0x80 | payload.length]),
      mask,
      Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!)),
    ]);
    socket.write(
      Buffer.concat([
        Buffer.from(
          `GET /comfy/ws HTTP/1.1\r\nHost: 127.0.0.1:${fx.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ),
        frame,
      ]),
    );
    await until(
      () => Buffer.concat(got).includes('echo:early'),
      5_000,
      'the echo of the early frame',
    );
    expect(Buffer.concat(got).toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    socket.destroy();
    await until(() => fx!.lifecycle.open('comfy') === 0, 5_000, 'the release');
    expect(fx.lifecycle.leases.map((l) => l.releases)).toEqual([1]);
  });

  it('relays the model server refusing an upgrade, and releases the use', async () => {
    fx = await startGateway([{ name: 'comfy' }]);
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${fx!.port}/comfy/refuse`);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
    await until(() => fx!.lifecycle.open('comfy') === 0, 5_000, 'the release');
    expect(fx.lifecycle.leases.map((l) => l.releases)).toEqual([1]);
  });
});
