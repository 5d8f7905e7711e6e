// A loopback image registry for pull tests: Debian's `docker-registry` on 127.0.0.1, and a two-layer fake model-server
// image (the fake-model image plus a layer of weights, its server as the entrypoint so a template's flags are ignored)
// pushed to it. The Engine trusts registries on 127.0.0.0/8 without TLS.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFakeModelImage, TEST_LABEL } from './docker-harness';
import { freePort } from './free-port';
import { until } from './until';

/** A running registry. */
export interface TestRegistry {
  /** `127.0.0.1:PORT`, the prefix of the images pushed to it. */
  readonly host: string;
  /** Where it keeps blobs. */
  readonly storageDir: string;
  stop(): Promise<void>;
}

/** Starts `docker-registry` on a free loopback port with its storage in a temporary folder. */
export async function startRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'siesta-registry-'));
  const port = await freePort();
  const storageDir = join(dir, 'storage');
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storageDir}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', config], {
    stdio: 'ignore',
  });
  const host = `127.0.0.1:${port}`;
  await until(
    `the registry on ${host}`,
    () =>
      fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status,
        () => 0,
      ),
    (status) => status === 200,
    15_000,
  );
  return {
    host,
    storageDir,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) =>
        child.exitCode !== null ? resolve(null) : child.once('exit', resolve),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Builds the fake server image with a second layer of `weightsBytes` random bytes, pushes it as `REGISTRY/NAME`, and
 * removes it from the Engine again, so a pull must fetch it. Returns the pushed reference.
 */
export function pushFakeServerImage(
  registry: TestRegistry,
  name: string,
  weightsBytes = 4_000_000,
): string {
  const base = ensureFakeModelImage();
  const ref = `${registry.host}/${name}`;
  const builder = `siesta-image-builder-${process.pid}`;
  const docker = (...args: string[]): string =>
    execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    docker(
      'run',
      '--name',
      builder,
      '--label',
      `${TEST_LABEL}=${process.pid}`,
      base,
      '/bin/node',
      '-e',
      `require('fs').writeFileSync('/app/weights.bin', require('crypto').randomBytes(${weightsBytes}))`,
    );
    docker(
      'commit',
      '-c',
      'ENTRYPOINT ["/bin/node","/app/server.js"]',
      '-c',
      'CMD []',
      builder,
      ref,
    );
    docker('push', ref);
  } finally {
    execFileSync('docker', ['rm', '-f', builder], { stdio: 'ignore' });
  }
  execFileSync('docker', ['rmi', ref], { stdio: 'ignore' });
  return ref;
}

/**
 * Deletes the weights layer of an image pushed with `weightsBytes` (random bytes compress to about their own size) from
 * the registry's storage, so a pull gets the manifest and then fails on that layer.
 */
export function breakWeightsLayer(registry: TestRegistry, weightsBytes: number): void {
  const blobs = join(registry.storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256');
  let weights: { path: string; bytes: number } | null = null;
  for (const prefix of readdirSync(blobs)) {
    for (const digest of readdirSync(join(blobs, prefix))) {
      const path = join(blobs, prefix, digest, 'data');
      const bytes = statSync(path).size;
      if (bytes >= weightsBytes && bytes < weightsBytes * 1.05) weights = { path, bytes };
    }
  }
  if (weights === null)
    throw new Error(`the registry holds no layer of about ${weightsBytes} bytes`);
  rmSync(weights.path);
}
