// `siesta edit`, `adopt` and `remove` against a running `siesta serve` and the real Engine: settings land in the
// managed siesta.yaml with the user's comments kept and apply at once; adopting re-creates a container with Siesta's
// labels or writes an entry naming it; removing stops managing (and, asked twice, removes the container).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TemplatesResponseSchema } from '../core/api/manage-contract';
import {
  createFakeModel,
  removeTestContainers,
  TEST_LABEL,
  testDocker,
} from '../../test/docker-harness';
import { describeDocker } from '../../test/docker-suite';
import {
  modelNames,
  startSiestaDaemon,
  stateOf,
  runSiesta,
  type SiestaDaemon,
} from '../../test/siesta-daemon';
import { until } from '../../test/until';

const docker = testDocker();

describeDocker('siesta edit, adopt and remove', () => {
  let dataDir: string;
  let daemon: SiestaDaemon;
  let client: string[];
  const yamlPath = (): string => join(dataDir, 'siesta.yaml');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'siesta-manage-'));
    await createFakeModel(docker, {
      name: 'manage-labelled',
      labels: { 'siesta.enable': 'true', 'siesta.name': 'labelled', 'siesta.health': '/health' },
    });
    await createFakeModel(docker, { name: 'manage-plain-a', env: { START_DELAY_MS: '0' } });
    await createFakeModel(docker, { name: 'manage-plain-b' });
    daemon = await startSiestaDaemon(dataDir);
    client = ['--control', daemon.controlUrl, '--data-dir', dataDir];
    await until(
      'the labelled model',
      () => modelNames(daemon),
      (names) => names.includes('labelled'),
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    daemon.child.kill('SIGTERM');
    await removeTestContainers(docker);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serve makes the managed siesta.yaml in the data folder and says so', () => {
    expect(daemon.output()).toContain(`models:    ${yamlPath()}  (and container labels)`);
    expect(readFileSync(yamlPath(), 'utf8')).toMatch(/^# Models Siesta manages\./);
  });

  it('edits a labelled model into siesta.yaml, keeping the comments, and applies it at once', async () => {
    writeFileSync(
      yamlPath(),
      `${readFileSync(yamlPath(), 'utf8').replace('models:\n', '# ops: keep the chat model pinned in the day\nmodels:\n')}`,
    );
    const edited = await runSiesta([
      'edit',
      'labelled',
      '--idle',
      '7m',
      '--pin',
      '--group',
      'big',
      ...client,
    ]);
    expect(edited.stderr).toBe('');
    expect(edited.stdout).toBe(
      `labelled: now set in ${yamlPath()} (its labels are no longer read) and applied\n`,
    );
    const text = readFileSync(yamlPath(), 'utf8');
    expect(text).toContain(
      '# ops: keep the chat model pinned in the day\nmodels:\n  - name: labelled\n    container: manage-labelled\n',
    );
    expect(text).toContain('    idle: 7m\n    pin: true\n    group: big\n');
    const model = (await stateOf(daemon)).models.find((m) => m.name === 'labelled');
    expect(model).toMatchObject({
      pinned: true,
      group: 'big',
    });

    const again = await runSiesta(['edit', 'labelled', '--group', 'none', '--no-pin', ...client]);
    expect(again.stdout).toBe(`labelled: pin, group written to ${yamlPath()} and applied\n`);
    expect((await stateOf(daemon)).models.find((m) => m.name === 'labelled')).toMatchObject({
      pinned: false,
      group: null,
      idle: { policy: 'fixed', idleMs: 7 * 60_000 },
    });

    const bad = await runSiesta(['edit', 'labelled', '--idle', 'soon', ...client]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('siesta: idle: expected a duration like 90s, 10m or 1h, got "soon"\n');
    const unknown = await runSiesta(['edit', 'nobody', '--idle', '5m', ...client]);
    expect(unknown.stderr).toBe('siesta: name: no model named "nobody"\n');
  }, 60_000);

  it('edits the doze: a bad kind or an http doze without its wake path is refused and the file is left alone; a good one is written and applied', async () => {
    const before = readFileSync(yamlPath(), 'utf8');
    const kind = await runSiesta(['edit', 'labelled', '--doze', 'nap', ...client]);
    expect(kind.code).toBe(1);
    expect(kind.stderr).toBe(
      'siesta: doze: expected one of vllm, sglang, ollama, cuda-checkpoint, http (or none), got "nap"\n',
    );
    const half = await runSiesta([
      'edit',
      'labelled',
      '--doze',
      'http',
      '--doze-sleep',
      '/sleep',
      ...client,
    ]);
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(
      new RegExp(
        `^siesta: dozeWake: ${yamlPath().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: .*doze http needs its wake path \\(label siesta\\.doze\\.wake, YAML dozeWake\\), a path such as /wake\\n$`,
      ),
    );
    expect(readFileSync(yamlPath(), 'utf8')).toBe(before);
    expect((await stateOf(daemon)).models.find((m) => m.name === 'labelled')?.doze).toBeUndefined();

    const http = await runSiesta([
      'edit',
      'labelled',
      '--doze',
      'http',
      '--doze-sleep',
      '/sleep',
      '--doze-wake',
      '/wake_up',
      '--doze-status',
      '/is_sleeping',
      ...client,
    ]);
    expect(http.stderr).toBe('');
    expect(http.stdout).toBe(
      `labelled: doze, dozeSleep, dozeWake, dozeStatus written to ${yamlPath()} and applied\n`,
    );
    expect(readFileSync(yamlPath(), 'utf8')).toContain(
      '    doze: http\n    dozeSleep: /sleep\n    dozeWake: /wake_up\n    dozeStatus: /is_sleeping\n',
    );
    await until(
      'the http doze applied',
      async () => (await stateOf(daemon)).models.find((m) => m.name === 'labelled')?.doze?.kind,
      (k) => k === 'http',
      10_000,
    );

    const vllm = await runSiesta(['edit', 'labelled', '--doze', 'vllm', ...client]);
    expect(vllm.stderr).toBe('');
    expect((await stateOf(daemon)).models.find((m) => m.name === 'labelled')?.doze?.kind).toBe(
      'vllm',
    );
    const off = await runSiesta(['edit', 'labelled', '--doze', 'none', ...client]);
    expect(off.stdout).toBe(`labelled: doze written to ${yamlPath()} and applied\n`);
    expect(readFileSync(yamlPath(), 'utf8')).not.toMatch(/^ {4}doze: /m);
    expect((await stateOf(daemon)).models.find((m) => m.name === 'labelled')?.doze).toBeUndefined();
  }, 60_000);

  it('adopts one container by writing an entry and another by re-creating it with labels, and says which', async () => {
    const byYaml = await runSiesta([
      'adopt',
      'manage-plain-a',
      '--yaml',
      '--name',
      'plain-a',
      '--health',
      '/health',
      ...client,
    ]);
    expect(byYaml.stderr).toBe('');
    expect(byYaml.stdout).toBe(
      `plain-a: an entry naming container "manage-plain-a" was written to ${yamlPath()}; the container itself is unchanged\n`,
    );
    await until(
      'plain-a',
      () => modelNames(daemon),
      (names) => names.includes('plain-a'),
      20_000,
    );

    const before = await docker.getContainer('manage-plain-b').inspect();
    const recreated = await runSiesta([
      'adopt',
      'manage-plain-b',
      '--recreate',
      '--name',
      'plain-b',
      '--idle',
      '3m',
      ...client,
    ]);
    expect(recreated.stdout).toBe(
      `plain-b: container "manage-plain-b" was re-created with Siesta's labels (same image, command, volumes and ports)\n`,
    );
    const after = await docker.getContainer('manage-plain-b').inspect();
    expect(after.Id).not.toBe(before.Id);
    expect(after.Config.Labels).toMatchObject({
      'siesta.enable': 'true',
      'siesta.name': 'plain-b',
      'siesta.idle': '3m',
      [TEST_LABEL]: String(process.pid),
    });
    expect([after.Config.Image, after.Config.Cmd, after.Config.Env]).toEqual([
      before.Config.Image,
      before.Config.Cmd,
      before.Config.Env,
    ]);
    expect(after.HostConfig.PortBindings).toEqual(before.HostConfig.PortBindings);
    await until(
      'plain-b',
      () => modelNames(daemon),
      (names) => names.includes('plain-b'),
      20_000,
    );
    // The adopted model wakes and answers through the gateway.
    const response = await fetch(`${daemon.gatewayUrl}/plain-b/`, {
      signal: AbortSignal.timeout(30_000),
      headers: { 'user-agent': 'curl/8' },
    });
    expect(response.status).toBe(200);

    const twice = await runSiesta(['adopt', 'manage-plain-b', '--yaml', ...client]);
    expect(twice.stderr).toBe('siesta: container: Siesta already manages "manage-plain-b"\n');
    const neither = await runSiesta(['adopt', 'manage-plain-b', ...client]);
    expect(neither.code).toBe(2);
  }, 90_000);

  it('removes a model, asking twice before removing its container', async () => {
    const kept = await runSiesta(['remove', 'labelled', ...client]);
    expect(kept.stdout).toBe(
      'labelled: Siesta no longer manages it (its siesta.yaml entry was removed); its container "manage-labelled" is left as it is\n',
    );
    expect(readFileSync(yamlPath(), 'utf8')).not.toContain('labelled');
    expect(readFileSync(yamlPath(), 'utf8')).toContain(
      '# ops: keep the chat model pinned in the day',
    );
    const labels = (await docker.getContainer('manage-labelled').inspect()).Config.Labels;
    expect(labels['siesta.enable']).toBeUndefined();
    await until(
      'labelled to go',
      () => modelNames(daemon),
      (names) => !names.includes('labelled'),
      20_000,
    );

    const unconfirmed = await runSiesta(['remove', 'plain-b', '--remove-container', ...client]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toBe(
      'siesta: siesta remove: --remove-container deletes the container of "plain-b"; add --yes to confirm\n',
    );
    expect((await docker.getContainer('manage-plain-b').inspect()).Id).toBeTruthy();
    const removed = await runSiesta([
      'remove',
      'plain-b',
      '--remove-container',
      '--yes',
      ...client,
    ]);
    expect(removed.stdout).toBe(
      'plain-b: Siesta no longer manages it; its container "manage-plain-b" was removed\n',
    );
    expect(
      await docker
        .getContainer('manage-plain-b')
        .inspect()
        .then(
          () => true,
          () => false,
        ),
    ).toBe(false);
  }, 60_000);

  it('lists the templates and refuses a bad add body through the API, naming the field', async () => {
    const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      origin: daemon.controlUrl,
    };
    const templates = TemplatesResponseSchema.parse(
      await (await fetch(`${daemon.controlUrl}/api/templates`, { headers })).json(),
    );
    expect(templates.templates.map((t) => t.id)).toContain('speaches');
    const bad = await fetch(`${daemon.controlUrl}/api/models`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ template: 'vllm', name: 'x y', modelId: 'a/b' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: {
        code: 'invalid-request',
        field: 'name',
        message:
          'name: expected a name of letters, digits, ".", "_" or "-", starting with a letter or digit, got "x y"',
      },
    });
  });
});
