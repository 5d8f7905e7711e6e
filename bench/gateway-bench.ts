// The gateway's cost, side by side in one run on the same upstream (the fake model server as a local process):
// requests/s and p50/p99 latency direct, through Siesta's Gateway and through Debian's nginx; then the wake overhead on a
// real container (Siesta's time to first byte minus the container's own start-to-ready time). Targets from issue 3.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import { dockerFromEnv } from '../main/core/docker/docker-client';
import type { Helper } from './gateway/child-process';
import { startHelper } from './gateway/child-process';
import { compileForBench } from './gateway/compile-for-bench';
import { UPSTREAM_CONTAINER, startDaemon, startUpstreamContainer } from './gateway/daemon-upstream';
import { freePort } from '../test/free-port';
import type { LoadRequest, LoadResult } from './gateway/load-generator';
import { combineRounds, runLoad } from './gateway/load-generator';
import { NGINX_BINARY, startNginx } from './gateway/nginx-proxy';
import { median, quantile } from './gateway/stats';
import { DIRECT_POLL_MS, measureWakeOverhead } from './gateway/wake-overhead';

const REPO_ROOT = path.resolve(__dirname, '..');
const FAKE_SERVER = path.join(REPO_ROOT, 'test/fake-model/server.js');
const GATEWAY_SERVER = 'bench/gateway/gateway-server.ts';
const PLAIN_NODE_PROXY = 'bench/gateway/plain-node-proxy.ts';
const CLI = 'main/cli.ts';
const MODEL = 'bench';
const TARGET_THROUGHPUT_VS_NGINX = 0.8;
const TARGET_WAKE_OVERHEAD_MEDIAN_MS = 50;

/**
 * `siesta` is `siesta serve`, the whole daemon as users run it (when a Docker engine answers). `gateway` is the Gateway
 * and Lifecycle alone in their own process (a reference, and the measured row when there is no engine). `node` is a
 * reference only: a bare Node proxy, the floor of what any proxy written on Node's `http` costs.
 */
type Target = 'direct' | 'siesta' | 'gateway' | 'nginx' | 'node';

/** One request shape, with the path each target is asked on. */
interface Workload {
  readonly name: string;
  readonly paths: Readonly<Record<Target, string>>;
  readonly shape: Omit<LoadRequest, 'path'>;
}

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at === -1 ? undefined : Number(args[at + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

const CHAT_BODY = Buffer.from(
  JSON.stringify({
    model: MODEL,
    messages: [{ role: 'user', content: 'x'.repeat(1_000) }],
    max_tokens: 16,
  }),
);

const WORKLOADS: readonly Workload[] = [
  {
    name: 'GET /whoami (small JSON)',
    paths: {
      direct: '/whoami',
      siesta: `/${MODEL}/whoami`,
      gateway: `/${MODEL}/whoami`,
      nginx: `/${MODEL}/whoami`,
      node: `/${MODEL}/whoami`,
    },
    shape: {
      method: 'GET',
      check: (status, body) => status === 200 && body.includes(`"model":"${MODEL}"`),
    },
  },
  {
    name: 'POST /v1/chat/completions (1 KB body; Siesta routes by its model field)',
    paths: {
      direct: '/v1/chat/completions',
      siesta: '/v1/chat/completions',
      gateway: '/v1/chat/completions',
      nginx: '/v1/chat/completions',
      node: '/v1/chat/completions',
    },
    shape: {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(CHAT_BODY.length) },
      body: CHAT_BODY,
      check: (status, body) => status === 200 && body.includes('tok15'),
    },
  },
];

/** Waits until GET 127.0.0.1:`port``path` answers 200 (a daemon's model becoming ready), for up to 30 s. */
async function untilAnswers(port: number, path: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(5_000),
    }).then(
      async (r) => {
        await r.arrayBuffer();
        return r.status;
      },
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`GET ${path} on the daemon did not answer 200 within 30 s (last: ${status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

async function throughput(args: readonly string[]): Promise<void> {
  const durationMs = option(args, '--seconds', 4) * 1000;
  const warmupMs = option(args, '--warmup-seconds', 1) * 1000;
  const concurrency = option(args, '--concurrency', 32);
  // By default the gateway and the bare Node proxy run as tsc compiles them (the shipped build); `--from-source` runs
  // them through tsx instead, as the first versions of this benchmark did.
  const fromSource = args.includes('--from-source');
  const [gatewayArgs, plainArgs, cliArgs] = fromSource
    ? [GATEWAY_SERVER, PLAIN_NODE_PROXY, CLI].map((file) => [
        '--import',
        'tsx',
        path.join(REPO_ROOT, file),
      ])
    : compileForBench(REPO_ROOT, [GATEWAY_SERVER, PLAIN_NODE_PROXY, CLI]).map((file) => [file]);
  const helpers: Array<Pick<Helper, 'stop'>> = [];
  try {
    const upstreamPort = await freePort();
    const docker = dockerFromEnv();
    const haveDocker = await docker.ping().then(
      () => true,
      () => false,
    );
    if (haveDocker) helpers.push(await startUpstreamContainer(docker, MODEL, upstreamPort));
    else
      helpers.push(
        await startHelper('the fake model server', process.execPath, [FAKE_SERVER], {
          env: { ...process.env, PORT: String(upstreamPort), MODEL_NAME: MODEL },
          ready: /listening on \d+/,
        }),
      );
    const daemon = haveDocker ? await startDaemon(cliArgs ?? []) : null;
    if (daemon !== null) helpers.push(daemon);
    const gateway = await startHelper('the Siesta gateway', process.execPath, gatewayArgs ?? [], {
      env: { ...process.env, BENCH_UPSTREAM_PORT: String(upstreamPort), BENCH_MODEL: MODEL },
      ready: /gateway listening on (\d+)/,
    });
    helpers.push(gateway);
    const plain = await startHelper('the plain Node proxy', process.execPath, plainArgs ?? [], {
      env: { ...process.env, BENCH_UPSTREAM_PORT: String(upstreamPort), BENCH_PREFIX: `/${MODEL}` },
      ready: /plain proxy listening on (\d+)/,
    });
    helpers.push(plain);
    const nginx = await startNginx(await freePort(), upstreamPort, MODEL);
    if (nginx === null)
      console.log(`nginx: not found at ${NGINX_BINARY}; the nginx column is skipped`);
    else helpers.push(nginx);
    const ports: Partial<Record<Target, number>> = {
      direct: upstreamPort,
      gateway: Number(gateway.match[1]),
      node: Number(plain.match[1]),
    };
    if (daemon !== null) ports.siesta = daemon.port;
    if (nginx !== null) ports.nginx = nginx.port;
    const targets = (['direct', 'siesta', 'gateway', 'nginx', 'node'] as const).filter(
      (t) => ports[t] !== undefined,
    );
    // The daemon found the running container as its model; wait until it is ready to forward.
    if (daemon !== null) await untilAnswers(daemon.port, `/${MODEL}/whoami`);

    console.log(
      `Throughput: ${concurrency} concurrent keep-alive clients in this process, ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured, ` +
        `two rounds per target (forward, then reverse order). Upstream: test/fake-model/server.js (one Node process) on 127.0.0.1:${upstreamPort}` +
        `${haveDocker ? `, in a container on the host's network (${UPSTREAM_CONTAINER}, no docker-proxy)` : ' (no Docker engine answers: a plain process, and no siesta row)'}. ` +
        `siesta: \`siesta serve\`, the whole daemon (ledger, control API, scheduler, policies) managing that container; ` +
        `gateway (reference): Gateway + Lifecycle alone in their own Node process; both ${fromSource ? 'run from source through tsx' : 'compiled by tsc as in the build'}. ` +
        `nginx: 1 worker, keepalive upstream, proxy_buffering off. node (reference, no target): a bare keep-alive proxy on Node's http module, no checks.\n`,
    );
    console.log(
      `${pad('workload', 44)} ${pad('via', 7)} ${pad('req/s', 9)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} errors`,
    );
    const verdicts: string[] = [];
    for (const workload of WORKLOADS) {
      const rounds = new Map<Target, LoadResult[]>(targets.map((t) => [t, []]));
      for (const order of [targets, [...targets].reverse()])
        for (const target of order) {
          const result = await runLoad(
            { ...workload.shape, path: workload.paths[target] },
            { port: ports[target] ?? 0, concurrency, warmupMs, durationMs },
          );
          rounds.get(target)?.push(result);
        }
      const results = new Map(targets.map((t) => [t, combineRounds(rounds.get(t) ?? [])]));
      for (const target of targets) {
        const r = results.get(target);
        if (r === undefined) continue;
        const error = r.errors > 0 && r.firstError !== null ? ` (first: ${r.firstError})` : '';
        console.log(
          `${pad(workload.name.slice(0, 44), 44)} ${pad(target, 7)} ${pad(fixed(r.requestsPerSecond, 0), 9)} ${pad(fixed(r.p50Ms, 2), 8)} ${pad(fixed(r.p99Ms, 2), 8)} ${r.errors}${error}`,
        );
      }
      // The target is the daemon's; without an engine the gateway alone stands in for it (and says so).
      const siesta = results.get('siesta') ?? results.get('gateway');
      const direct = results.get('direct');
      const ngx = results.get('nginx');
      const node = results.get('node');
      if (node && ngx)
        console.log(
          `  node/nginx:    req/s ${fixed(node.requestsPerSecond / ngx.requestsPerSecond, 2)}x (reference: Node's own http cost)`,
        );
      const gatewayAlone = results.get('gateway');
      if (gatewayAlone && node)
        console.log(
          `  gateway/node:  req/s ${fixed(gatewayAlone.requestsPerSecond / node.requestsPerSecond, 2)}x (Siesta's checks, routing and lifecycle on top of Node)`,
        );
      if (results.has('siesta') && gatewayAlone && siesta)
        console.log(
          `  Siesta/gateway: req/s ${fixed(siesta.requestsPerSecond / gatewayAlone.requestsPerSecond, 2)}x (what the rest of the daemon costs per request)`,
        );
      if (siesta && direct)
        console.log(
          `  Siesta/direct: req/s ${fixed(siesta.requestsPerSecond / direct.requestsPerSecond, 2)}x, p50 ${fixed(siesta.p50Ms / direct.p50Ms, 2)}x`,
        );
      if (siesta && ngx) {
        const ratio = siesta.requestsPerSecond / ngx.requestsPerSecond;
        console.log(
          `  Siesta/nginx:  req/s ${fixed(ratio, 2)}x, p50 ${fixed(siesta.p50Ms / ngx.p50Ms, 2)}x, p99 ${fixed(siesta.p99Ms / ngx.p99Ms, 2)}x`,
        );
        verdicts.push(
          `${ratio >= TARGET_THROUGHPUT_VS_NGINX ? 'PASS' : 'MISS'}  throughput ${workload.name.split(' (')[0] ?? ''}: Siesta ${fixed(ratio, 2)}x nginx (target >= ${TARGET_THROUGHPUT_VS_NGINX}x)` +
            (results.has('siesta')
              ? ''
              : ' (the gateway alone: no Docker engine for `siesta serve`)'),
        );
      }
      if ((siesta?.errors ?? 0) > 0)
        verdicts.push(
          `MISS  ${workload.name}: Siesta answered ${siesta?.errors ?? 0} requests wrongly`,
        );
      console.log('');
    }
    if (nginx === null) verdicts.push('SKIP  throughput vs nginx: nginx is not installed');
    for (const line of verdicts) console.log(line);
  } finally {
    for (const helper of helpers.reverse()) await helper.stop();
  }
}

async function wakeOverhead(args: readonly string[]): Promise<void> {
  const wakes = Math.max(20, option(args, '--wakes', 20));
  const at = args.indexOf('--start-delay-ms');
  const startDelayMs = at === -1 ? 0 : Math.max(0, Number(args[at + 1]) || 0);
  const docker = dockerFromEnv();
  try {
    await docker.ping();
  } catch (error: unknown) {
    console.log(
      `\nWake overhead: SKIPPED, no Docker engine answers (${error instanceof Error ? error.message : String(error)})`,
    );
    return;
  }
  console.log(
    `\nWake overhead: ${wakes} wakes of a real container (fake model server${startDelayMs > 0 ? ` listening ${startDelayMs} ms after it starts` : ''}, fixed host port), alternating with ${wakes} direct starts of the same container.\n` +
      `  direct = docker start -> first GET /health answering 200 (polled every ${DIRECT_POLL_MS} ms); Siesta = request to the sleeping model -> first byte of its response\n`,
  );
  const logs: string[] = [];
  const pairs = await measureWakeOverhead(docker, wakes, startDelayMs, (line) => logs.push(line));
  const direct = pairs.map((p) => p.directReadyMs);
  const siesta = pairs.map((p) => p.siestaTtfbMs);
  const overhead = pairs.map((p) => p.siestaTtfbMs - p.directReadyMs);
  const siestaAfterListen = pairs.map((p) => p.siestaListenToFirstByteMs);
  const directAfterListen = pairs.map((p) => p.directListenToReadyMs);
  const afterListenOverhead = pairs.map(
    (p) => p.siestaListenToFirstByteMs - p.directListenToReadyMs,
  );
  console.log(
    `  ${pad('', 34)} ${pad('median ms', 10)} ${pad('p95 ms', 10)} ${pad('min ms', 10)} max ms`,
  );
  for (const [name, values] of [
    ['container start -> ready (direct)', direct],
    ['Siesta time to first byte', siesta],
    ['overhead (pairwise difference)', overhead],
    ['server listening -> ready (direct)', directAfterListen],
    ['server listening -> Siesta 1st byte', siestaAfterListen],
    ['overhead after listening (pairwise)', afterListenOverhead],
  ] as const)
    console.log(
      `  ${pad(name, 34)} ${pad(fixed(median(values), 1), 10)} ${pad(fixed(quantile(values, 0.95), 1), 10)} ${pad(fixed(Math.min(...values), 1), 10)} ${fixed(Math.max(...values), 1)}`,
    );
  console.log(`  overhead per wake (ms): ${overhead.map((v) => fixed(v, 0)).join(' ')}`);
  console.log(
    `  difference of the medians (Siesta - direct): ${fixed(median(siesta) - median(direct), 1)} ms`,
  );
  console.log(
    '  "server listening" is the engine\'s timestamp of the fake server\'s "listening on 8000" log line: the rows after it leave out the\n' +
      "  container's own start time (which varies by hundreds of ms between starts on a busy machine) and show the lag of each way of detecting it.",
  );
  const medianOverheadMs = median(overhead);
  console.log(
    `\n${medianOverheadMs <= TARGET_WAKE_OVERHEAD_MEDIAN_MS ? 'PASS' : 'MISS'}  wake overhead median ${fixed(medianOverheadMs, 1)} ms (target <= ${TARGET_WAKE_OVERHEAD_MEDIAN_MS} ms; p95 ${fixed(quantile(overhead, 0.95), 1)} ms)`,
  );
  const afterListenMedianMs = median(afterListenOverhead);
  console.log(
    `${afterListenMedianMs <= TARGET_WAKE_OVERHEAD_MEDIAN_MS ? 'PASS' : 'MISS'}  wake overhead after the server listens, median ${fixed(afterListenMedianMs, 1)} ms (target <= ${TARGET_WAKE_OVERHEAD_MEDIAN_MS} ms; p95 ${fixed(quantile(afterListenOverhead, 0.95), 1)} ms)`,
  );
  if (logs.length > 0)
    console.log(`  lifecycle/gateway log lines during the wakes: ${logs.slice(0, 5).join(' | ')}`);
}

/**
 * `npx tsx bench/index.ts gateway [--seconds N] [--warmup-seconds N] [--concurrency N] [--from-source] [--wakes N]
 * [--start-delay-ms N] [--skip-throughput] [--skip-wake]`.
 */
export async function run(args: readonly string[]): Promise<void> {
  // `nginx -v` prints its version on stderr.
  const version = spawnSync(NGINX_BINARY, ['-v'], { encoding: 'utf8' });
  const nginxVersion = version.error
    ? `nginx not installed at ${NGINX_BINARY}`
    : `${version.stderr}${version.stdout}`.trim();
  console.log(
    `Machine: ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${nginxVersion}\n`,
  );
  if (!args.includes('--skip-throughput')) await throughput(args);
  if (!args.includes('--skip-wake')) await wakeOverhead(args);
}
