import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import OpenAI from 'openai';
import WebSocket from 'ws';
import { describeDocker } from '../../../test/docker-suite';
import { testDocker } from '../../../test/docker-harness';
import type { DockerGateway } from './testdata/docker-gateway';
import { startDockerGateway } from './testdata/docker-gateway';
import { call, freePort, until } from './testdata/http-call';

const docker = testDocker();
const IDLE_MS = 1_500;

/** How many times the engine started `name` since `sinceMs` (from Docker's own event log). */
async function containerStarts(name: string, sinceMs: number): Promise<number> {
  const stream = await docker.getEvents({
    since: Math.floor(sinceMs / 1000),
    until: Math.ceil(Date.now() / 1000),
    filters: { container: [name], event: ['start'] },
  });
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString('utf8');
  // The engine filters by whole seconds: drop the starts earlier in the first second.
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => (JSON.parse(line) as { timeNano: number }).timeNano >= sinceMs * 1e6).length;
}

/** Runs the real curl binary and returns its status code and body. */
function curl(args: readonly string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['-s', '-o', '-', '-w', '\n%{http_code}', ...args],
      { timeout: 30_000 },
      (error, stdout) => {
        if (error) return reject(new Error(`curl ${args.join(' ')} failed: ${error.message}`));
        const cut = stdout.lastIndexOf('\n');
        resolve({ status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) });
      },
    );
  });
}

let gw: DockerGateway;
let dedicatedPort = 0;

describeDocker('the gateway over real model containers', () => {
  beforeAll(async () => {
    dedicatedPort = await freePort();
    gw = await startDockerGateway(docker, [
      { name: 'hg-chat', env: { TOKEN_DELAY_MS: '20' } },
      { name: 'hg-ui' },
      { name: 'hg-ws' },
      { name: 'hg-stream', spec: { idleMs: IDLE_MS } },
      { name: 'hg-port', spec: { listenPort: dedicatedPort } },
    ]);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('streams a chat completion to the official openai client from a sleeping container, every token in order', async () => {
    await gw.sleep('hg-chat');
    const since = Date.now();
    // One retry after 20 s, as the SDK would by default: under the full suite's container churn a fresh
    // connection to a container that just started is now and then accepted and never answered, with or
    // without Siesta and Docker's proxy in the path. A hang in Siesta's wake would hang the retry too.
    const client = new OpenAI({
      baseURL: `${gw.gateway.url()}/v1`,
      apiKey: 'not-needed',
      timeout: 20_000,
      maxRetries: 1,
    });
    const stream = await client.chat.completions.create({
      model: 'hg-chat',
      messages: [{ role: 'user', content: 'count' }],
      max_tokens: 40,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(Array.from({ length: 40 }, (_, i) => `tok${i}`).join(' '));
    expect(await containerStarts('hg-chat', since)).toBe(1);
  });

  it('wakes a sleeping model once for 500 concurrent requests and answers every one', async () => {
    await gw.sleep('hg-chat');
    const since = Date.now();
    const requests = Array.from({ length: 500 }, (_, i) =>
      call(gw.port, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'hg-chat',
          messages: [{ role: 'user', content: `#${i}` }],
          max_tokens: (i % 5) + 1,
        }),
      }),
    );
    const responses = await Promise.all(requests);
    responses.forEach((res, i) => {
      expect(res.status, res.body).toBe(200);
      const body = JSON.parse(res.body) as {
        served_by: string;
        choices: Array<{ message: { content: string } }>;
      };
      expect(body.served_by).toBe('hg-chat');
      expect(body.choices[0]?.message.content).toBe(
        Array.from({ length: (i % 5) + 1 }, (_, k) => `tok${k}`).join(' '),
      );
    });
    expect(await containerStarts('hg-chat', since)).toBe(1);
  });

  it('echoes WebSocket messages through the gateway from a sleeping container', async () => {
    await gw.sleep('hg-ws');
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/hg-ws/socket`);
    const replies: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      ws.on('open', () => {
        ws.send('hello');
        ws.send('again');
      });
      ws.on('message', (data: Buffer) => {
        replies.push(data.toString('utf8'));
        if (replies.length === 2) resolve();
      });
      ws.on('error', reject);
    });
    await done;
    ws.close();
    expect(replies).toEqual(['echo:hello', 'echo:again']);
    expect(await gw.running('hg-ws')).toBe(true);
  });

  it('does not cut a stream that lasts three times the idle time, and sleeps after it ends', async () => {
    await gw.sleep('hg-stream');
    const streamMs = 3 * IDLE_MS;
    const startedAt = Date.now();
    const res = await call(gw.port, { path: `/hg-stream/slow-stream?ms=${streamMs}&every=100` });
    const endedAt = Date.now();
    expect(res.status).toBe(200);
    expect(res.body.endsWith('end\n')).toBe(true);
    const chunks = res.body.match(/^chunk \d+$/gm) ?? [];
    // The model ends its stream itself ('end') once streamMs have passed; how many 100 ms ticks its timer managed
    // meanwhile depends on the machine's load, so the stream's length is checked in time, not in chunks.
    expect(endedAt - startedAt).toBeGreaterThanOrEqual(streamMs);
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks).toEqual(chunks.map((_, i) => `chunk ${i}`));
    expect(
      gw.events.filter(
        (e) =>
          e.kind === 'sleep' && e.model === 'hg-stream' && e.at >= startedAt && e.at <= endedAt,
      ),
    ).toEqual([]);
    // The idle timer is real: once the stream is over, the model goes to sleep.
    await until(
      () => gw.lifecycle.get('hg-stream')?.state === 'asleep',
      IDLE_MS + 20_000,
      'hg-stream to sleep after its stream',
    );
  });

  it('routes by dedicated port, NAME.localhost, path prefix and model field', async () => {
    const byPort = await call(dedicatedPort, { path: '/whoami?via=port' });
    expect(byPort.status, byPort.body).toBe(200);
    expect(JSON.parse(byPort.body)).toMatchObject({
      model: 'hg-port',
      path: '/whoami',
      search: '?via=port',
    });

    const byHost = await call(gw.port, {
      path: '/whoami',
      headers: { host: `hg-ui.localhost:${gw.port}` },
    });
    expect(byHost.status, byHost.body).toBe(200);
    expect(JSON.parse(byHost.body)).toMatchObject({ model: 'hg-ui', path: '/whoami' });

    const byPath = await call(gw.port, { path: '/hg-ws/whoami' });
    expect(byPath.status, byPath.body).toBe(200);
    expect(JSON.parse(byPath.body)).toMatchObject({ model: 'hg-ws', path: '/whoami' });

    const byField = await call(gw.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hg-stream', messages: [], max_tokens: 2 }),
    });
    expect(byField.status, byField.body).toBe(200);
    expect(JSON.parse(byField.body)).toMatchObject({
      served_by: 'hg-stream',
      choices: [{ message: { content: 'tok0 tok1' } }],
    });
  });

  it('shows curl the waiting page of a sleeping web UI, then the UI once it is ready', async () => {
    await gw.sleep('hg-ui');
    const page = await curl(['-H', 'Accept: text/html', `http://127.0.0.1:${gw.port}/hg-ui/`]);
    expect(page.status).toBe(503);
    expect(page.body).toContain('Waking hg-ui');
    await until(() => gw.lifecycle.get('hg-ui')?.state === 'ready', 30_000, 'hg-ui to be ready');
    const ui = await curl(['-H', 'Accept: text/html', `http://127.0.0.1:${gw.port}/hg-ui/`]);
    expect(ui.status).toBe(200);
    expect(ui.body).toContain('<h1>hg-ui web UI</h1>');
  });

  it('answers a foreign Host with 403 and wakes nothing', async () => {
    await gw.sleep('hg-ui');
    const since = Date.now();
    for (const args of [
      ['-H', 'Host: evil.example', '-H', 'Accept: text/html', `http://127.0.0.1:${gw.port}/hg-ui/`],
      [
        '-H',
        `Host: evil.example:${gw.port}`,
        '-H',
        'content-type: application/json',
        '-d',
        '{"model":"hg-ui"}',
        `http://127.0.0.1:${gw.port}/v1/chat/completions`,
      ],
    ]) {
      const res = await curl(args);
      expect(res.status, res.body).toBe(403);
    }
    expect(gw.lifecycle.get('hg-ui')?.state).toBe('asleep');
    expect(await gw.running('hg-ui')).toBe(false);
    expect(await containerStarts('hg-ui', since)).toBe(0);
  });
});
