import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { WakeError } from '../lifecycle/lifecycle-api';
import { neverFitsMessage } from '../scheduler/scheduler-messages';
import type { GatewayFixture } from './testdata/gateway-fixture';
import { startGateway } from './testdata/gateway-fixture';
import { call, freePort, until } from './testdata/http-call';

let fx: GatewayFixture | null = null;
afterEach(async () => {
  await fx?.close();
  fx = null;
});

const json = { 'content-type': 'application/json' };

const GIB = 1024 ** 3;

describe('the wake gate', () => {
  it('holds an API request to a sleeping model until it is ready, then forwards it', async () => {
    fx = await startGateway([{ name: 'llama', wake: 'manual' }]);
    let answered = false;
    const pending = call(fx.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: json,
      body: '{"model":"llama"}',
    }).then((r) => {
      answered = true;
      return r;
    });
    await until(() => fx!.lifecycle.isWaking('llama'), 5_000, 'the wake');
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    await fx.lifecycle.finishWake('llama');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ served_by: 'llama' });
    expect(fx.lifecycle.acquires).toHaveLength(1);
  });

  it('lets a client that gives up while a model wakes go, without a use left open; the wake goes on', async () => {
    fx = await startGateway([{ name: 'llama', wake: 'manual' }]);
    const req = request({ host: '127.0.0.1', port: fx.port, path: '/llama/whoami', agent: false });
    req.on('error', () => undefined);
    req.end();
    await until(() => fx!.lifecycle.isWaking('llama'), 5_000, 'the wake');
    req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(fx.lifecycle.isWaking('llama')).toBe(true);
    await fx.lifecycle.finishWake('llama');
    expect(fx.lifecycle.leases).toEqual([]);
    expect(fx.lifecycle.open('llama')).toBe(0);
  });

  it('shows a browser the waiting page at once, and starts the wake without holding the connection', async () => {
    const port = await freePort();
    const name = '<b>"Qwen" & co</b>';
    fx = await startGateway([{ name, listenPort: port, wake: 'manual' }], {}, () => 42_000);
    const res = await call(port, {
      path: '/',
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain(
      'Waking <span id="model">&#60;b&#62;&#34;Qwen&#34; &#38; co&#60;/b&#62;</span>',
    );
    expect(res.body).not.toContain('<b>"Qwen"');
    expect(res.body).toContain('it usually takes about 42 s');
    expect(res.body).toContain('/__siesta/status/%3Cb%3E%22Qwen%22%20%26%20co%3C%2Fb%3E');
    expect(res.body).toContain('location.reload()');
    expect(res.body).toMatch(/<progress id="bar"/);
    // Self-contained: nothing loaded from elsewhere.
    expect(res.body).not.toMatch(/(src|href)=|url\(|@import/);
    expect(fx.lifecycle.wakes).toEqual([
      { model: name, cause: { kind: 'request', route: 'port', detail: String(port) } },
    ]);
    expect(fx.lifecycle.acquires).toEqual([]);
    expect(fx.lifecycle.isWaking(name)).toBe(true);

    const status = await call(port, { path: `/__siesta/status/${encodeURIComponent(name)}` });
    expect(JSON.parse(status.body)).toMatchObject({
      model: name,
      state: 'waking',
      estimateMs: 42_000,
      failure: null,
    });
    expect((JSON.parse(status.body) as { elapsedMs: number }).elapsedMs).toBeGreaterThanOrEqual(0);
    await fx.lifecycle.finishWake(name);
    const ready = await call(port, { path: '/', headers: { accept: 'text/html' } });
    expect(ready.status).toBe(200);
    expect(ready.body).toContain('web UI');
  });

  it('never wakes a model for uptime monitors, crawlers or probe paths, but serves them when it is awake', async () => {
    fx = await startGateway([{ name: 'llama' }]);
    const monitors = [
      'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)',
      'kube-probe/1.29',
      'Mozilla/5.0 (compatible; Googlebot/2.1)',
      'Uptime-Kuma/1.23.0',
    ];
    for (const ua of monitors) {
      const res = await call(fx.port, {
        path: '/llama/v1/models/x',
        headers: { 'user-agent': ua },
      });
      expect(res.status, ua).toBe(503);
      expect(JSON.parse(res.body)).toMatchObject({
        error: { code: 'model_asleep', type: 'server_error' },
      });
    }
    for (const path of ['/llama/health', '/llama/favicon.ico', '/llama/robots.txt']) {
      const res = await call(fx.port, { path, headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(503);
      expect(res.body).toContain('is asleep');
    }
    expect(fx.lifecycle.acquires).toEqual([]);
    expect(fx.lifecycle.wakes).toEqual([]);
    await fx.lifecycle.setReady('llama');
    const awake = await call(fx.port, {
      path: '/llama/whoami',
      headers: { 'user-agent': 'UptimeRobot/2.0' },
    });
    expect(awake.status).toBe(200);
  });

  it('answers a failed wake with 503, its reason and the last log line, in the OpenAI shape on /v1/', async () => {
    fx = await startGateway([{ name: 'llama', wake: 'manual' }]);
    const pending = call(fx.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: json,
      body: '{"model":"llama"}',
    });
    await until(() => fx!.lifecycle.isWaking('llama'), 5_000, 'the wake');
    fx.lifecycle.failWake(
      'llama',
      new WakeError(
        'failed',
        '"llama" failed to wake: the container exited with code 3 while waking',
        'llama',
        ['loading...', 'CUDA error: out of memory'],
      ),
    );
    const res = await pending;
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({
      error: {
        message:
          '"llama" failed to wake: the container exited with code 3 while waking. Last log line: CUDA error: out of memory',
        type: 'server_error',
        code: 'model_wake_failed',
      },
    });
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('logs a failed wake once, with the number of requests that waited on it', async () => {
    fx = await startGateway([{ name: 'llama', wake: 'manual' }]);
    const waiting = Array.from({ length: 20 }, () => call(fx!.port, { path: '/llama/whoami' }));
    await until(() => fx!.lifecycle.acquires.length === 20, 5_000, 'twenty waiting requests');
    fx.lifecycle.failWake(
      'llama',
      new WakeError(
        'failed',
        '"llama" failed to wake: the container exited with code 3 while waking',
        'llama',
      ),
    );
    const answers = await Promise.all(waiting);
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 503));
    await new Promise((r) => setTimeout(r, 20));
    expect(fx.logs).toEqual([
      'gateway: llama: "llama" failed to wake: the container exited with code 3 while waking. (answered to 20 waiting requests)',
    ]);
  });

  it('answers a wake timeout with 504 and Retry-After, and a model that can never fit with 507', async () => {
    fx = await startGateway([
      { name: 'slow', wake: 'manual' },
      { name: 'huge', wake: 'manual' },
    ]);
    const slow = call(fx.port, { path: '/slow/v1/models/x' });
    const huge = call(fx.port, { path: '/huge/generate' });
    await until(
      () => fx!.lifecycle.isWaking('slow') && fx!.lifecycle.isWaking('huge'),
      5_000,
      'the wakes',
    );
    fx.lifecycle.failWake(
      'slow',
      new WakeError('timeout', '"slow" did not wake: not ready after 10 min', 'slow'),
    );
    fx.lifecycle.failWake(
      'huge',
      new WakeError(
        'never-fits',
        neverFitsMessage({
          model: 'huge',
          gpuIndex: 0,
          needBytes: 80 * GIB,
          marginBytes: 0,
          totalBytes: 24 * GIB,
        }),
        'huge',
      ),
    );
    const timeout = await slow;
    expect(timeout.status).toBe(504);
    expect(timeout.headers['retry-after']).toBeDefined();
    expect(JSON.parse(timeout.body)).toEqual({
      error: {
        code: 'model_wake_timeout',
        type: 'server_error',
        message: '"slow" did not wake: not ready after 10 min.',
      },
    });
    const neverFits = await huge;
    expect(neverFits.status).toBe(507);
    expect(neverFits.headers['content-type']).toContain('text/plain');
    expect(neverFits.body).toBe(
      'huge can never fit on GPU 0: it declares 80 GiB of VRAM, and the GPU has 24 GiB in all. ' +
        'Check its vram setting (label siesta.vram), lower the VRAM margin in the settings, or give it more GPUs.\n',
    );
  });
});
