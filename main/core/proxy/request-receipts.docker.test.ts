// What a request costs, end to end (issue 16): the `openai` client through the real gateway of `startSiesta` to a
// model container on the real engine, a GPU stand-in that draws 150 W above its 60 W idle while a request is in flight
// (and logs what it reported). Tokens are counted from the model's usage, streamed or not, a client that did not ask
// for usage gets the exact stream the model sends, and the receipts add up to the GPU's energy above idle.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFakeModel, removeTestContainers, TEST_LABEL } from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { until } from '../../../test/until';
import { runCosts } from '../../cli/costs-command';
import { CostsResponseSchema } from '../api/contract';
import { systemClock } from '../clock/clock';
import { dockerFromEnv } from '../docker/docker-client';
import { ReplayProbe } from '../gpu/replay-probe';
import { startSiesta, type RunningSiesta } from '../siesta';

const docker = dockerFromEnv();
const clock = systemClock();
const MODEL = `rr-chat-${process.pid}`;
const IDLE_WATTS = 60;
const BUSY_WATTS = 150;
const PERIOD_MS = 50;

let dataDir = '';
/** The first test's receipts, as the ledger settled them. */
let settledReceipts = 0;
let siesta: RunningSiesta | null = null;
/** What the stand-in reported, in order. */
const reported: { at: number; watts: number }[] = [];

function client(apiKey = 'sk-receipts-test'): OpenAI {
  return new OpenAI({
    baseURL: `${siesta!.gatewayUrl}/v1`,
    apiKey,
    timeout: 30_000,
    maxRetries: 0,
  });
}

/** The model's own answer to `body`, straight from its container (what the gateway must pass on unchanged). */
async function straightFromModel(body: unknown): Promise<string> {
  const upstream = siesta!.lifecycle.get(MODEL)?.upstream;
  if (!upstream) throw new Error('model not up');
  const res = await fetch(`http://${upstream.host}:${upstream.port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.text();
}

/** A stream's text with the parts that differ per response (id, creation time) made equal. */
function normalised(sse: string): string {
  return sse.replace(/"id":"[^"]*"/g, '"id":"X"').replace(/"created":\d+/g, '"created":0');
}

const words = (n: number): string => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

describeDocker('energy receipts through the real gateway (openai client, GPU stand-in)', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'siesta-receipts-'));
    await createFakeModel(docker, {
      name: MODEL,
      labels: { 'siesta.enable': 'true', 'siesta.idle': '10m' },
      env: { TOKEN_DELAY_MS: '15', JSON_MS_PER_TOKEN: '15' },
    });
    const probe = new ReplayProbe({
      clock,
      intervalMs: PERIOD_MS,
      script: (at) => {
        const busy = (siesta?.lifecycle.get(MODEL)?.inFlight ?? 0) > 0;
        const watts = IDLE_WATTS + (busy ? BUSY_WATTS : 0);
        reported.push({ at, watts });
        return [
          { index: 0, powerWatts: watts, powerKind: 'average', vramTotalBytes: 24 * 1024 ** 3 },
        ];
      },
    });
    siesta = await startSiesta({
      dataDir,
      gateway: { host: '127.0.0.1', port: 0 },
      control: { host: '127.0.0.1', port: 0 },
      docker,
      containerScope: [`${TEST_LABEL}=${process.pid}`],
      gpuProbe: probe,
      clock,
      log: () => undefined,
    });
    await siesta.lifecycle.wake(MODEL, { kind: 'user', via: 'api' });
    // Straight to the container (not counted): its server answers, not only Docker's port proxy.
    await until(
      'the model server answering',
      () =>
        fetch(
          `http://${siesta!.lifecycle.get(MODEL)?.upstream?.host}:${siesta!.lifecycle.get(MODEL)?.upstream?.port}/health`,
        )
          .then((r) => r.ok)
          .catch(() => false),
      (ok) => ok,
    );
    // A few idle readings with the model up: the baseline.
    await new Promise((r) => setTimeout(r, 6 * PERIOD_MS));
  });

  afterAll(async () => {
    await siesta?.stop();
    await removeTestContainers(docker);
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts tokens of whole and streamed answers, passes the stream on as sent, and the receipts add up to the energy above idle', async () => {
    const firstAt = clock.now();
    // A whole answer: usage from its body, the marginal joules in the Siesta-Energy header.
    const whole = await client()
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: words(7) }],
        max_tokens: 30,
      })
      .withResponse();
    expect(whole.data.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 30 });
    const header = whole.response.headers.get('siesta-energy');
    expect(header).not.toBeNull();
    expect(Number(header)).toBeGreaterThan(0);

    // A stream whose client did not ask for usage: exactly what the model sends for that body, no usage event.
    const plainBody = {
      model: MODEL,
      messages: [{ role: 'user' as const, content: words(4) }],
      max_tokens: 20,
      stream: true as const,
    };
    const raw = await client().chat.completions.create(plainBody).asResponse();
    const throughGateway = await raw.text();
    expect(throughGateway).not.toContain('"usage"');
    expect(normalised(throughGateway)).toBe(normalised(await straightFromModel(plainBody)));

    // A stream whose client asked: its usage event, with the receipt beside it.
    const asked = await client().chat.completions.create({
      ...plainBody,
      messages: [{ role: 'user', content: words(9) }],
      max_tokens: 25,
      stream_options: { include_usage: true },
    });
    let text = '';
    let last: Record<string, unknown> | null = null;
    for await (const chunk of asked) {
      text += chunk.choices[0]?.delta.content ?? '';
      last = chunk as unknown as Record<string, unknown>;
    }
    expect(text.split(' ')).toHaveLength(25);
    expect(last?.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 25 });
    expect((last?.siesta as { energy_joules: number }).energy_joules).toBeGreaterThan(0);

    // Concurrent requests from two API keys share what the GPU drew.
    await Promise.all([
      ...[10, 40, 60].map(async (n) => {
        const s = await client('sk-other').chat.completions.create({ ...plainBody, max_tokens: n });
        for await (const chunk of s) void chunk;
      }),
      client().chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: words(3) }],
        max_tokens: 50,
      }),
    ]);

    const ledger = siesta!.ledger;
    await until(
      'all seven requests settled in the ledger',
      () => ledger.requests.recent(firstAt - 1, clock.now() + 1).length,
      (n) => n === 7,
    );
    ledger.flush();
    const rows = ledger.requests.recent(firstAt - 1, clock.now() + 1);
    expect(rows.map((r) => [r.promptTokens, r.completionTokens, r.estimated])).toEqual(
      expect.arrayContaining([
        [7, 30, false],
        [4, 20, false],
        [9, 25, false],
        [4, 10, false],
        [4, 40, false],
        [4, 60, false],
        [3, 50, false],
      ]),
    );
    expect(rows.every((r) => r.status === 200 && r.complete && r.model === MODEL)).toBe(true);
    expect(new Set(rows.map((r) => r.client)).size).toBe(2);
    expect(rows.every((r) => r.client.startsWith('key:'))).toBe(true);

    // The truth: the stand-in's own log, energy above idle between its readings.
    let truthJoules = 0;
    for (let i = 1; i < reported.length; i++) {
      const a = reported[i - 1]!;
      const b = reported[i]!;
      if (b.at > firstAt) truthJoules += ((b.watts - IDLE_WATTS) * (b.at - a.at)) / 1000;
    }
    const receipts = rows.reduce((n, r) => n + (r.marginalJoules ?? 0), 0);
    expect(truthJoules).toBeGreaterThan(100);
    expect(Math.abs(receipts - truthJoules) / truthJoules).toBeLessThan(0.02);
    // The longer stream of the concurrent ones was charged more than the shortest.
    const charged = (completion: number) =>
      rows.find((r) => r.completionTokens === completion)?.marginalJoules ?? 0;
    expect(charged(60)).toBeGreaterThan(charged(10));

    const summary = ledger.requests.summary(firstAt, clock.now() + 1);
    expect(summary.models).toHaveLength(1);
    expect(summary.models[0]).toMatchObject({ model: MODEL, requests: 7, promptTokens: 35 });
    expect(summary.models[0]!.marginalJoules).toBeCloseTo(receipts, 1);
    settledReceipts = receipts;
  });

  it('shows the same requests in /api/costs, `siesta costs` and /metrics', async () => {
    const auth = { authorization: `Bearer ${siesta!.token}` };
    const put = await fetch(`${siesta!.controlUrl}/api/settings`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json', origin: siesta!.controlUrl },
      body: JSON.stringify({
        costs: { cloudPricePerMinute: 0.1, cloudFixedPerMonth: 2_000, upkeepPerMonth: 2_500 },
      }),
    });
    expect(put.status, await put.text()).toBe(200);
    const costs = CostsResponseSchema.parse(
      await (await fetch(`${siesta!.controlUrl}/api/costs`, { headers: auth })).json(),
    );
    expect(costs.models).toHaveLength(1);
    expect(costs.models[0]).toMatchObject({
      model: MODEL,
      requests: 7,
      promptTokens: 35,
      completionTokens: 235,
      estimatedRequests: 0,
    });
    expect(costs.models[0]!.marginalKwh).toBeCloseTo(settledReceipts / 3_600_000, 8);
    expect(costs.mix?.completionTokens).toBeCloseTo(235 / 7, 6);
    expect(costs.options.map((o) => o.name)).toEqual([
      'local',
      'cloud GPU',
      'OpenAI gpt-4o-mini',
      'OpenAI gpt-4o',
      'Anthropic Claude 3.5 Sonnet',
    ]);
    const cloud = costs.options.find((o) => o.kind === 'cloud')!;
    // 0.10 a minute for the mean request's seconds.
    expect(cloud.perRequest).toBeCloseTo((0.1 * costs.mix!.seconds) / 60, 10);
    expect(costs.crossovers.length).toBeGreaterThan(0);

    let printed = '';
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        printed += chunk.toString();
        done();
      },
    });
    await runCosts({ controlUrl: siesta!.controlUrl, token: siesta!.token, out });
    expect(printed).toMatch(new RegExp(`${MODEL}\\s+7\\s+35\\s+235`));
    expect(printed).toContain('cloud GPU');
    expect(printed).toContain('price of 2024-07-18');

    const metrics = await (await fetch(`${siesta!.controlUrl}/metrics`, { headers: auth })).text();
    expect(metrics).toContain(`siesta_requests_total{model="${MODEL}",status="200"} 7`);
    expect(metrics).toContain(`siesta_tokens_total{model="${MODEL}",kind="completion"} 235`);
    expect(metrics).toContain(`siesta_request_energy_joules_count{model="${MODEL}"} 7`);
  });

  it('passes a stream on as the model sends it while asking for its usage: tokens arrive over its whole length, not at the end', async () => {
    const stream = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: words(2) }],
      max_tokens: 40,
      stream: true,
    });
    const arrivals: number[] = [];
    for await (const chunk of stream)
      if (chunk.choices[0]?.delta.content) arrivals.push(performance.now());
    expect(arrivals).toHaveLength(40);
    // 40 tokens 15 ms apart take at least 585 ms to send; held back until the end they would arrive in a burst.
    expect(arrivals[arrivals.length - 1]! - arrivals[0]!).toBeGreaterThan(300);
  });

  it('lets a page of an allowed origin read the receipt', async () => {
    siesta!.settings.update({ gateway: { corsOrigins: ['http://app.test:3000'] } });
    await until(
      'the gateway following the new CORS origins',
      async () => {
        const res = await fetch(`${siesta!.gatewayUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'http://app.test:3000' },
          body: JSON.stringify({
            model: MODEL,
            messages: [{ role: 'user', content: 'hi' }],
            max_tokens: 2,
          }),
        });
        await res.text();
        return [res.headers.get('access-control-expose-headers'), res.headers.get('siesta-energy')];
      },
      ([exposed]) => exposed === 'siesta-energy',
    ).then(([, joules]) => expect(Number(joules)).toBeGreaterThanOrEqual(0));
  });

  it('records a stream the client left midway as cut, with the tokens it was sent, and the model is free again', async () => {
    const since = clock.now();
    const controller = new AbortController();
    const stream = await client().chat.completions.create(
      {
        model: MODEL,
        messages: [{ role: 'user', content: words(5) }],
        max_tokens: 200,
        stream: true,
      },
      { signal: controller.signal },
    );
    let seen = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) seen += 1;
      if (seen === 5) {
        // Leaving the loop ends the openai client's stream: it aborts the request.
        controller.abort();
        break;
      }
    }
    const [row] = await until(
      'the cut stream in the ledger',
      () => siesta!.ledger.requests.recent(since, clock.now() + 1),
      (rows) => rows.length === 1,
    );
    expect(row).toMatchObject({ model: MODEL, status: 200, complete: false, estimated: true });
    // Counted from the chunks it was sent (the usage event never came): at least the five the client read.
    expect(row!.completionTokens).toBeGreaterThanOrEqual(5);
    expect(row!.completionTokens).toBeLessThan(200);
    expect(siesta!.lifecycle.get(MODEL)?.inFlight).toBe(0);
  });
});
