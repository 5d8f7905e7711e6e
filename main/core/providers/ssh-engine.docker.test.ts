// An `ssh://` engine against a real sshd: a second dockerd and an sshd in a network namespace the test creates, key
// login with a key made here. One `siesta serve` reaches that engine over ssh (docker system dial-stdio, as the docker
// CLI does), wakes its model on a request through the gateway, serves it and puts it to sleep; a key the host does not
// accept, and a host whose key is not in known_hosts, are reported as engines that do not answer, naming why.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_LABEL, ensureFakeModelImage, testDocker } from '../../../test/docker-harness';
import { describeAsRoot } from '../../../test/docker-suite';
import { copyImage, startSecondHost, type SecondHost } from '../../../test/second-host';
import { startDaemon, stateOf, type Daemon } from '../../../test/serve-daemon';
import { startTestSshd, type TestSshd } from '../../../test/ssh-server';
import { until } from '../../../test/until';

const docker = testDocker();
const FAR = `ssh-far-${process.pid}`;

describeAsRoot('an ssh:// engine through a real sshd', () => {
  let host: SecondHost;
  let sshd: TestSshd;
  let dir: string;
  let daemon: Daemon;
  const state = () => stateOf(daemon);
  const running = async () => (await host.admin.getContainer(FAR).inspect()).State.Running;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'siesta-ssh-engine-'));
    host = await startSecondHost();
    sshd = await startTestSshd({
      netns: host.netns,
      address: host.address,
      dockerSocket: host.socketPath,
      dir: host.dir,
    });
    const image = ensureFakeModelImage();
    await copyImage(docker, host.admin, image);
    await host.admin.createContainer({
      name: FAR,
      Image: image,
      Cmd: ['/bin/node', '/app/server.js'],
      Env: ['MODEL_NAME=far', 'START_DELAY_MS=300'],
      Labels: {
        'siesta.enable': 'true',
        'siesta.name': 'far',
        'siesta.health': '/health',
        'siesta.idle': '3s',
        [TEST_LABEL]: String(process.pid),
      },
      ExposedPorts: { '8000/tcp': {} },
      StopTimeout: 2,
      HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '', HostPort: '' }] } },
    });
    // A key the host never saw, for an engine entry that must be refused.
    const strangerKey = join(dir, 'stranger_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
    const config = join(dir, 'siesta.yaml');
    writeFileSync(
      config,
      [
        'engines:',
        '  far:',
        `    host: ${sshd.url}`,
        `    identity: ${sshd.identityFile}`,
        '  stranger:',
        `    host: ${sshd.url}`,
        `    identity: ${strangerKey}`,
        '  unknown:',
        `    host: ${sshd.url}:${sshd.otherPort}`,
        `    identity: ${sshd.identityFile}`,
        '',
      ].join('\n'),
    );
    // The daemon's known_hosts names the host on port 22 only, as `ssh ADDRESS` once would have written it.
    const home = join(dir, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'known_hosts'), sshd.knownHostsLine);
    daemon = await startDaemon(join(dir, 'data'), ['--config', config], { HOME: home });
  }, 180_000);

  afterAll(async () => {
    daemon?.child.kill('SIGTERM');
    await sshd?.stop();
    await host?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('finds the model on the engine it reaches over ssh, and reports a refused key and an unknown host key as engines that do not answer', async () => {
    const found = await until(
      'the model on the ssh engine',
      state,
      (s) => s.models.some((m) => m.name === 'far'),
      60_000,
      200,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nsshd log:\n${sshd.log()}\ndaemon:\n${daemon.output()}`);
    });
    expect(found.engines?.find((e) => e.name === 'far')).toMatchObject({
      address: sshd.url,
      reachable: true,
    });
    expect(found.models.find((m) => m.name === 'far')).toMatchObject({
      engine: 'far',
      state: 'asleep',
    });
    const stranger = await until(
      'the refused key reported',
      state,
      (s) => s.engines?.find((e) => e.name === 'stranger')?.reachable === false,
      30_000,
      200,
    );
    expect(stranger.engines?.find((e) => e.name === 'stranger')?.detail).toMatch(/authentication/i);
    const unknown = await until(
      'the unknown host key reported',
      state,
      (s) => s.engines?.find((e) => e.name === 'unknown')?.reachable === false,
      30_000,
      200,
    );
    const detail = unknown.engines?.find((e) => e.name === 'unknown')?.detail ?? '';
    expect(detail).toContain(
      `host key refused: [${host.address}]:${sshd.otherPort} is not in ${join(dir, 'home', '.ssh', 'known_hosts')}`,
    );
    expect(detail).toContain(
      `check its host key and add it (ssh -p ${sshd.otherPort} ${host.address} once, or ssh-keyscan -p ${sshd.otherPort} ${host.address} >> ~/.ssh/known_hosts)`,
    );
  }, 90_000);

  it('wakes the model on a request through the gateway, serves it, and puts it to sleep after idle, over ssh', async () => {
    expect(await running()).toBe(false);
    const response = await fetch(`${daemon.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'far',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 3,
      }),
      signal: AbortSignal.timeout(60_000),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe('tok0 tok1 tok2');
    expect(await running()).toBe(true);
    expect((await state()).models.find((m) => m.name === 'far')?.state).toBe('ready');
    // Idle 3 s: Siesta stops the container on the remote engine, over the same ssh transport.
    await until(
      'far asleep',
      async () => (await state()).models.find((m) => m.name === 'far')?.state,
      (s) => s === 'asleep',
      40_000,
      250,
    );
    expect(await running()).toBe(false);
    expect(daemon.output()).not.toMatch(/far.*failed/);
  }, 120_000);
});
