// An sshd for tests, in a network namespace the test made: key login only, with a key pair made here, and DOCKER_HOST
// set for its sessions, so `ssh://root@ADDRESS` reaches that namespace's dockerd as the docker CLI reaches a remote one
// (`docker system dial-stdio` over the session). Needs root and Debian's openssh-server.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { until } from './until';

/** A running sshd. */
export interface TestSshd {
  /** The private key that logs in as root. */
  readonly identityFile: string;
  /** `ssh://root@ADDRESS`. */
  readonly url: string;
  /** It also listens on this port, which known_hosts (as written by `knownHostsLine`) does not name. */
  readonly otherPort: number;
  /** Its host key as a known_hosts line for ADDRESS (port 22). */
  readonly knownHostsLine: string;
  /** Its log (sshd -E), for a failing test to show. */
  log(): string;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';

/** Starts sshd on ADDRESS:22 inside the namespace `netns`; its sessions talk to the engine at `dockerSocket`. */
export async function startTestSshd(options: {
  readonly netns: string;
  readonly address: string;
  readonly dockerSocket: string;
  readonly dir: string;
}): Promise<TestSshd> {
  if (!existsSync(SSHD))
    throw new Error(`${SSHD} is missing: install Debian's openssh-server (.ci/run does)`);
  const dir = join(options.dir, 'ssh');
  mkdirSync(dir, { mode: 0o700 });
  const keygen = (file: string, comment: string): void =>
    void execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  keygen(join(dir, 'host_key'), 'siesta-test-host');
  keygen(join(dir, 'client_key'), 'siesta-test-client');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), {
    mode: 0o600,
  });
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `ListenAddress ${options.address}:22`,
      `ListenAddress ${options.address}:2222`,
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      // The key and its folder live under /tmp, which sshd's ownership walk would refuse.
      'StrictModes no',
      'UsePAM no',
      `SetEnv DOCKER_HOST=unix://${options.dockerSocket}`,
      '',
    ].join('\n'),
  );
  // sshd's privilege separation wants this folder; systemd makes it for ssh.service, which does not run here.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const logFile = join(dir, 'sshd.log');
  const child = spawn(
    'nsenter',
    [`--net=/run/netns/${options.netns}`, SSHD, '-D', '-f', config, '-E', logFile],
    { stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')] },
  );
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const listening = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = connect({ host: options.address, port: 22, timeout: 500 });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
  await until(
    'sshd to listen',
    async () => (child.exitCode !== null ? 'exited' : (await listening()) ? 'up' : 'not yet'),
    (s) => s !== 'not yet',
    20_000,
    100,
  ).then((s) => {
    if (s === 'exited') throw new Error(`sshd exited; its log:\n${log()}`);
  });
  return {
    identityFile: join(dir, 'client_key'),
    url: `ssh://root@${options.address}`,
    otherPort: 2222,
    knownHostsLine: `${options.address} ${readFileSync(join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
    log,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    },
  };
}
