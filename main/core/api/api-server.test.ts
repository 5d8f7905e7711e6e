// The control API over real HTTP: token, Host and Origin checks, validation errors naming the field, login, metrics, events.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock/clock';
import { SettingsStore } from '../settings/settings-store';
import { ControlApiServer } from './api-server';
import type { ApiEvent } from './contract';
import {
  ApiErrorSchema,
  ApiEventSchema,
  HistoryResponseSchema,
  ModelActionResponseSchema,
  SettingsSchema,
  StateResponseSchema,
} from './contract';
import { FakeControlCore, restingModel } from './testdata/fake-control-core';

const TOKEN = 'test-token-0123456789abcdef';

let dir: string;
let core: FakeControlCore;
let server: ControlApiServer;
let base: string;

const auth = { Authorization: `Bearer ${TOKEN}` };

async function startServer(options: { heartbeatMs?: number } = {}): Promise<void> {
  server = new ControlApiServer({
    core,
    token: TOKEN,
    port: 0,
    rendererDir: join(dir, 'renderer'),
    heartbeatMs: options.heartbeatMs,
  });
  await server.listen();
  base = server.url;
}

/** A request with any headers (fetch would replace Host). */
function raw(
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function errorOf(res: Response): Promise<{ code: string; message: string; field?: string }> {
  return ApiErrorSchema.parse(await res.json()).error;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'siesta-api-'));
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(
    join(dir, 'renderer', 'index.html'),
    '<!doctype html><title>Siesta</title><div id="root"></div>',
  );
  writeFileSync(join(dir, 'renderer', 'assets', 'app-abc123.js'), 'console.log(1)');
  core = new FakeControlCore({
    clock: systemClock(),
    settings: SettingsStore.open(dir),
    models: [
      restingModel('qwen'),
      restingModel('flux', { state: 'ready', inFlight: 2, savedJoules: 5000 }),
    ],
    gpus: [
      {
        index: 0,
        uuid: 'GPU-1',
        name: 'RTX 4090',
        vramUsedBytes: 9e9,
        vramTotalBytes: 24e9,
        powerWatts: 61.5,
        pstate: 'P8',
        utilizationPercent: 0,
        temperatureC: 40,
        at: Date.now(),
      },
    ],
  });
  await startServer();
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('control API security', () => {
  it('refuses an API call without the token with 401 and the error envelope', async () => {
    const res = await fetch(`${base}/api/state`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    const error = await errorOf(res);
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('Authorization: Bearer');
  });

  it('refuses a wrong token of the same length and a wrong scheme', async () => {
    const wrong = await fetch(`${base}/api/state`, {
      headers: { Authorization: `Bearer ${TOKEN.replace(/.$/, 'X')}` },
    });
    expect(wrong.status).toBe(401);
    const basic = await fetch(`${base}/api/state`, {
      headers: { Authorization: `Basic ${TOKEN}` },
    });
    expect(basic.status).toBe(401);
  });

  it('answers a call with the token with the state', async () => {
    const res = await fetch(`${base}/api/state`, { headers: auth });
    expect(res.status).toBe(200);
    const state = StateResponseSchema.parse(await res.json());
    expect(state.models.map((m) => m.name)).toEqual(['flux', 'qwen']);
  });

  it('refuses a foreign Host with 403 even with the token (DNS rebinding)', async () => {
    const res = await raw('/api/state', { ...auth, Host: `evil.example:${server.port}` });
    expect(res.status).toBe(403);
    expect(ApiErrorSchema.parse(JSON.parse(res.body)).error).toMatchObject({
      code: 'forbidden-host',
      field: 'host',
    });
    const page = await raw('/', { Host: 'evil.example' });
    expect(page.status).toBe(403);
  });

  it('answers Host localhost and 127.0.0.1 with the control port, but not another port', async () => {
    expect((await raw('/api/state', { ...auth, Host: `localhost:${server.port}` })).status).toBe(
      200,
    );
    expect((await raw('/api/state', { ...auth, Host: `127.0.0.1:${server.port}` })).status).toBe(
      200,
    );
    expect(
      (await raw('/api/state', { ...auth, Host: `127.0.0.1:${server.port + 1}` })).status,
    ).toBe(403);
  });

  it('refuses a cross-origin POST with 403 and accepts our own origin or none', async () => {
    const evil = await fetch(`${base}/api/models/qwen/pin`, {
      method: 'POST',
      headers: { ...auth, Origin: 'http://evil.example' },
    });
    expect(evil.status).toBe(403);
    expect(await errorOf(evil)).toMatchObject({ code: 'forbidden-origin', field: 'origin' });
    const otherPort = await fetch(`${base}/api/models/qwen/pin`, {
      method: 'POST',
      headers: { ...auth, Origin: 'http://127.0.0.1:11400' },
    });
    expect(otherPort.status).toBe(403);
    expect(core.calls).toEqual([]);
    const own = await fetch(`${base}/api/models/qwen/pin`, {
      method: 'POST',
      headers: { ...auth, Origin: `http://localhost:${server.port}` },
    });
    expect(own.status).toBe(200);
    const none = await fetch(`${base}/api/models/qwen/unpin`, { method: 'POST', headers: auth });
    expect(none.status).toBe(200);
    expect(core.calls).toEqual([
      { kind: 'pin', name: 'qwen', pinned: true },
      { kind: 'pin', name: 'qwen', pinned: false },
    ]);
  });

  it('logs the browser in from the login link with an HttpOnly SameSite=Strict cookie and drops the token from the URL', async () => {
    const res = await fetch(server.loginUrl(), { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^siesta_token=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    const withCookie = await fetch(`${base}/api/state`, {
      headers: { Cookie: cookie.split(';')[0] ?? '' },
    });
    expect(withCookie.status).toBe(200);
  });

  it('refuses a login link with a wrong token and sets no cookie', async () => {
    const res = await fetch(`${base}/login?token=nope`, { redirect: 'manual' });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('control API validation', () => {
  it('answers an unknown model with 404 naming it', async () => {
    const res = await fetch(`${base}/api/models/llama/wake`, { method: 'POST', headers: auth });
    expect(res.status).toBe(404);
    const error = await errorOf(res);
    expect(error).toMatchObject({ code: 'unknown-model', field: 'name' });
    expect(error.message).toContain('"llama"');
  });

  it('answers a malformed from with 400 naming from', async () => {
    const res = await fetch(`${base}/api/history?from=yesterday`, { headers: auth });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.field).toBe('from');
    expect(error.message).toContain('from');
    expect(error.message).toContain('yesterday');
  });

  it('answers an unknown query parameter, a bad bucket and a reversed range naming the field', async () => {
    const unknown = await errorOf(
      await fetch(`${base}/api/history?form=2025-01-01`, { headers: auth }),
    );
    expect(unknown).toMatchObject({ field: 'form' });
    const bucket = await errorOf(await fetch(`${base}/api/history?bucket=year`, { headers: auth }));
    expect(bucket.field).toBe('bucket');
    expect(bucket.message).toContain('hour, day, week, month');
    const reversed = await errorOf(
      await fetch(`${base}/api/history?from=2025-02-01&to=2025-01-01`, { headers: auth }),
    );
    expect(reversed.field).toBe('to');
  });

  it('passes ISO dates and epoch ms through as [from, to) with the bucket and model', async () => {
    const res = await fetch(
      `${base}/api/history?from=2025-01-01T00:00:00Z&to=1738368000000&bucket=week&model=qwen`,
      { headers: auth },
    );
    expect(res.status).toBe(200);
    const history = HistoryResponseSchema.parse(await res.json());
    expect(history.bucket).toBe('week');
    expect(core.calls).toEqual([
      {
        kind: 'history',
        query: { from: Date.UTC(2025, 0, 1), to: 1738368000000, bucket: 'week', model: 'qwen' },
      },
    ]);
  });

  it('answers an unknown setting with 400 naming it, and a bad value naming the field and what was expected', async () => {
    const put = (body: unknown): Promise<Response> =>
      fetch(`${base}/api/settings`, {
        method: 'PUT',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const unknown = await put({ pricePerKwhh: 0.2 });
    expect(unknown.status).toBe(400);
    expect(await errorOf(unknown)).toMatchObject({
      code: 'invalid-setting',
      field: 'pricePerKwhh',
    });
    const bad = await errorOf(await put({ pricePerKwh: -1 }));
    expect(bad.field).toBe('pricePerKwh');
    expect(bad.message).toMatch(/pricePerKwh: expected a price per kWh >= 0.*got -1/);
    const nested = await errorOf(await put({ notifications: { wake: 'yes' } }));
    expect(nested.field).toBe('notifications.wake');
    expect(core.settings.get().pricePerKwh).toBe(0.3);
  });

  it('saves a valid settings change and answers the whole settings', async () => {
    const res = await fetch(`${base}/api/settings`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ pricePerKwh: 0.42, notifications: { wake: false } }),
    });
    expect(res.status).toBe(200);
    const settings = SettingsSchema.parse(await res.json());
    expect(settings.pricePerKwh).toBe(0.42);
    expect(settings.notifications).toEqual({
      wake: false,
      ready: true,
      failed: true,
      evicted: true,
    });
    const again = SettingsSchema.parse(
      await (await fetch(`${base}/api/settings`, { headers: auth })).json(),
    );
    expect(again.pricePerKwh).toBe(0.42);
  });

  it('answers a body that is not JSON with 400 and a wrong method with 405', async () => {
    const res = await fetch(`${base}/api/settings`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: '{price',
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain('not valid JSON');
    const wrong = await fetch(`${base}/api/state`, { method: 'POST', headers: auth });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });
});

describe('control API actions', () => {
  it('answers a wake with 202 once it started, and with wait=1 when the model is ready', async () => {
    const started = await fetch(`${base}/api/models/qwen/wake`, {
      method: 'POST',
      headers: { ...auth, 'X-Siesta-Via': 'cli' },
    });
    expect(started.status).toBe(202);
    expect(ModelActionResponseSchema.parse(await started.json()).model.state).toBe('waking');
    expect(core.calls).toEqual([{ kind: 'wake', name: 'qwen', via: 'cli' }]);

    const waiting = fetch(`${base}/api/models/qwen/wake?wait=1`, { method: 'POST', headers: auth });
    await waitFor(() => core.calls.length === 2);
    core.finishWake('qwen');
    const done = await waiting;
    expect(done.status).toBe(200);
    const body = ModelActionResponseSchema.parse(await done.json());
    expect(body.model.state).toBe('ready');
    expect(body.tookMs).toBeGreaterThanOrEqual(0);
  });

  it('answers a wake that fails while waited for with 502 and the reason', async () => {
    const waiting = fetch(`${base}/api/models/qwen/wake?wait=1`, { method: 'POST', headers: auth });
    await waitFor(() => core.calls.length === 1);
    core.failWake('qwen', 'CUDA out of memory', ['torch.OutOfMemoryError: CUDA out of memory']);
    const res = await waiting;
    expect(res.status).toBe(502);
    const error = await errorOf(res);
    expect(error.code).toBe('wake-failed');
    expect(error.message).toBe(
      '"qwen" failed to wake: CUDA out of memory. Last log lines: torch.OutOfMemoryError: CUDA out of memory',
    );
  });

  it('puts a model to sleep and pauses auto-sleep', async () => {
    const res = await fetch(`${base}/api/models/flux/sleep?wait=1`, {
      method: 'POST',
      headers: auth,
    });
    expect(res.status).toBe(200);
    expect(ModelActionResponseSchema.parse(await res.json()).model.state).toBe('asleep');
    const paused = await fetch(`${base}/api/auto-sleep/pause`, { method: 'POST', headers: auth });
    expect(await paused.json()).toEqual({ autoSleepPaused: true });
    const resumed = await fetch(`${base}/api/auto-sleep/resume`, { method: 'POST', headers: auth });
    expect(await resumed.json()).toEqual({ autoSleepPaused: false });
  });

  it('exports the history as a CSV download', async () => {
    const res = await fetch(`${base}/api/history.csv?from=2025-03-01&to=2025-03-31`, {
      headers: auth,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(
      /attachment; filename="siesta-history-2025-03-\d\d\.csv"/,
    );
    expect(await res.text()).toMatch(/^date,model,saved_kwh\n2025-0[23]-\d\d,qwen,2\n$/);
  });
});

describe('metrics', () => {
  it('serves Prometheus metrics without the token to a loopback client', async () => {
    core.emit({
      type: 'wake-requested',
      at: Date.now(),
      model: 'qwen',
      cause: 'request:model-field qwen',
      wakeCause: { kind: 'request', route: 'model-field', detail: 'qwen' },
    });
    core.emit({ type: 'wake-ready', at: Date.now(), model: 'qwen', wakeMs: 3_500 });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain(
      'siesta_gpu_vram_used_bytes{gpu="0",name="RTX 4090",uuid="GPU-1"} 9000000000',
    );
    expect(text).toContain(
      'siesta_gpu_vram_total_bytes{gpu="0",name="RTX 4090",uuid="GPU-1"} 24000000000',
    );
    expect(text).toContain('siesta_gpu_power_watts{gpu="0",name="RTX 4090",uuid="GPU-1"} 61.5');
    expect(text).toContain('siesta_model_state{model="flux",state="ready"} 1');
    expect(text).toContain('siesta_model_state{model="flux",state="asleep"} 0');
    expect(text).toContain('siesta_model_state{model="qwen",state="asleep"} 1');
    expect(text).toContain('siesta_model_in_flight_requests{model="flux"} 2');
    expect(text).toContain('siesta_model_wakes_total{model="qwen"} 1');
    expect(text).toContain('siesta_model_wake_seconds_bucket{le="5",model="qwen"} 1');
    expect(text).toContain('siesta_model_wake_seconds_bucket{le="2",model="qwen"} 0');
    expect(text).toContain('siesta_model_energy_saved_joules{model="flux"} 5000');
  });
});

describe('dashboard files', () => {
  it('serves the dashboard without the token, with a strict CSP, and falls back to index.html for app paths', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'",
    );
    expect(await index.text()).toContain('<div id="root">');
    const asset = await fetch(`${base}/assets/app-abc123.js`);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const fallback = await fetch(`${base}/history`);
    expect(await fallback.text()).toContain('<div id="root">');
    const missing = await fetch(`${base}/assets/missing.js`);
    expect(missing.status).toBe(404);
  });

  it('does not serve files outside the renderer folder', async () => {
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    const res = await raw('/../secret.txt', { Host: `127.0.0.1:${server.port}` });
    expect(res.body).not.toContain('secret');
    const encoded = await raw('/%2e%2e/secret.txt', { Host: `127.0.0.1:${server.port}` });
    expect(encoded.body).not.toBe('secret');
    expect(encoded.status).toBe(404);
  });
});

describe('live events', () => {
  it('delivers a snapshot and then a model state change over SSE', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/events`, { headers: auth, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = readEvents(res);
    const first = await events.next();
    expect(first.type).toBe('snapshot');
    void core.wake('qwen', 'dashboard');
    const seen: ApiEvent[] = [];
    const waking = (e: ApiEvent): boolean =>
      e.type === 'model' && e.model.name === 'qwen' && e.model.state === 'waking';
    while (!seen.some(waking) || !seen.some((e) => e.type === 'wake-requested'))
      seen.push(await events.next());
    expect(seen.find((e) => e.type === 'wake-requested')).toMatchObject({
      model: 'qwen',
      cause: 'user:dashboard',
      wakeCause: { kind: 'user', via: 'dashboard' },
    });
    controller.abort();
  });

  it('sends heartbeats and forgets a client that went away', async () => {
    await server.close();
    await startServer({ heartbeatMs: 20 });
    const controller = new AbortController();
    const res = await fetch(`${base}/api/events`, { headers: auth, signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes(': heartbeat'))
      text += new TextDecoder().decode((await reader.read()).value);
    expect(server.streamClients).toBe(1);
    controller.abort();
    await waitFor(() => server.streamClients === 0);
    expect(server.streamClients).toBe(0);
  });

  it('sends settings changes to the stream', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/events`, { headers: auth, signal: controller.signal });
    const events = readEvents(res);
    await events.next();
    core.settings.update({ currency: 'SEK' });
    const next = await events.next();
    expect(next).toMatchObject({ type: 'settings', settings: { currency: 'SEK' } });
    controller.abort();
  });
});

/** Reads `data:` frames of an SSE response one event at a time. */
function readEvents(res: Response): { next(): Promise<ApiEvent> } {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (data) return ApiEventSchema.parse(JSON.parse(data.slice(6)));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('event stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
