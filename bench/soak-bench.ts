// The soak bench (`npm run bench -- soak [--minutes 60] [--idle-s 15]`): `siesta serve` over a real model container
// for a long stretch of mixed traffic (short requests, streams and WebSockets that outlast the model's idle time, quiet
// spells in which the model sleeps and is woken again), sampling the daemon's memory and descriptors over time.
// Issue 20's target: none cut, none failed, nothing leaked (RSS and descriptors back near where they started).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeModel, removeTestContainers, testDocker } from '../test/docker-harness';
import { startSiestaDaemon } from '../test/siesta-daemon';
import type { Sample } from './soak/process-sample';
import { gauge } from './soak/process-sample';
import type { TrafficContext, TrafficCounts } from './soak/soak-traffic';
import { requestLoop, streamLoop, webSocketLoop } from './soak/soak-traffic';

const MODEL = 'soak-model';
const MIB = 1024 ** 2;

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at === -1 ? undefined : Number(args[at + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function row(cells: ReadonlyArray<string | number>): string {
  return `| ${cells.join(' | ')} |`;
}

/** Runs the soak and prints its samples and totals. */
export async function run(args: readonly string[]): Promise<void> {
  const minutes = option(args, '--minutes', 60);
  const idleMs = option(args, '--idle-s', 15) * 1000;
  const durationMs = minutes * 60_000;
  const docker = testDocker();
  const dataDir = mkdtempSync(join(tmpdir(), 'siesta-soak-'));
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({ gateway: { releaseIdleWebSockets: false } }),
  );
  await createFakeModel(docker, {
    name: MODEL,
    env: { TOKEN_DELAY_MS: '2' },
    labels: { 'siesta.enable': 'true', 'siesta.health': '/health', 'siesta.idle': `${idleMs}ms` },
  });
  const daemon = await startSiestaDaemon(dataDir);
  const counts: TrafficCounts = {
    requests: 0,
    errors: 0,
    streams: 0,
    cutStreams: 0,
    webSockets: 0,
    cutWebSockets: 0,
    failures: [],
  };
  const started = Date.now();
  // A quiet spell (no traffic for the idle time and a margin, so the model sleeps) every quarter of the run, at most every 3 minutes.
  const quietEveryMs = Math.min(3 * 60_000, Math.max(60_000, durationMs / 4));
  let quietUntil = 0;
  let nextQuiet = started + quietEveryMs;
  const ctx: TrafficContext = {
    gatewayUrl: daemon.gatewayUrl,
    model: MODEL,
    longMs: Math.round(idleMs * 1.5),
    running: () => Date.now() - started < durationMs,
    quiet: async () => {
      while (Date.now() < quietUntil) await pause(250);
    },
    counts,
  };
  const samples: Sample[] = [];
  const metrics = async (): Promise<string> => (await fetch(`${daemon.controlUrl}/metrics`)).text();
  const sample = async (): Promise<void> => {
    const text = await metrics();
    samples.push({
      atMs: Date.now() - started,
      rssBytes: daemon.rssBytes(),
      openFds: daemon.openFds(),
      openConnections: gauge(text, 'siesta_gateway_open_connections'),
      bufferedBodyBytes: gauge(text, 'siesta_gateway_buffered_body_bytes'),
      requests: counts.requests,
      errors: counts.errors,
      cut: counts.cutStreams + counts.cutWebSockets,
    });
  };
  let sleeps = 0;
  try {
    // Warm up once (the first wake), then measure from there.
    await fetch(`${daemon.gatewayUrl}/${MODEL}/whoami`, {
      signal: AbortSignal.timeout(60_000),
    }).then((r) => r.text());
    await sample();
    const loops = [
      ...Array.from({ length: 6 }, () => requestLoop(ctx, 10)),
      streamLoop(ctx),
      streamLoop(ctx),
      webSocketLoop(ctx),
      webSocketLoop(ctx),
    ];
    const sampleEveryMs = Math.max(5_000, Math.round(durationMs / 24));
    let nextSample = Date.now() + sampleEveryMs;
    while (ctx.running()) {
      await pause(500);
      if (Date.now() >= nextSample) {
        await sample();
        nextSample += sampleEveryMs;
      }
      if (Date.now() >= nextQuiet && durationMs - (Date.now() - started) > idleMs * 3) {
        // Quiet: loops finish what they hold (streams last 1.5 × idle), then the model's idle time passes.
        quietUntil = Date.now() + ctx.longMs + idleMs + 10_000;
        nextQuiet = quietUntil + quietEveryMs;
        const state = await waitForSleep(daemon.controlUrl, daemon.token, quietUntil, async () => {
          // Samples go on through the quiet spell: memory and descriptors with the model asleep are part of the story.
          if (Date.now() < nextSample) return;
          await sample();
          nextSample += sampleEveryMs;
        });
        if (state) sleeps++;
      }
    }
    await Promise.all(loops);
    // Let keep-alive connections time out (5 s) before the last reading.
    await pause(7_000);
    await sample();
  } finally {
    await daemon.stop();
    await removeTestContainers(docker);
    rmSync(dataDir, { recursive: true, force: true });
  }

  console.log(
    `soak: ${minutes} min of mixed traffic through siesta serve; model idle time ${idleMs / 1000} s; streams and WebSockets last ${ctx.longMs / 1000} s\n`,
  );
  console.log(
    row([
      't (s)',
      'RSS (MB)',
      'open fds',
      'gateway conns',
      'buffered (B)',
      'requests',
      'errors',
      'cut',
    ]),
  );
  console.log(row(['---', '---', '---', '---', '---', '---', '---', '---']));
  for (const s of samples)
    console.log(
      row([
        Math.round(s.atMs / 1000),
        (s.rssBytes / MIB).toFixed(1),
        s.openFds,
        s.openConnections,
        s.bufferedBodyBytes,
        s.requests,
        s.errors,
        s.cut,
      ]),
    );
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first && last) {
    console.log('');
    console.log(row(['figure', 'start', 'end', 'end / start']));
    console.log(row(['---', '---', '---', '---']));
    console.log(
      row([
        'RSS (MB)',
        (first.rssBytes / MIB).toFixed(1),
        (last.rssBytes / MIB).toFixed(1),
        (last.rssBytes / first.rssBytes).toFixed(2),
      ]),
    );
    console.log(
      row(['open fds', first.openFds, last.openFds, (last.openFds / first.openFds).toFixed(2)]),
    );
  }
  console.log(
    `\nrequests ${counts.requests}, errors ${counts.errors}; streams ${counts.streams}, cut ${counts.cutStreams}; ` +
      `WebSockets ${counts.webSockets}, cut ${counts.cutWebSockets}; the model slept in ${sleeps} quiet spell(s)`,
  );
  for (const failure of counts.failures) console.log(`  failure: ${failure}`);
  if (counts.errors + counts.cutStreams + counts.cutWebSockets > 0) process.exitCode = 1;
}

/** Waits (until `untilMs`) for the model to be asleep, calling `meanwhile` each second; true when it slept. */
async function waitForSleep(
  controlUrl: string,
  token: string,
  untilMs: number,
  meanwhile: () => Promise<void>,
): Promise<boolean> {
  let slept = false;
  while (Date.now() < untilMs) {
    await meanwhile();
    const response = await fetch(`${controlUrl}/api/state`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const state = (await response.json()) as { models: Array<{ name: string; state: string }> };
    if (state.models.find((m) => m.name === MODEL)?.state === 'asleep') slept = true;
    await pause(1_000);
  }
  return slept;
}
