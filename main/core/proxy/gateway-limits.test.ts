import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { GatewayFixture } from './testdata/gateway-fixture';
import { startGateway } from './testdata/gateway-fixture';
import { call, until } from './testdata/http-call';
import { NoWakeRules } from './no-wake';

let fx: GatewayFixture | null = null;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await fx?.close();
  fx = null;
});

/** A connection that sends nothing; resolves with what the gateway answered once it closed, or '' while open. */
function idle(port: number): { socket: Socket; answer: Promise<string> } {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  return { socket, answer: new Promise((resolve) => socket.on('close', () => resolve(text))) };
}

function opened(socket: Socket): Promise<void> {
  return new Promise((resolve) =>
    socket.connecting ? socket.once('connect', () => resolve()) : resolve(),
  );
}

describe('the gateway connection caps', () => {
  it('answers a connection beyond the per-client cap with 503 and Retry-After, logs it once, and admits again when one closes', async () => {
    fx = await startGateway([{ name: 'llama' }], { maxConnectionsPerClient: 2 });
    const [a, b] = [idle(fx.port), idle(fx.port)];
    await Promise.all([opened(a.socket), opened(b.socket)]);
    await until(() => fx!.gateway.openConnections() === 2, 5_000, 'two open connections');
    const refused = await Promise.all([idle(fx.port).answer, idle(fx.port).answer]);
    for (const text of refused) {
      expect(text).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(text).toContain('Retry-After: 1');
      expect(text).toContain('maxConnectionsPerClient');
    }
    expect(fx.logs.filter((l) => l.includes('refused a connection'))).toEqual([
      'the gateway: refused a connection from 127.0.0.1 with 503: 2 connections from 127.0.0.1 are open, the most the gateway takes from one client (maxConnectionsPerClient)',
    ]);
    a.socket.destroy();
    await until(() => fx!.gateway.openConnections() === 1, 5_000, 'one connection closed');
    expect((await call(fx.port, { path: '/llama/whoami' })).status).toBe(200);
  });
});

describe('WebSockets and the idle time', () => {
  async function openSocket(port: number): Promise<WebSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/llama/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const echoed = new Promise<string>((resolve) =>
      ws.once('message', (data: Buffer) => resolve(data.toString())),
    );
    ws.send('hi');
    expect(await echoed).toBe('echo:hi');
    return ws;
  }

  it('with releaseIdleWebSockets, stops counting a WebSocket silent for the idle time as a use, keeps it open, and counts it again when it talks', async () => {
    fx = await startGateway([{ name: 'llama', idleMs: 300 }], { releaseIdleWebSockets: true });
    const ws = await openSocket(fx.port);
    expect(fx.lifecycle.open('llama')).toBe(1);
    await until(
      () => fx!.lifecycle.open('llama') === 0,
      5_000,
      'the idle WebSocket to stop counting',
    );
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const echoed = new Promise<string>((resolve) =>
      ws.once('message', (data: Buffer) => resolve(data.toString())),
    );
    ws.send('still there');
    expect(await echoed).toBe('echo:still there');
    // Talking again holds the model again (it is still up), without a second wake.
    await until(
      () => fx!.lifecycle.open('llama') === 1,
      5_000,
      'the active WebSocket to count again',
    );
    expect(fx.lifecycle.wakes).toEqual([]);
    ws.close();
    await until(
      () => fx!.lifecycle.open('llama') === 0,
      5_000,
      'the closed WebSocket to stop counting',
    );
  });

  it('by default keeps counting an idle WebSocket as a use until it closes', async () => {
    fx = await startGateway([{ name: 'llama', idleMs: 300 }]);
    const ws = await openSocket(fx.port);
    await new Promise((r) => setTimeout(r, 900));
    expect(fx.lifecycle.open('llama')).toBe(1);
    ws.terminate();
    await until(
      () => fx!.lifecycle.open('llama') === 0,
      5_000,
      'the closed WebSocket to stop counting',
    );
  });
});

describe('the no-wake User-Agents', () => {
  it('are plain case-insensitive substrings, never regular expressions (no catastrophic backtracking)', () => {
    const rules = new NoWakeRules({
      noWakeUserAgents: ['(a+)+$', 'UptimeRobot', 'Better Stack'],
      noWakePaths: [],
    });
    expect(rules.match(`${'a'.repeat(40)}!`, ['/'])).toBeNull();
    expect(rules.match('x (a+)+$ y', ['/'])).toEqual({ kind: 'user-agent', pattern: '(a+)+$' });
    expect(rules.match('Mozilla/5.0+(compatible; uptimerobot/2.0)', ['/'])).toEqual({
      kind: 'user-agent',
      pattern: 'UptimeRobot',
    });
    expect(rules.match('Better Stack Better Uptime Bot', ['/'])).toEqual({
      kind: 'user-agent',
      pattern: 'Better Stack',
    });
  });
});
