// siesta.yaml as an admin writes it: every field read, every mistake named with FILE:LINE, bad entries skipped.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPEC_DEFAULTS } from './model-spec';
import { parseSiestaYaml, readSiestaYaml } from './siesta-yaml';
import { formatSpecProblem } from './spec-problem';

const GiB = 2 ** 30;

/** The one-line problems of a siesta.yaml text. */
function problemsOf(text: string): string[] {
  return parseSiestaYaml(text, 'siesta.yaml').problems.map(formatSpecProblem);
}

/** The spec of a one-entry file whose entry has `fields` under `name: m`. */
function onlySpec(fields: string) {
  const parsed = parseSiestaYaml(`models:\n  - name: m\n${fields}`, 'siesta.yaml');
  expect(parsed.problems).toEqual([]);
  expect(parsed.entries).toHaveLength(1);
  return parsed.entries[0];
}

describe('reading siesta.yaml', () => {
  it('reads every field of an entry and the daemon settings', async () => {
    const parsed = await readSiestaYaml(path.join(__dirname, 'testdata', 'full.yaml'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.daemon).toEqual({
      gateway: '0.0.0.0:11400',
      control: '127.0.0.1:11401',
      dataDir: '/var/lib/siesta',
    });
    expect(parsed.entries).toEqual([
      {
        name: 'qwen',
        container: 'llm-1',
        source: { kind: 'yaml', file: path.join(__dirname, 'testdata', 'full.yaml'), line: 6 },
        port: 8000,
        listenPort: 11434,
        models: ['Qwen/Qwen2.5-7B-Instruct', 'qwen'],
        health: { kind: 'http', path: '/health' },
        idleMs: 15 * 60_000,
        idleFromDefault: false,
        wakeTimeoutMs: 5 * 60_000,
        vramBytes: 14 * GiB,
        group: 'big-gpu',
        pin: true,
        idleWatts: 35,
        policy: 'break-even',
      },
      {
        name: 'kokoro',
        container: 'kokoro',
        source: { kind: 'yaml', file: path.join(__dirname, 'testdata', 'full.yaml'), line: 19 },
        port: null,
        listenPort: null,
        models: ['kokoro'],
        health: null,
        idleMs: SPEC_DEFAULTS.idleMs,
        idleFromDefault: true,
        wakeTimeoutMs: SPEC_DEFAULTS.wakeTimeoutMs,
        vramBytes: null,
        group: null,
        pin: false,
        idleWatts: null,
        policy: 'fixed',
      },
    ]);
  });

  it('applies the defaults: idle 10m, wake timeout 10m, policy fixed, models [name], container = name', () => {
    const spec = onlySpec('');
    expect(spec).toMatchObject({
      container: 'm',
      idleMs: 600_000,
      idleFromDefault: true,
      wakeTimeoutMs: 600_000,
      policy: 'fixed',
      models: ['m'],
      pin: false,
    });
  });

  it('loads the example shipped in examples/siesta.yaml without a problem', async () => {
    const parsed = await readSiestaYaml(
      path.join(__dirname, '..', '..', '..', 'examples', 'siesta.yaml'),
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries.length).toBeGreaterThan(0);
  });

  it('takes the name from the container when only the container is given', () => {
    const parsed = parseSiestaYaml('models:\n  - container: /whisper\n', 'siesta.yaml');
    expect(parsed.entries[0]).toMatchObject({ name: 'whisper', container: 'whisper' });
  });

  it.each([
    ['models: "a, b ,,a"', ['a', 'b']],
    ['health: docker', { kind: 'docker' }],
    ['health: tcp', { kind: 'tcp' }],
    ['idle: 0', 0],
    ['idle: "1h30m"', 5_400_000],
    ['vram: 512MiB', 512 * 2 ** 20],
    ['vram: 20GB', 20e9],
    ['vram: 1073741824', GiB],
    ['pin: false', false],
    ['idleWatts: 12.5W', 12.5],
    ['policy: adaptive', 'adaptive'],
    ['port: "8080"', 8080],
    ['group: 7', '7'],
  ])('reads %s', (line, value) => {
    const spec = onlySpec(`    ${line}\n`);
    const key = line.split(':')[0] ?? '';
    const field =
      {
        idle: 'idleMs',
        vram: 'vramBytes',
        models: 'models',
        health: 'health',
        pin: 'pin',
        idleWatts: 'idleWatts',
        policy: 'policy',
        port: 'port',
        group: 'group',
      }[key] ?? key;
    expect(spec?.[field as keyof typeof spec]).toEqual(value);
  });
});

describe('siesta.yaml mistakes', () => {
  it.each([
    ['port: 0', 'port=0: expected a port number from 1 to 65535'],
    ['port: web', 'port="web": expected a port number from 1 to 65535'],
    ['listen: 70000', 'listen=70000: expected a port number from 1 to 65535'],
    ['models: []', 'models=[]: expected model names, as a list or comma separated'],
    ['models: [1, 2]', 'models=[1,2]: expected model names, as a list or comma separated'],
    ['health: http', 'health="http": expected docker, tcp or an HTTP path such as /health'],
    ['idle: ten minutes', 'idle="ten minutes": expected a duration like 90s, 10m or 1h'],
    ['idle: 600', 'idle=600: expected a duration like 90s, 10m or 1h'],
    ['wakeTimeout: 0', 'wakeTimeout=0: expected a duration like 90s, 10m or 1h, more than 0'],
    ['vram: 20G', 'vram="20G": expected a size like 512MiB, 20GiB or 20GB'],
    ['vram: 0', 'vram=0: expected a size like 512MiB, 20GiB or 20GB'],
    ['group: ""', 'group="": expected a group name'],
    ['pin: yes please', 'pin="yes please": expected true or false'],
    ['idleWatts: lots', 'idleWatts="lots": expected a power in watts like 20 or 20W'],
    ['policy: lazy', 'policy="lazy": expected fixed, break-even or adaptive'],
    [
      'container: "my container"',
      'container="my container": expected a container name or id, or ENGINE/NAME for a container on another engine',
    ],
  ])('names the line, field and expectation for %s', (line, message) => {
    const text = `models:\n  - name: good\n  - name: m\n    # the field under test:\n    ${line}\n`;
    const parsed = parseSiestaYaml(text, 'conf/siesta.yaml');
    expect(parsed.problems.map(formatSpecProblem)).toEqual([
      `conf/siesta.yaml:5: model "m": ${message}`,
    ]);
    expect(parsed.problems[0]?.field).toBe(line.split(':')[0]);
    expect(parsed.entries.map((e) => e.name)).toEqual(['good']);
  });

  it('names a bad name, with the entry index since the name cannot be used', () => {
    expect(problemsOf('models:\n  - name: "qwen 7b"\n')).toEqual([
      'siesta.yaml:2: model "qwen 7b": name="qwen 7b": expected a name of letters, digits, ".", "_" or "-", starting with a letter or digit',
    ]);
    expect(problemsOf('models:\n  - port: 8000\n')).toEqual([
      'siesta.yaml:2: models[0]: no name: expected "name: MODEL" (and "container: CONTAINER" when it differs)',
    ]);
  });

  it('refuses an unknown field, suggesting the close spelling, and skips only that entry', () => {
    const parsed = parseSiestaYaml(
      'models:\n  - name: a\n    idle_timeout: 5m\n  - name: b\n    gpu: 0\n  - name: c\n',
      'siesta.yaml',
    );
    expect(parsed.problems.map(formatSpecProblem)).toEqual([
      expect.stringMatching(
        /^siesta\.yaml:3: model "a": unknown field "idle_timeout" \(did you mean "idle"\?\); known fields: name, container, port/,
      ),
      expect.stringMatching(/^siesta\.yaml:5: model "b": unknown field "gpu"; known fields: /),
    ]);
    expect(parsed.problems.map((p) => p.field)).toEqual(['idle_timeout', 'gpu']);
    expect(parsed.entries.map((e) => e.name)).toEqual(['c']);
  });

  it('reports every problem of one entry, not just the first', () => {
    expect(problemsOf('models:\n  - name: a\n    idle: soon\n    vram: big\n')).toEqual([
      'siesta.yaml:3: model "a": idle="soon": expected a duration like 90s, 10m or 1h',
      'siesta.yaml:4: model "a": vram="big": expected a size like 512MiB, 20GiB or 20GB',
    ]);
  });

  it('refuses unknown top-level keys with a hint', () => {
    expect(problemsOf('model:\n  - name: a\nport: 3\n')).toEqual([
      'siesta.yaml:1: unknown top-level key "model" (did you mean "models"?); known keys: models, engines, gateway, control, dataDir',
      'siesta.yaml:3: unknown top-level key "port"; known keys: models, engines, gateway, control, dataDir',
    ]);
  });

  it('reports the second of two entries with one name, and keeps the first', () => {
    const parsed = parseSiestaYaml(
      'models:\n  - name: qwen\n    container: a\n  - name: Qwen\n    container: b\n',
      'siesta.yaml',
    );
    expect(parsed.problems.map(formatSpecProblem)).toEqual([
      'siesta.yaml:4: model "Qwen": name already used at siesta.yaml:2; this entry is skipped',
    ]);
    expect(parsed.entries.map((e) => e.container)).toEqual(['a']);
  });

  it('names the line of a YAML syntax error and loads nothing from that file', () => {
    const parsed = parseSiestaYaml(
      'models:\n  - name: a\n  - name: [b\n    idle: 5m\n',
      'siesta.yaml',
    );
    expect(parsed.entries).toEqual([]);
    expect(parsed.problems.length).toBeGreaterThan(0);
    expect(formatSpecProblem(parsed.problems[0]!)).toMatch(
      /^siesta\.yaml:[345]: not valid YAML \(.+\); no model of this file was loaded$/,
    );
  });

  it('names a repeated key as a YAML error with its line', () => {
    expect(problemsOf('models:\n  - name: a\n    idle: 5m\n    idle: 6m\n')).toEqual([
      expect.stringMatching(/^siesta\.yaml:4: not valid YAML \(.*unique.*\)/),
    ]);
  });

  it('refuses a file that is not a mapping, models that are not a list, entries that are not mappings', () => {
    expect(problemsOf('- name: a\n')).toEqual([
      'siesta.yaml:1: expected a mapping with "models:" at the top, got [{"name":"a"}]',
    ]);
    expect(problemsOf('models: qwen\n')).toEqual([
      'siesta.yaml:1: models="qwen": expected a list of model entries',
    ]);
    expect(problemsOf('models:\n  - qwen\n')).toEqual([
      'siesta.yaml:2: models[0]: expected a model entry such as "name: qwen", got "qwen"',
    ]);
  });

  it('reads an empty file, or one with an empty models list, as no models and no problem', () => {
    for (const text of ['', '# nothing yet\n', 'models:\n']) {
      expect(parseSiestaYaml(text, 'siesta.yaml')).toMatchObject({ entries: [], problems: [] });
    }
  });

  it('checks the daemon settings are HOST:PORT and a folder', () => {
    expect(problemsOf('gateway: 11400\ncontrol: localhost:99999\ndataDir: ""\n')).toEqual([
      'siesta.yaml:1: gateway=11400: expected HOST:PORT such as 127.0.0.1:11400',
      'siesta.yaml:2: control="localhost:99999": expected HOST:PORT such as 127.0.0.1:11400',
      'siesta.yaml:3: dataDir="": expected a folder path',
    ]);
    expect(parseSiestaYaml('gateway: "[::1]:8080"\n', 'f').daemon).toEqual({
      gateway: '[::1]:8080',
      control: null,
      dataDir: null,
    });
  });
});

describe('readSiestaYaml', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'siesta-yaml-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names a missing file instead of throwing', async () => {
    const file = path.join(dir, 'missing.yaml');
    const parsed = await readSiestaYaml(file);
    expect(parsed.entries).toEqual([]);
    expect(parsed.problems.map(formatSpecProblem)).toEqual([
      `${file}: cannot read the file: no such file`,
    ]);
  });

  it('names a folder given as the file', async () => {
    const parsed = await readSiestaYaml(dir);
    expect(parsed.problems.map(formatSpecProblem)).toEqual([
      `${dir}: cannot read the file: it is a folder, not a file`,
    ]);
  });

  it('names an unreadable file', async () => {
    const file = path.join(dir, 'secret.yaml');
    await writeFile(file, 'models: []\n');
    await chmod(file, 0o000);
    const parsed = await readSiestaYaml(file);
    // root reads any file, so only assert the refusal where permissions apply.
    if (process.getuid?.() !== 0)
      expect(parsed.problems.map(formatSpecProblem)).toEqual([
        `${file}: cannot read the file: permission denied`,
      ]);
    else expect(parsed.problems).toEqual([]);
  });
});
