// What Siesta manages when siesta.yaml and labelled containers both describe models: the merge rule and its conflicts.
import { describe, expect, it } from 'vitest';
import { formatSpecProblem, loadModelSpecs, yamlContainerNames } from './load-specs';
import { parseSiestaYaml } from './siesta-yaml';

const yaml = (text: string) => parseSiestaYaml(text, 'siesta.yaml');

function load(
  yamlText: string | null,
  containers: { name: string; labels: Record<string, string> }[],
) {
  const result = loadModelSpecs({ yaml: yamlText === null ? null : yaml(yamlText), containers });
  return {
    names: result.specs.map((s) => s.name),
    problems: result.problems.map(formatSpecProblem),
    specs: result.specs,
  };
}

const enabled = (extra: Record<string, string> = {}): Record<string, string> => ({
  'siesta.enable': 'true',
  ...extra,
});

describe('loading specs from siesta.yaml and labels', () => {
  it('runs on labels alone', () => {
    const { names, problems } = load(null, [
      { name: 'llm-1', labels: enabled({ 'siesta.name': 'qwen' }) },
      { name: 'postgres', labels: {} },
      { name: 'kokoro', labels: enabled() },
    ]);
    expect(problems).toEqual([]);
    expect(names).toEqual(['qwen', 'kokoro']);
  });

  it('gives a spec for a siesta.yaml entry whose container does not exist yet', () => {
    const { specs, problems } = load('models:\n  - name: qwen\n    container: llm-1\n', []);
    expect(problems).toEqual([]);
    expect(specs.map((s) => [s.name, s.container, s.source.kind])).toEqual([
      ['qwen', 'llm-1', 'yaml'],
    ]);
  });

  it('lets the siesta.yaml entry win over the labels of the container it names, and says so', () => {
    const { specs, problems } = load(
      'models:\n  - name: qwen\n    container: llm-1\n    idle: 2m\n',
      [
        {
          name: 'llm-1',
          labels: enabled({ 'siesta.name': 'other', 'siesta.idle': 'not a duration' }),
        },
      ],
    );
    expect(specs.map((s) => [s.name, s.idleMs])).toEqual([['qwen', 120_000]]);
    expect(problems).toEqual([
      'container "llm-1": is labelled siesta.enable=true and also named at siesta.yaml:2: the siesta.yaml entry wins and its siesta.* labels are ignored',
    ]);
  });

  it('does not fall back to labels when the siesta.yaml entry naming the container is bad', () => {
    const { names, problems } = load(
      'models:\n  - name: qwen\n    container: llm-1\n    idle: soon\n',
      [{ name: 'llm-1', labels: enabled() }],
    );
    expect(names).toEqual([]);
    expect(problems).toEqual([
      'siesta.yaml:4: model "qwen": idle="soon": expected a duration like 90s, 10m or 1h',
      'container "llm-1": is labelled siesta.enable=true and also named at siesta.yaml:2: the siesta.yaml entry wins and its siesta.* labels are ignored',
    ]);
  });

  it('manages a container named in siesta.yaml without any label, silently', () => {
    expect(load('models:\n  - name: tts\n', [{ name: 'tts', labels: {} }]).problems).toEqual([]);
  });

  it('keeps siesta.yaml problems and label problems, and still loads the good models', () => {
    const { names, problems } = load('models:\n  - name: a\n    idle: soon\n  - name: b\n', [
      { name: 'c', labels: enabled({ 'siesta.vram': 'huge' }) },
      { name: 'd', labels: enabled() },
    ]);
    expect(names).toEqual(['b', 'd']);
    expect(problems).toEqual([
      'siesta.yaml:3: model "a": idle="soon": expected a duration like 90s, 10m or 1h',
      'container "c": label siesta.vram="huge": expected a size like 512MiB, 20GiB or 20GB',
    ]);
  });

  it('skips the second model with a name already taken, in any letter case', () => {
    const { specs, problems } = load('models:\n  - name: qwen\n    container: llm-1\n', [
      { name: 'llm-2', labels: enabled({ 'siesta.name': 'Qwen' }) },
    ]);
    expect(specs.map((s) => s.container)).toEqual(['llm-1']);
    expect(problems).toEqual([
      'container "llm-2": model "Qwen": name already used by the model at siesta.yaml:2; this model is skipped',
    ]);
  });

  it('skips a second entry for a container that already serves a model', () => {
    const { names, problems } = load(
      'models:\n  - name: a\n    container: box\n  - name: b\n    container: box\n',
      [],
    );
    expect(names).toEqual(['a']);
    expect(problems).toEqual([
      'siesta.yaml:4: model "b": container "box" already serves model "a" (siesta.yaml:2); this model is skipped',
    ]);
  });

  it('skips the second model that asks for a listen port already taken', () => {
    const result = loadModelSpecs({
      yaml: yaml('models:\n  - name: a\n    listen: 11434\n'),
      containers: [{ name: 'b', labels: enabled({ 'siesta.listen': '11434' }) }],
    });
    expect(result.specs.map((s) => s.name)).toEqual(['a']);
    expect(result.problems).toEqual([
      {
        where: 'container "b"',
        field: 'siesta.listen',
        message:
          'model "b": listen port 11434 already belongs to model "a" (siesta.yaml:2); this model is skipped',
      },
    ]);
  });

  it('skips the second model that answers an OpenAI model name already answered', () => {
    const { names, problems } = load(null, [
      { name: 'a', labels: enabled({ 'siesta.models': 'llama3, gpt-4o' }) },
      { name: 'b', labels: enabled({ 'siesta.models': 'gpt-4o' }) },
      { name: 'c', labels: enabled({ 'siesta.models': 'GPT-4o' }) },
    ]);
    expect(names).toEqual(['a', 'c']);
    expect(problems).toEqual([
      'container "b": model "b": OpenAI model name "gpt-4o" is already answered by model "a" (container "a"); this model is skipped',
    ]);
  });

  it('lists every clash of a skipped model', () => {
    const { problems } = load(
      'models:\n  - name: a\n    listen: 9000\n  - name: a\n    container: x\n    listen: 9000\n',
      [],
    );
    // siesta.yaml itself drops the second "a"; the loader only sees the first.
    expect(problems).toEqual([
      'siesta.yaml:4: model "a": name already used at siesta.yaml:2; this entry is skipped',
    ]);
    const two = load(null, [
      { name: 'a', labels: enabled({ 'siesta.listen': '9000' }) },
      {
        name: 'b',
        labels: enabled({ 'siesta.name': 'A', 'siesta.listen': '9000', 'siesta.models': 'a' }),
      },
    ]);
    expect(two.names).toEqual(['a']);
    expect(two.problems).toHaveLength(3);
  });
});

describe('yamlContainerNames', () => {
  it('lists the containers siesta.yaml hands to Siesta, once each, bad entries left out', () => {
    const parsed = yaml(
      'models:\n  - name: a\n    container: llm-1\n  - name: b\n  - name: c\n    idle: never\n',
    );
    expect(yamlContainerNames(parsed)).toEqual(['llm-1', 'b']);
    expect(yamlContainerNames(null)).toEqual([]);
  });
});
