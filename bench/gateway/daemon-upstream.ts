// The throughput benchmark's upstream when a Docker engine answers: the fake model server in a container on the host's
// network (no docker-proxy in the way), so that every target (direct, Siesta's daemon, nginx, the bare Node proxy)
// reaches the same server, and `siesta serve` itself (the whole composition root: ledger, control API, scheduler,
// policies) can manage it as a user's daemon would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { createFakeModel, removeContainer } from '../../test/docker-harness';
import type { Helper } from './child-process';
import { portOpen, startHelper } from './child-process';

/** The benchmark's upstream container. */
export const UPSTREAM_CONTAINER = 'hg-bench-upstream';

/** Starts the upstream container with the model name `model` on host port `port`; resolves once it accepts connections. */
export async function startUpstreamContainer(
  docker: Dockerode,
  model: string,
  port: number,
): Promise<{ stop(): Promise<void> }> {
  await createFakeModel(docker, {
    name: UPSTREAM_CONTAINER,
    hostNetworkPort: port,
    env: { MODEL_NAME: model },
    // Labelled for the benchmark's own `siesta serve` only (its --only-label), never put to sleep during a run.
    labels: {
      'siesta.enable': 'true',
      'siesta.name': model,
      'siesta.port': String(port),
      'siesta.idle': '1h',
      'siesta-bench.run': String(process.pid),
    },
    start: true,
  });
  const deadline = Date.now() + 30_000;
  while (!(await portOpen(port))) {
    if (Date.now() > deadline)
      throw new Error(`${UPSTREAM_CONTAINER} did not listen on ${port} within 30 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { stop: () => removeContainer(docker, UPSTREAM_CONTAINER) };
}

/** `siesta serve` in its own data dir, managing only the benchmark's container; `cli` is node's arguments up to the CLI's file. */
export async function startDaemon(
  cli: readonly string[],
): Promise<Helper & { readonly port: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'siesta-bench-daemon-'));
  const daemon = await startHelper(
    'siesta serve',
    process.execPath,
    [
      ...cli,
      'serve',
      '--data-dir',
      dataDir,
      '--gateway',
      '127.0.0.1:0',
      '--control',
      '127.0.0.1:0',
      '--only-label',
      `siesta-bench.run=${process.pid}`,
    ],
    { ready: /gateway:\s+http:\/\/127\.0\.0\.1:(\d+)/ },
  );
  return {
    ...daemon,
    port: Number(daemon.match[1]),
    stop: async (graceMs?: number) => {
      await daemon.stop(graceMs);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
