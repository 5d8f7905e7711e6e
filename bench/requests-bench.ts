// What counting requests costs (issue 16), side by side in one run: p50/p99 latency and requests/s through two
// gateway processes on the same fake model server, one without accounting and one with it (usage read from the
// response as it passes, energy metered against a 1 Hz GPU reading, rows in a real ledger); rounds alternate between
// them. Then the ledger's size for a year at 100,000 requests a day: the last 7 days as single rows written through
// the ledger, the older days as the daily roll-ups that pruning leaves.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../main/core/clock/virtual-clock';
import { bucketStartAt } from '../main/core/ledger/buckets';
import { calendarKey } from '../main/core/ledger/history-days';
import { Ledger } from '../main/core/ledger/ledger';
import { openLedgerDatabase } from '../main/core/ledger/ledger-database';
import type { RequestRow } from '../main/core/ledger/request-store';
import { freePort } from '../test/free-port';
import type { Helper } from './gateway/child-process';
import { startHelper } from './gateway/child-process';
import { compileForBench } from './gateway/compile-for-bench';
import type { LoadRequest, LoadResult } from './gateway/load-generator';
import { combineRounds, runLoad } from './gateway/load-generator';

const REPO_ROOT = path.resolve(__dirname, '..');
const FAKE_SERVER = path.join(REPO_ROOT, 'test/fake-model/server.js');
const MODEL = 'bench';
const DAY_MS = 86_400_000;
const REQUESTS_PER_DAY = 100_000;
const RAW_DAYS = 7;
/** How the year's traffic is spread: models and clients (API keys) with requests each day. */
const MODELS = ['chat', 'coder', 'embed', 'speech'];
const CLIENTS = 20;

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at === -1 ? undefined : Number(args[at + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

const chat = (extra: Record<string, unknown>): Buffer =>
  Buffer.from(
    JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: 'x '.repeat(400) }],
      max_tokens: 16,
      ...extra,
    }),
  );

const WORKLOADS: ReadonlyArray<{ name: string; shape: LoadRequest }> = [
  {
    name: 'chat, whole JSON answer',
    shape: {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      body: chat({}),
      check: (status, body) => status === 200 && body.includes('"completion_tokens":16'),
    },
  },
  {
    name: 'chat, SSE stream (usage asked for and taken out)',
    shape: {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      body: chat({ stream: true }),
      check: (status, body) =>
        status === 200 && body.includes('[DONE]') && !body.includes('"usage"'),
    },
  },
  {
    name: 'chat, SSE stream with include_usage',
    shape: {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      body: chat({ stream: true, stream_options: { include_usage: true } }),
      check: (status, body) => status === 200 && body.includes('"completion_tokens":16'),
    },
  },
];

async function latency(args: readonly string[]): Promise<void> {
  const durationMs = option(args, '--seconds', 3) * 1000;
  const rounds = option(args, '--rounds', 3);
  const concurrency = option(args, '--concurrency', 8);
  const [gatewayFile] = compileForBench(REPO_ROOT, ['bench/gateway/gateway-server.ts']);
  const ledgerDir = mkdtempSync(join(tmpdir(), 'siesta-bench-requests-'));
  const helpers: Helper[] = [];
  try {
    const upstreamPort = await freePort();
    helpers.push(
      await startHelper('the fake model server', process.execPath, [FAKE_SERVER], {
        env: { ...process.env, PORT: String(upstreamPort), MODEL_NAME: MODEL, TOKEN_DELAY_MS: '1' },
        ready: /listening on \d+/,
      }),
    );
    const gatewayEnv = {
      ...process.env,
      BENCH_UPSTREAM_PORT: String(upstreamPort),
      BENCH_MODEL: MODEL,
    };
    const plain = await startHelper(
      'the gateway without accounting',
      process.execPath,
      [gatewayFile ?? ''],
      {
        env: gatewayEnv,
        ready: /gateway listening on (\d+)/,
      },
    );
    helpers.push(plain);
    const counted = await startHelper(
      'the gateway with accounting',
      process.execPath,
      [gatewayFile ?? ''],
      {
        env: { ...gatewayEnv, BENCH_LEDGER_DIR: ledgerDir },
        ready: /gateway listening on (\d+)/,
      },
    );
    helpers.push(counted);
    const ports = { without: Number(plain.match[1]), with: Number(counted.match[1]) };
    console.log(
      `${concurrency} concurrent clients, ${rounds} alternating rounds of ${durationMs / 1000} s per side\n`,
    );
    console.log(
      '| workload | p50 without | p50 with | added p50 | p99 without | p99 with | added p99 | req/s with / without | errors |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const w of WORKLOADS) {
      const results = { without: [] as LoadResult[], with: [] as LoadResult[] };
      for (let r = 0; r < rounds; r++)
        for (const side of r % 2 === 0
          ? (['without', 'with'] as const)
          : (['with', 'without'] as const))
          results[side].push(
            await runLoad(w.shape, { port: ports[side], concurrency, warmupMs: 500, durationMs }),
          );
      const a = combineRounds(results.without);
      const b = combineRounds(results.with);
      const ms = (v: number): string => `${v.toFixed(2)} ms`;
      console.log(
        `| ${w.name} | ${ms(a.p50Ms)} | ${ms(b.p50Ms)} | ${ms(b.p50Ms - a.p50Ms)} | ${ms(a.p99Ms)} | ${ms(b.p99Ms)} | ${ms(b.p99Ms - a.p99Ms)} | ${(b.requestsPerSecond / a.requestsPerSecond).toFixed(3)} | ${a.errors} / ${b.errors}${b.firstError ? ` (${b.firstError})` : ''} |`,
      );
    }
  } finally {
    for (const h of helpers.reverse()) await h.stop();
    rmSync(ledgerDir, { recursive: true, force: true });
  }
}

/** One request of the synthetic year. */
function yearRow(at: number, i: number): RequestRow {
  return {
    at,
    model: MODELS[i % MODELS.length] ?? 'chat',
    client: `key:${(i % CLIENTS).toString(16).padStart(12, '0')}`,
    status: i % 200 === 0 ? 500 : 200,
    complete: true,
    promptTokens: 200 + (i % 1_300),
    completionTokens: 50 + ((i * 7) % 700),
    estimated: i % 50 === 0,
    firstByteMs: 80 + (i % 400),
    durationMs: 900 + (i % 4_000),
    marginalJoules: 20 + ((i * 13) % 900) / 3,
  };
}

async function ledgerSize(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'siesta-bench-requests-year-'));
  const path = join(dir, 'ledger.sqlite');
  try {
    const now = Date.UTC(2026, 11, 1);
    const yearAt = now - 365 * DAY_MS;
    // The older days as pruning leaves them: one roll-up row per day, model and client.
    const db = openLedgerDatabase({ path });
    const upsert = db.prepare(
      `INSERT INTO request_days (calendar, day_start_at, model, client, requests, failed, prompt_tokens, completion_tokens,
        estimated, measured, marginal_millijoules, duration_ms, first_byte_ms, first_byte_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const perPair = REQUESTS_PER_DAY / (MODELS.length * CLIENTS);
    db.transaction(() => {
      for (let d = 0; d < 365 - RAW_DAYS; d++) {
        const dayAt = bucketStartAt(yearAt + d * DAY_MS, 'day', 'utc');
        for (const model of MODELS)
          for (let c = 0; c < CLIENTS; c++)
            upsert.run(
              calendarKey('utc'),
              dayAt,
              model,
              `key:${c.toString(16).padStart(12, '0')}`,
              perPair,
              Math.round(perPair / 200),
              perPair * 850,
              perPair * 400,
              Math.round(perPair / 50),
              perPair,
              perPair * 170_000,
              perPair * 2_900,
              perPair * 280,
              perPair,
            );
      }
    })();
    db.close();
    // The last 7 days through the ledger, as the gateway writes them (batches of settled requests).
    const clock = new VirtualClock(now - RAW_DAYS * DAY_MS);
    const ledger = new Ledger({ path, clock, timeZone: 'utc' });
    const startedAt = performance.now();
    const batch = 100;
    let written = 0;
    for (let d = 0; d < RAW_DAYS; d++) {
      const dayAt = now - (RAW_DAYS - d) * DAY_MS;
      for (let i = 0; i < REQUESTS_PER_DAY; i += batch) {
        const rows: RequestRow[] = [];
        for (let k = 0; k < batch; k++)
          rows.push(yearRow(dayAt + Math.floor(((i + k) * DAY_MS) / REQUESTS_PER_DAY), i + k));
        await clock.advanceTo(rows[rows.length - 1]?.at ?? dayAt);
        ledger.requests.record(rows);
        written += rows.length;
      }
    }
    const writeMs = performance.now() - startedAt;
    const queryAt = performance.now();
    const summary = ledger.requests.summary(yearAt, now);
    const queryMs = performance.now() - queryAt;
    ledger.close();
    const bytes = statSync(path).size;
    const mib = (b: number): string => `${(b / 1024 ** 2).toFixed(1)} MiB`;
    console.log(
      `\nLedger for a year at ${REQUESTS_PER_DAY.toLocaleString('en-US')} requests a day`,
    );
    console.log('| figure | value |');
    console.log('|---|---|');
    console.log(`| single requests kept (${RAW_DAYS} days) | ${written.toLocaleString('en-US')} |`);
    console.log(
      `| daily roll-ups (${MODELS.length} models x ${CLIENTS} clients x 365 days) | ${(365 * MODELS.length * CLIENTS).toLocaleString('en-US')} |`,
    );
    console.log(`| file size | ${mib(bytes)} |`);
    console.log(`| bytes per kept single request | ${Math.round(bytes / written)} |`);
    console.log(
      `| writing the ${RAW_DAYS} days' requests (batches of ${batch}) | ${(writeMs / 1000).toFixed(1)} s (${((written / writeMs) * 1000).toFixed(0)} requests/s) |`,
    );
    console.log(
      `| a year's totals per model (summary) | ${queryMs.toFixed(1)} ms, ${summary.models.reduce((n, m) => n + m.requests, 0).toLocaleString('en-US')} requests |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run bench -- requests [--seconds S] [--rounds N] [--concurrency C] [--size-only]`. */
export async function run(args: readonly string[]): Promise<void> {
  if (!args.includes('--size-only')) await latency(args);
  await ledgerSize();
}
