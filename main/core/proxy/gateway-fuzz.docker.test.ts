// A bounded fuzz run (seconds) against the real `siesta serve`: malformed and mutated requests over raw sockets to the
// gateway and the control API. Whatever comes in, each answer is a well-formed HTTP response that is not a 500, the daemon
// logs no stack trace, and it still answers clients and the control API afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFakeModel, removeTestContainers, testDocker } from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { startSiestaDaemon, type SiestaDaemon } from '../../../test/siesta-daemon';

const docker = testDocker();
const MODEL = 'hz-fuzz';
/** Mutated requests per run: with the fixed cases, a few seconds on two cores. */
const MUTATIONS = 300;
const SEED = 20;

/** Writes `bytes`, reads until the server closes or `waitMs` passes, returns what came back. */
function exchange(port: number, bytes: Buffer, waitMs = 400): Promise<string> {
  return new Promise((resolve) => {
    // Written, not ended: Node drops the request of a client that half-closes before its answer.
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    let text = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
  });
}

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fixedCases(host: string): string[] {
  const chat = JSON.stringify({
    model: MODEL,
    messages: [{ role: 'user', content: 'x' }],
    max_tokens: 2,
  });
  return [
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${chat.length}\r\nTransfer-Encoding: chunked\r\n\r\n${chat}`,
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nContent-Length: -1\r\n\r\n`,
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 99999999999999999999\r\n\r\n`,
    `POST /${MODEL}/echo HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
    `POST /${MODEL}/echo HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: gzip\r\n\r\nabc`,
    `POST /${MODEL}/echo HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    `POST /${MODEL}/echo HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding:\tchunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n`,
    `GET /${MODEL}/whoami HTTP/1.1\r\nHost: ${host}\r\nX-Folded: a\r\n  b\r\n\r\n`,
    `GET /${MODEL}/whoami HTTP/1.1\r\nHost: ${host}\r\nNo colon here\r\n\r\n`,
    `GET /${MODEL}/whoami HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
    `GET /${MODEL}/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET /${MODEL}/whoami HTTP/1.1\r\nHost: ${host}\r\n${Array.from({ length: 3_000 }, (_, i) => `X-${i}: ${i}`).join('\r\n')}\r\n\r\n`,
    `GET /${MODEL}/whoami HTTP/1.1\r\nHost: ${host}\r\nHost: ${host}\r\n\r\n`,
    `GET /${MODEL}/whoami HTTP/1.1\r\nHost: localhost:70000\r\n\r\n`,
    `GET /${MODEL}/whoami HTTP/1.1\r\nHost: [::1\r\n\r\n`,
    `GET /${MODEL}/whoami HTTP/1.1\r\n\r\n`,
    `GET /${MODEL}/whoami HTTP/1.0\r\n\r\n`,
    `GET /${MODEL}/whoami\r\n\r\n`,
    `GET http://evil.example/${MODEL}/whoami HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET /${MODEL}/%zz%00../../etc/passwd HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET /%E0%A4%A/whoami HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `TRACE /${MODEL}/ HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\n\r\nhi`,
    `BREW /${MODEL}/ HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`,
    `GET /${MODEL}/ HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    `GET /${MODEL}/ HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`,
    `GET /${MODEL}/ HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: \r\n\r\n`,
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"model":[1}`,
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nContent-Type: multipart/form-data; boundary=\r\nContent-Length: 4\r\n\r\n--\r\n`,
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nExpect: 100-continue\r\nContent-Length: ${chat.length}\r\n\r\n${chat}`,
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 1000\r\n\r\n{"model":"${MODEL}"`,
    `\u0000\u0001\u0002\u00ff garbage \r\n\r\n`,
    '\r\n\r\n\r\n',
    '',
  ];
}

/** A valid request with bytes flipped, inserted, deleted or duplicated. */
function mutate(base: Buffer, next: () => number): Buffer {
  const bytes = [...base];
  const edits = 1 + Math.floor(next() * 2);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * bytes.length);
    const kind = Math.floor(next() * 4);
    const byte =
      [0, 10, 13, 32, 58, 0x7f, 0xff, 48 + Math.floor(next() * 10), Math.floor(next() * 256)][
        Math.floor(next() * 9)
      ] ?? 0;
    if (kind === 0) bytes[at] = byte;
    else if (kind === 1) bytes.splice(at, 0, byte);
    else if (kind === 2) bytes.splice(at, 1);
    else bytes.splice(at, 0, ...bytes.slice(at, at + 16));
  }
  return Buffer.from(bytes);
}

let daemon: SiestaDaemon;
let dataDir: string;

describeDocker('fuzzing the real daemon over raw sockets', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'siesta-fuzz-'));
    await createFakeModel(docker, {
      name: MODEL,
      labels: { 'siesta.enable': 'true', 'siesta.health': '/health' },
    });
    daemon = await startSiestaDaemon(dataDir);
    const woke = await fetch(`${daemon.gatewayUrl}/${MODEL}/whoami`, {
      signal: AbortSignal.timeout(60_000),
    });
    expect(woke.status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await daemon?.stop();
    await removeTestContainers(docker);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`answers ${MUTATIONS} mutated and the fixed malformed requests without a 500 or a stack trace, and still serves afterwards`, async () => {
    const gatewayPort = daemon.gatewayPort;
    const controlPort = Number(new URL(daemon.controlUrl).port);
    const host = `127.0.0.1:${gatewayPort}`;
    const next = random(SEED);
    const chat = JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 2,
    });
    const bases = [
      `GET /${MODEL}/whoami HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${chat.length}\r\n\r\n${chat}`,
      `POST /echo HTTP/1.1\r\nHost: ${MODEL}.localhost\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
      `GET /${MODEL}/ HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      `PUT /api/settings HTTP/1.1\r\nHost: 127.0.0.1:${controlPort}\r\nAuthorization: Bearer ${daemon.token}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 23\r\n\r\n{"gateway":{"x":[[1]]}}`,
    ].map((text) => Buffer.from(text, 'latin1'));
    const inputs: Array<{ port: number; bytes: Buffer; label: string }> = [
      ...fixedCases(host).map((text, i) => ({
        port: gatewayPort,
        bytes: Buffer.from(text, 'latin1'),
        label: `fixed ${i}`,
      })),
      ...fixedCases(`127.0.0.1:${controlPort}`).map((text, i) => ({
        port: controlPort,
        bytes: Buffer.from(text, 'latin1'),
        label: `control fixed ${i}`,
      })),
      ...Array.from({ length: MUTATIONS }, (_, i) => {
        const base = Math.floor(next() * bases.length);
        return {
          port: base === 4 ? controlPort : gatewayPort,
          bytes: mutate(bases[base] ?? Buffer.alloc(0), next),
          label: `mutation ${i} of base ${base}`,
        };
      }),
    ];
    const bad: string[] = [];
    for (let i = 0; i < inputs.length; i += 32) {
      await Promise.all(
        inputs.slice(i, i + 32).map(async ({ port, bytes, label }) => {
          const text = await exchange(port, bytes);
          if (text === '') return; // closed without an answer (Node drops some garbage silently): allowed
          const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1];
          if (status === undefined)
            bad.push(`${label}: not an HTTP answer: ${JSON.stringify(text.slice(0, 80))}`);
          else if (status === '500')
            bad.push(
              `${label}: 500: ${JSON.stringify(text.slice(0, 300))} for ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`,
            );
        }),
      );
    }
    expect(bad).toEqual([]);
    expect(daemon.child.exitCode).toBeNull();
    expect(daemon.output()).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    const models = await fetch(`${daemon.gatewayUrl}/v1/models`, {
      signal: AbortSignal.timeout(10_000),
    });
    expect(models.status).toBe(200);
    const chatAnswer = await fetch(`${daemon.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chat,
      signal: AbortSignal.timeout(30_000),
    });
    expect(
      ((await chatAnswer.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]
        ?.message.content,
    ).toBe('tok0 tok1');
    const state = await fetch(`${daemon.controlUrl}/api/state`, {
      headers: { authorization: `Bearer ${daemon.token}` },
    });
    expect(state.status).toBe(200);
  }, 90_000);
});
