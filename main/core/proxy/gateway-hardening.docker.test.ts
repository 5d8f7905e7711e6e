// The gateway against an attacker and a careless client, over raw sockets to the real `siesta serve` and real model
// containers: request smuggling, WebSockets that close, stalled headers, floods of idle connections, large bodies.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StateResponseSchema, type StateResponse } from '../api/contract';
import { createFakeModel, removeTestContainers, testDocker } from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { startSiestaDaemon, type SiestaDaemon } from '../../../test/siesta-daemon';
import { until } from '../../../test/until';

const docker = testDocker();
const CHAT = 'hh-chat';
const WS = 'hh-ws';
const WS_IDLE_MS = 4_000;
const HEADERS_TIMEOUT_MS = 1_500;
const MIB = 1024 ** 2;
const BUDGET_BYTES = 150 * MIB;

/** Writes `bytes` on a fresh connection and collects the answer until the server closes or `waitMs` passes. */
function raw(
  port: number,
  bytes: string | Buffer,
  waitMs = 5_000,
  localAddress?: string,
): Promise<{ text: string; closedAfterMs: number | null }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => socket.write(bytes));
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedAfterMs: null });
    }, waitMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (text !== '') resolve({ text, closedAfterMs: Date.now() - started });
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
  });
}

/** What the model container's server parsed, in order ("GET /first"), from its REQUEST_LOG lines. */
async function modelRequests(container: string): Promise<string[]> {
  const logs = await docker.getContainer(container).logs({ stdout: true, stderr: false });
  return logs
    .toString('latin1')
    .split('\n')
    .map((line) => /\] (?:request|upgrade) (.+?)\r?$/.exec(line)?.[1] ?? null)
    .filter((line): line is string => line !== null);
}

/** What test/idle-connections.js reports. */
interface FloodCounts {
  readonly attempted: number;
  readonly opened: number;
  readonly open: number;
  readonly refused503: number;
  readonly errors: number;
  readonly firstError: string | null;
  readonly done?: boolean;
}

/**
 * POSTs `body` with Node's own client, which (like curl) reads an answer that arrives while it still sends: a 503
 * for a body over the budget may come before the upload ends.
 */
function postBody(
  port: number,
  path: string,
  body: Buffer,
): Promise<{ status: number; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        answered = true;
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] ?? null,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('no answer in 60 s')));
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(body);
  });
}

let daemon: SiestaDaemon;
let dataDir: string;

async function state(): Promise<StateResponse> {
  const response = await fetch(`${daemon.controlUrl}/api/state`, {
    headers: { authorization: `Bearer ${daemon.token}` },
    signal: AbortSignal.timeout(10_000),
  });
  return StateResponseSchema.parse(await response.json());
}

function modelState(s: StateResponse, name: string): StateResponse['models'][number] {
  const model = s.models.find((m) => m.name === name);
  if (model === undefined) throw new Error(`no model ${name} in /api/state`);
  return model;
}

async function chat(maxTokens: number): Promise<{ status: number; content: string }> {
  const response = await fetch(`${daemon.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer victim-key' },
    body: JSON.stringify({
      model: CHAT,
      messages: [{ role: 'user', content: 'mine' }],
      max_tokens: maxTokens,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { choices?: Array<{ message: { content: string } }> };
  return { status: response.status, content: body.choices?.[0]?.message.content ?? '' };
}

describeDocker('the gateway under attack (real siesta serve, raw sockets)', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'siesta-hardening-'));
    writeFileSync(
      join(dataDir, 'settings.json'),
      JSON.stringify({
        gateway: {
          headersTimeoutMs: HEADERS_TIMEOUT_MS,
          maxBufferedRoutingBytes: BUDGET_BYTES,
          releaseIdleWebSockets: false,
        },
      }),
    );
    await Promise.all([
      createFakeModel(docker, {
        name: CHAT,
        env: { REQUEST_LOG: '1' },
        labels: { 'siesta.enable': 'true', 'siesta.health': '/health' },
      }),
      createFakeModel(docker, {
        name: WS,
        env: { REQUEST_LOG: '1' },
        labels: {
          'siesta.enable': 'true',
          'siesta.health': '/health',
          'siesta.idle': `${WS_IDLE_MS}ms`,
        },
      }),
    ]);
    daemon = await startSiestaDaemon(dataDir);
  }, 90_000);

  afterAll(async () => {
    await daemon?.stop();
    await removeTestContainers(docker);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('never lets a GET, DELETE or OPTIONS body reach the model as a second request, and the next client gets its own answer', async () => {
    expect((await chat(2)).content).toBe('tok0 tok1');
    const port = daemon.gatewayPort;
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    for (const method of ['GET', 'DELETE', 'OPTIONS']) {
      const attack =
        `${method} /${CHAT}/first-${method} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
      const answer = await raw(port, attack, 3_000);
      expect(answer.text).toMatch(/^HTTP\/1\.1 404 /);
      expect(answer.text).toContain(`"path":"/first-${method}"`);
    }
    // An unfinished POST in the body: unframed, it would swallow the next client's request on the pooled connection.
    const unfinished = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n\r\n';
    await raw(
      port,
      `GET /${CHAT}/second HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n${unfinished.length.toString(16)}\r\n${unfinished}\r\n0\r\n\r\n`,
      3_000,
    );
    expect(await chat(3)).toEqual({ status: 200, content: 'tok0 tok1 tok2' });
    // A body cut short: its upstream connection is mid-message and must never carry the next request.
    await raw(
      port,
      `POST /${CHAT}/echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nPOST /echo HTTP/1.1\r\n`,
      500,
    );
    expect(await chat(4)).toEqual({ status: 200, content: 'tok0 tok1 tok2 tok3' });

    const seen = await modelRequests(CHAT);
    expect(seen.filter((r) => !r.startsWith('GET /health'))).toEqual([
      'POST /v1/chat/completions',
      'GET /first-GET',
      'DELETE /first-DELETE',
      'OPTIONS /first-OPTIONS',
      'GET /second',
      'POST /v1/chat/completions',
      'POST /echo',
      'POST /v1/chat/completions',
    ]);
  }, 90_000);

  it('refuses two Host headers, a port out of range, a TRACE body and an h2c upgrade with 400, and deep JSON on the control API with 400', async () => {
    const port = daemon.gatewayPort;
    const twoHosts = await raw(
      port,
      `GET /${CHAT}/whoami HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n`,
    );
    expect(twoHosts.text).toMatch(/^HTTP\/1\.1 400 [^]*2 Host headers/);
    expect(
      (await raw(port, `GET /${CHAT}/whoami HTTP/1.1\r\nHost: localhost:99999\r\n\r\n`)).text,
    ).toMatch(/^HTTP\/1\.1 400 [^]*0\.\.65535/);
    expect(
      (
        await raw(
          port,
          `TRACE /${CHAT}/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc`,
        )
      ).text,
    ).toMatch(/^HTTP\/1\.1 400 [^]*TRACE request may not carry a body/);
    const h2c = await raw(
      port,
      `GET /${CHAT}/whoami HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n`,
    );
    expect(h2c.text).toMatch(/^HTTP\/1\.1 400 [^]*only WebSocket upgrades/);

    const deep = await fetch(`${daemon.controlUrl}/api/settings`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${daemon.token}`,
        'content-type': 'application/json',
        origin: daemon.controlUrl,
      },
      body: '['.repeat(30_000) + ']'.repeat(30_000),
    });
    expect(deep.status).toBe(400);
    expect(JSON.stringify(await deep.json())).toContain('deeper than 32 levels');
  });

  it('closes a stalled header, and a connection that sends nothing, within the header timeout', async () => {
    const port = daemon.gatewayPort;
    const [partial, silent] = await Promise.all([
      raw(port, `GET /${CHAT}/whoami HTTP/1.1\r\nHost: localhost\r\nX-Slow: `, 15_000),
      raw(port, '', 15_000),
    ]);
    for (const answer of [partial, silent]) {
      expect(answer.text).toMatch(/^HTTP\/1\.1 408 /);
      // Node checks deadlines once a second.
      expect(answer.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
      expect(answer.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 1_000 + 2_500);
    }
  });

  it('ends the use of three WebSockets closed by the client (close frame, half-close, reset), so the model sleeps on time', async () => {
    const port = daemon.gatewayPort;
    const handshake = `GET /${WS}/socket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port }, () => socket.write(handshake));
        socket.once('data', (chunk: Buffer) =>
          chunk.toString('latin1').startsWith('HTTP/1.1 101')
            ? resolve(socket)
            : reject(new Error(chunk.toString())),
        );
        socket.once('error', reject);
      });
    const sockets = await Promise.all([open(), open(), open()]);
    expect(modelState(await state(), WS).inFlight).toBe(3);
    const [framed, halfClosed, reset] = sockets;
    framed.end(Buffer.from([0x88, 0x80, 1, 2, 3, 4])); // a masked close frame, then FIN
    halfClosed.end(); // FIN only: the fake model, like many servers, never closes its side
    reset.resetAndDestroy();
    const closedAt = Date.now();
    await until('the three uses to end', state, (s) => modelState(s, WS).inFlight === 0, 5_000);
    const asleep = await until(
      'the model to sleep',
      state,
      (s) => ['stopping', 'asleep'].includes(modelState(s, WS).state),
      WS_IDLE_MS + 15_000,
      100,
    );
    expect(modelState(asleep, WS).state).not.toBe('ready');
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(WS_IDLE_MS - 100);
    expect((await modelRequests(WS)).filter((r) => r === 'GET /socket')).toHaveLength(3);
  }, 60_000);

  it('keeps six parallel 60 MB bodies routed by their model field within the memory budget', async () => {
    const rssBefore = daemon.rssBytes();
    const pad = 'x'.repeat(60 * MIB);
    const body = Buffer.from(`{"model":"${CHAT}","messages":[],"pad":"${pad}"}`);
    let maxGauge = 0;
    let rssPeak = rssBefore;
    let sampling = true;
    const sampler = (async () => {
      while (sampling && daemon.child.exitCode === null) {
        rssPeak = Math.max(rssPeak, daemon.rssBytes());
        const text = await (await fetch(`${daemon.controlUrl}/metrics`)).text();
        maxGauge = Math.max(
          maxGauge,
          Number(/^siesta_gateway_buffered_body_bytes (\d+)/m.exec(text)?.[1] ?? 0),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const settled = await Promise.allSettled(
      Array.from({ length: 6 }, () => postBody(daemon.gatewayPort, '/v1/echo-nothing', body)),
    );
    sampling = false;
    await sampler;
    // Every client gets an answer (none is cut while it still sends): a failed fetch shows here with its reason.
    const answers = settled.map((a) =>
      a.status === 'fulfilled'
        ? a.value
        : {
            status: `${String(a.reason)} (${String((a.reason as { cause?: unknown }).cause)})`,
            retryAfter: null,
          },
    );
    expect(answers.filter((a) => typeof a.status === 'string')).toEqual([]);
    const served = answers.filter((a) => a.status === 404); // the fake model has no /v1/echo-nothing: it was forwarded
    const busy = answers.filter((a) => a.status === 503);
    expect(served.length + busy.length).toBe(6);
    expect(served.length).toBeGreaterThanOrEqual(2); // 150 MiB holds two 60 MB bodies at once
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(busy.every((a) => a.retryAfter === '1')).toBe(true);
    expect(maxGauge).toBeGreaterThan(0);
    expect(maxGauge).toBeLessThanOrEqual(BUDGET_BYTES);
    // Before the budget, six such bodies took the daemon from about 100 MB to 1.08 GB.
    expect(rssPeak - rssBefore).toBeLessThan(BUDGET_BYTES + 120 * MIB);
    const after = await fetch(`${daemon.controlUrl}/metrics`).then((r) => r.text());
    expect(after).toMatch(/^siesta_gateway_buffered_body_bytes 0$/m);
  }, 120_000);

  it('serves the control API and a new gateway client while 25,000 idle connections press on it, and logs the cap once', async () => {
    const put = await fetch(`${daemon.controlUrl}/api/settings`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${daemon.token}`,
        'content-type': 'application/json',
        origin: daemon.controlUrl,
      },
      body: JSON.stringify({ gateway: { headersTimeoutMs: 120_000 } }),
    });
    expect(put.status).toBe(200);
    const repo = join(__dirname, '..', '..', '..');
    const script = join(repo, 'test', 'idle-connections.ts');
    const tsx = join(repo, 'node_modules', '.bin', 'tsx');
    const flood = (
      localAddress: string,
      port: number,
      count: number,
    ): { child: ChildProcess; last: () => FloodCounts } => {
      // Each child stays under a 20,000-descriptor limit without privileges; raise it where the shell may.
      const child = spawn(
        'sh',
        [
          '-c',
          'ulimit -n 30000 2>/dev/null; exec "$@"',
          'sh',
          tsx,
          script,
          '127.0.0.1',
          String(port),
          localAddress,
          String(count),
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let line = '{}';
      let buffer = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        if (lines.length > 0) line = lines[lines.length - 1] ?? line;
      });
      return { child, last: () => JSON.parse(line) as FloodCounts };
    };
    const controlPort = Number(new URL(daemon.controlUrl).port);
    const floods = [
      flood('127.0.0.5', daemon.gatewayPort, 12_500),
      flood('127.0.0.6', daemon.gatewayPort, 12_500),
      flood('127.0.0.7', controlPort, 2_000),
    ];
    try {
      for (const f of floods)
        await until(
          'the flood to open its connections',
          () => f.last(),
          (c) => c.done === true,
          120_000,
          250,
        );
      const counts = floods.map((f) => f.last());
      for (const c of counts) expect(c.errors, JSON.stringify(c)).toBe(0);
      // Each gateway flood holds its per-client cap (1,024); the rest were answered 503 and closed.
      expect(counts[0]?.open).toBe(1_024);
      expect(counts[1]?.open).toBe(1_024);
      expect(counts[0]?.refused503).toBe(12_500 - 1_024);
      expect(counts[1]?.refused503).toBe(12_500 - 1_024);
      // The control API's per-client cap is 256 (its own, shorter header timeout may have closed those since).
      expect(counts[2]?.refused503).toBe(2_000 - 256);
      const fds = daemon.openFds();
      expect(fds).toBeLessThan(2_048 + 256 + 400);

      expect(modelState(await state(), CHAT).name).toBe(CHAT);
      expect(await chat(2)).toEqual({ status: 200, content: 'tok0 tok1' });
      const refusals = daemon
        .output()
        .split('\n')
        .filter((l) => l.includes('refused a connection'));
      // One line per server per minute, not one per refused connection.
      expect(refusals.length).toBeGreaterThanOrEqual(2);
      expect(refusals.length).toBeLessThanOrEqual(3);
      expect(refusals.join('\n')).toContain('maxConnectionsPerClient');
    } finally {
      for (const f of floods) f.child.kill('SIGTERM');
    }
  }, 180_000);
});
