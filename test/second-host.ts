// A second Docker host for tests: a network namespace with its own veth pair and 10.231.x.0/30 addresses, running a
// dockerd that listens on TCP with TLS (a CA, server and client certificates made here with openssl). Needs root.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { until } from './until';

/** A running second host. */
export interface SecondHost {
  /** The namespace side of the veth pair: dockerd listens here, and published ports are dialled here. */
  readonly address: string;
  /** `tcp://ADDRESS:2376`. */
  readonly dockerHost: string;
  /** Folder with ca.pem, cert.pem and key.pem for a client. */
  readonly clientTlsDir: string;
  /** The network namespace it runs in (`ip netns`), for other servers of the same host (sshd). */
  readonly netns: string;
  /** Its engine's unix socket, as a process on that host reaches it. */
  readonly socketPath: string;
  /** A folder of its own for such servers' files, removed with it. */
  readonly dir: string;
  /** An admin client over the engine's unix socket (for setting up containers). */
  readonly admin: Docker;
  /** siesta.yaml lines of an `engines:` entry that reaches this host over TLS. */
  engineYaml(name: string, kind: 'docker' | 'swarm'): string[];
  /** Stops its dockerd (its containers stop with it); `start` brings it back with the same data. */
  stopEngine(): Promise<void>;
  startEngine(): Promise<void>;
  /** Stops everything and removes the namespace, the veth pair and the files. */
  destroy(): Promise<void>;
}

function run(command: string, args: readonly string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Makes a CA and server/client certificates (server for `ip`) in `dir`, as `dockerd --tlsverify` wants them. */
function makeCertificates(dir: string, ip: string): { server: string; client: string } {
  const server = join(dir, 'server');
  const client = join(dir, 'client');
  mkdirSync(server);
  mkdirSync(client);
  const ssl = (...args: string[]): string => run('openssl', args);
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=siesta-test-ca',
    '-keyout',
    join(dir, 'ca-key.pem'),
    '-out',
    join(dir, 'ca.pem'),
  );
  const sign = (to: string, cn: string, ext: string): void => {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      join(to, 'key.pem'),
      '-out',
      join(to, 'req.csr'),
    );
    writeFileSync(join(to, 'ext.cnf'), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      join(to, 'req.csr'),
      '-CA',
      join(dir, 'ca.pem'),
      '-CAkey',
      join(dir, 'ca-key.pem'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      join(to, 'ext.cnf'),
      '-out',
      join(to, 'cert.pem'),
    );
  };
  sign(server, ip, `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`);
  sign(client, 'siesta-test-client', 'extendedKeyUsage=clientAuth\n');
  for (const to of [server, client])
    writeFileSync(join(to, 'ca.pem'), readFileSync(join(dir, 'ca.pem')));
  return { server, client };
}

/** Creates a namespace named for the first free slot from `firstSlot` on (another test process may hold one). */
function claimNamespace(firstSlot: number): number {
  for (let i = 0; i < 250; i++) {
    const slot = (firstSlot + i) % 250;
    try {
      run('ip', ['netns', 'add', `siesta-h2-${slot}`]);
      return slot;
    } catch {
      // taken: try the next slot
    }
  }
  throw new Error('no free network namespace slot siesta-h2-0..249');
}

/** Creates a namespace and starts its dockerd: 10.231.SLOT.0/30 and interface names from a free slot. */
export async function startSecondHost(
  options: { readonly swarm?: boolean } = {},
): Promise<SecondHost> {
  const slot = claimNamespace(process.pid % 250);
  const ns = `siesta-h2-${slot}`;
  const outer = `sh2o${slot}`;
  const inner = `sh2i${slot}`;
  const hostSide = `10.231.${slot}.1`;
  const address = `10.231.${slot}.2`;
  const dir = mkdtempSync(join(tmpdir(), 'siesta-h2-'));
  const cleanupNetwork = (): void => {
    try {
      run('ip', ['netns', 'del', ns]);
    } catch {
      // absent
    }
    try {
      run('ip', ['link', 'del', outer]);
    } catch {
      // absent (deleting the namespace removed both ends)
    }
  };
  try {
    run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    run('ip', ['link', 'set', inner, 'netns', ns]);
    run('ip', ['addr', 'add', `${hostSide}/30`, 'dev', outer]);
    run('ip', ['link', 'set', outer, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/30`, 'dev', inner]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', inner, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (error: unknown) {
    cleanupNetwork();
    throw error;
  }
  const certs = makeCertificates(dir, address);
  const socket = join(dir, 'docker.sock');
  const admin = new Docker({ socketPath: socket });
  let engine: ChildProcess | null = null;

  const startEngine = async (): Promise<void> => {
    // Its own bridge inside the namespace; --iptables=false, so published ports go through docker-proxy.
    // nsenter enters the network namespace alone: `ip netns exec` would also remount /sys and hide the cgroups.
    engine = spawn(
      'nsenter',
      [
        `--net=/run/netns/${ns}`,
        'dockerd',
        '--host',
        `unix://${socket}`,
        '--host',
        `tcp://${address}:2376`,
        '--tlsverify',
        '--tlscacert',
        join(certs.server, 'ca.pem'),
        '--tlscert',
        join(certs.server, 'cert.pem'),
        '--tlskey',
        join(certs.server, 'key.pem'),
        '--data-root',
        join(dir, 'data'),
        '--exec-root',
        join(dir, 'exec'),
        '--pidfile',
        join(dir, 'docker.pid'),
        '--iptables=false',
        '--ip6tables=false',
        '--bip',
        '172.29.' + String(slot) + '.1/24',
      ],
      {
        stdio: [
          'ignore',
          openSync(join(dir, 'dockerd.log'), 'a'),
          openSync(join(dir, 'dockerd.log'), 'a'),
        ],
      },
    );
    try {
      const child = engine;
      await until(
        'the second dockerd to answer',
        () =>
          child.exitCode !== null
            ? 'exited'
            : admin.ping().then(
                () => 'up',
                () => 'not yet',
              ),
        (s) => s !== 'not yet',
        60_000,
        100,
      ).then((s) => {
        if (s === 'exited') throw new Error('the second dockerd exited');
      });
    } catch (error: unknown) {
      const log = readFileSync(join(dir, 'dockerd.log'), 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}; its log ends:\n${log}`,
      );
    }
  };
  const stopEngine = async (): Promise<void> => {
    const child = engine;
    engine = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };

  try {
    await startEngine();
    if (options.swarm)
      await admin.swarmInit({ ListenAddr: `${address}:2377`, AdvertiseAddr: address });
  } catch (error: unknown) {
    await stopEngine();
    cleanupNetwork();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    address,
    dockerHost: `tcp://${address}:2376`,
    clientTlsDir: certs.client,
    netns: ns,
    socketPath: socket,
    dir,
    admin,
    engineYaml: (name, kind) => [
      `  ${name}:`,
      `    kind: ${kind}`,
      `    host: tcp://${address}:2376`,
      `    tls: ${certs.client}`,
    ],
    stopEngine,
    startEngine,
    destroy: async () => {
      if (options.swarm) await admin.swarmLeave({ force: true }).catch(() => undefined);
      const containers = await admin.listContainers({ all: true }).catch(() => []);
      await Promise.all(
        containers.map((c) =>
          admin
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
      await stopEngine();
      cleanupNetwork();
      try {
        run('umount', ['-R', join(dir, 'data')]);
      } catch {
        // not mounted
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Copies an image from one engine to another (`docker save | docker load`), since no registry is reachable. */
export async function copyImage(from: Docker, to: Docker, image: string): Promise<void> {
  const tarball = await from.getImage(image).get();
  const loading = await to.loadImage(tarball);
  await new Promise<void>((resolve, reject) =>
    to.modem.followProgress(loading, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}
