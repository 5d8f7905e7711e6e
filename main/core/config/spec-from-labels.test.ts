// Docker labels as a compose file writes them: every siesta.* label read, every mistake named with container and label.
import { describe, expect, it } from 'vitest';
import { specFromLabels } from './spec-from-labels';
import { formatSpecProblem } from './spec-problem';

const GiB = 2 ** 30;

function problemsOf(labels: Record<string, string>, container = 'llm-1'): string[] {
  const result = specFromLabels(container, labels);
  expect(result.spec).toBeNull();
  return result.problems.map(formatSpecProblem);
}

describe('specs from labels', () => {
  it('reads every label', () => {
    const result = specFromLabels('llm-1', {
      'siesta.enable': 'true',
      'siesta.name': 'qwen',
      'siesta.port': '8000',
      'siesta.listen': '11434',
      'siesta.models': 'Qwen/Qwen2.5-7B-Instruct, qwen',
      'siesta.health': '/v1/models',
      'siesta.idle': '15m',
      'siesta.wake-timeout': '5m',
      'siesta.vram': '14GiB',
      'siesta.group': 'big-gpu',
      'siesta.pin': 'true',
      'siesta.idle-watts': '35W',
      'siesta.policy': 'adaptive',
      'com.docker.compose.service': 'llm',
    });
    expect(result.problems).toEqual([]);
    expect(result.spec).toEqual({
      name: 'qwen',
      container: 'llm-1',
      source: { kind: 'label', container: 'llm-1' },
      port: 8000,
      listenPort: 11434,
      models: ['Qwen/Qwen2.5-7B-Instruct', 'qwen'],
      health: { kind: 'http', path: '/v1/models' },
      idleMs: 15 * 60_000,
      idleFromDefault: false,
      wakeTimeoutMs: 5 * 60_000,
      vramBytes: 14 * GiB,
      group: 'big-gpu',
      pin: true,
      idleWatts: 35,
      policy: 'adaptive',
    });
  });

  it('applies the defaults to a container with only siesta.enable=true', () => {
    expect(specFromLabels('/whisper', { 'siesta.enable': 'true' })).toEqual({
      spec: {
        name: 'whisper',
        container: 'whisper',
        source: { kind: 'label', container: 'whisper' },
        port: null,
        listenPort: null,
        models: ['whisper'],
        health: null,
        idleMs: 600_000,
        idleFromDefault: true,
        wakeTimeoutMs: 600_000,
        vramBytes: null,
        group: null,
        pin: false,
        idleWatts: null,
        policy: 'fixed',
      },
      problems: [],
    });
  });

  it.each([
    ['siesta.health', 'docker', 'health', { kind: 'docker' }],
    ['siesta.health', 'TCP', 'health', { kind: 'tcp' }],
    ['siesta.idle', '0', 'idleMs', 0],
    ['siesta.pin', 'False', 'pin', false],
    ['siesta.vram', '20GB', 'vramBytes', 20e9],
    ['siesta.policy', 'break-even', 'policy', 'break-even'],
    ['siesta.models', 'a,b,a', 'models', ['a', 'b']],
  ] as const)('reads %s=%s', (label, value, field, expected) => {
    const result = specFromLabels('c', { 'siesta.enable': 'true', [label]: value });
    expect(result.problems).toEqual([]);
    expect(result.spec?.[field]).toEqual(expected);
  });

  it('leaves a container alone without siesta.enable=true', () => {
    expect(specFromLabels('db', { 'com.docker.compose.service': 'db' })).toEqual({
      spec: null,
      problems: [],
    });
    expect(specFromLabels('db', { 'siesta.enable': 'false', 'siesta.idle': '5m' })).toEqual({
      spec: null,
      problems: [],
    });
  });

  it('says so when siesta.* labels are there but siesta.enable is missing', () => {
    expect(problemsOf({ 'siesta.idle': '5m', 'siesta.name': 'x' })).toEqual([
      'container "llm-1": has siesta.idle, siesta.name but no label siesta.enable=true: expected siesta.enable=true for Siesta to manage it; its labels are ignored',
    ]);
  });
});

describe('label mistakes', () => {
  it.each([
    ['siesta.enable', 'yes', 'expected true or false'],
    [
      'siesta.name',
      'qwen 7b',
      'expected a name of letters, digits, ".", "_" or "-", starting with a letter or digit',
    ],
    ['siesta.port', '80a', 'expected a port number from 1 to 65535'],
    ['siesta.listen', '0', 'expected a port number from 1 to 65535'],
    ['siesta.models', ' , ', 'expected model names, as a list or comma separated'],
    ['siesta.health', 'GET /health', 'expected docker, tcp or an HTTP path such as /health'],
    ['siesta.idle', 'ten minutes', 'expected a duration like 90s, 10m or 1h'],
    ['siesta.wake-timeout', '600', 'expected a duration like 90s, 10m or 1h'],
    ['siesta.wake-timeout', '0', 'expected a duration like 90s, 10m or 1h, more than 0'],
    ['siesta.vram', 'lots', 'expected a size like 512MiB, 20GiB or 20GB'],
    ['siesta.group', '', 'expected a group name'],
    ['siesta.pin', 'always', 'expected true or false'],
    ['siesta.idle-watts', '-5', 'expected a power in watts like 20 or 20W'],
    ['siesta.policy', 'sometimes', 'expected fixed, break-even or adaptive'],
  ])(
    'names the container, the label and the expectation for %s=%j',
    (label, value, expectation) => {
      const labels =
        label === 'siesta.enable'
          ? { [label]: value }
          : { 'siesta.enable': 'true', [label]: value };
      const result = specFromLabels('llm-1', labels);
      expect(result.spec).toBeNull();
      expect(result.problems).toEqual([
        {
          where: 'container "llm-1"',
          field: label,
          message: `label ${label}=${JSON.stringify(value)}: ${expectation}`,
        },
      ]);
    },
  );

  it('matches the documented example message', () => {
    expect(problemsOf({ 'siesta.enable': 'true', 'siesta.idle': 'ten minutes' })).toEqual([
      'container "llm-1": label siesta.idle="ten minutes": expected a duration like 90s, 10m or 1h',
    ]);
  });

  it('refuses an unknown siesta.* label, with a hint when one is close', () => {
    const problems = problemsOf({
      'siesta.enable': 'true',
      'siesta.idle_timeout': '5m',
      'siesta.gpu': '0',
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^container "llm-1": unknown label siesta\.gpu; known labels: siesta\.enable, siesta\.name, siesta\.port/,
      ),
      expect.stringMatching(
        /^container "llm-1": unknown label siesta\.idle_timeout \(did you mean siesta\.idle\?\); known labels: /,
      ),
    ]);
    expect(problemsOf({ 'siesta.enable': 'true', 'siesta.wake_timeout': '1m' })[0]).toMatch(
      /did you mean siesta\.wake-timeout\?/,
    );
    expect(problemsOf({ 'siesta.enable': 'true', 'siesta.container': 'x' })[0]).toMatch(
      /unknown label siesta\.container;/,
    );
  });

  it('reports every bad label of a container at once', () => {
    expect(problemsOf({ 'siesta.enable': 'true', 'siesta.idle': 'x', 'siesta.vram': 'y' })).toEqual(
      [
        'container "llm-1": label siesta.idle="x": expected a duration like 90s, 10m or 1h',
        'container "llm-1": label siesta.vram="y": expected a size like 512MiB, 20GiB or 20GB',
      ],
    );
  });
});
