// The doze labels: each known server's paths, custom http paths, and clear errors for bad values.
import { describe, expect, it } from 'vitest';
import { dozeSpecFromLabels } from './doze-spec';
import { parseSiestaYaml } from './siesta-yaml';
import { specFromLabels } from './spec-from-labels';
import { formatSpecProblem } from './spec-problem';

describe('dozeSpecFromLabels', () => {
  it('has none without the label (the model simply stops)', () => {
    expect(dozeSpecFromLabels({}, 'qwen')).toBeNull();
    expect(dozeSpecFromLabels({ 'siesta.doze': 'none' }, 'qwen')).toBeNull();
  });

  it("knows vLLM's and SGLang's sleep APIs", () => {
    expect(dozeSpecFromLabels({ 'siesta.doze': 'vllm' }, 'qwen')).toEqual({
      kind: 'vllm',
      sleepPath: '/sleep?level=1',
      wakePath: '/wake_up',
      statusPath: '/is_sleeping',
    });
    expect(dozeSpecFromLabels({ 'siesta.doze': 'sglang' }, 'qwen')).toEqual({
      kind: 'sglang',
      sleepPath: '/release_memory_occupation',
      wakePath: '/resume_memory_occupation',
      statusPath: null,
    });
  });

  it('reads custom paths for http, the status optional', () => {
    expect(
      dozeSpecFromLabels(
        {
          'siesta.doze': 'http',
          'siesta.doze.sleep': '/admin/sleep',
          'siesta.doze.wake': '/admin/wake',
        },
        'tts',
      ),
    ).toEqual({
      kind: 'http',
      sleepPath: '/admin/sleep',
      wakePath: '/admin/wake',
      statusPath: null,
    });
  });

  it('names the label and what was wrong', () => {
    expect(() => dozeSpecFromLabels({ 'siesta.doze': 'vLLM2' }, 'container qwen')).toThrow(
      'container qwen: label siesta.doze is "vLLM2"; expected one of vllm, sglang, ollama, cuda-checkpoint, http (or none)',
    );
    expect(() =>
      dozeSpecFromLabels({ 'siesta.doze': 'http', 'siesta.doze.wake': '/w' }, 'tts'),
    ).toThrow(
      'tts: doze http needs its sleep path (label siesta.doze.sleep, YAML dozeSleep), a path such as /sleep',
    );
    expect(() =>
      dozeSpecFromLabels(
        { 'siesta.doze': 'http', 'siesta.doze.sleep': 'sleep', 'siesta.doze.wake': '/w' },
        'tts',
      ),
    ).toThrow(
      'tts: label siesta.doze.sleep is "sleep": expected a path on the model server starting with /',
    );
  });
});

describe('the doze as a field of the spec', () => {
  it('reads siesta.doze and its custom paths with the other labels', () => {
    const result = specFromLabels('tts-1', {
      'siesta.enable': 'true',
      'siesta.doze': 'http',
      'siesta.doze.sleep': '/admin/sleep',
      'siesta.doze.wake': '/admin/wake',
      'siesta.doze.status': '/admin/state',
    });
    expect(result.problems).toEqual([]);
    expect(result.spec?.doze).toEqual({
      kind: 'http',
      sleepPath: '/admin/sleep',
      wakePath: '/admin/wake',
      statusPath: '/admin/state',
    });
    expect(specFromLabels('llm', { 'siesta.enable': 'true' }).spec?.doze).toBeUndefined();
  });

  it('names the label a custom doze lacks, and skips the container', () => {
    const result = specFromLabels('tts-1', {
      'siesta.enable': 'true',
      'siesta.doze': 'http',
      'siesta.doze.wake': '/w',
    });
    expect(result.spec).toBeNull();
    expect(result.problems.map(formatSpecProblem)).toEqual([
      'container "tts-1": doze http needs its sleep path (label siesta.doze.sleep, YAML dozeSleep), a path such as /sleep',
    ]);
  });

  it('reads doze from siesta.yaml, and names FILE:LINE when a path is missing', () => {
    const good = parseSiestaYaml('models:\n  - name: qwen\n    doze: vllm\n', 'siesta.yaml');
    expect(good.problems).toEqual([]);
    expect(good.entries[0]?.doze?.kind).toBe('vllm');
    const bad = parseSiestaYaml(
      'models:\n  - name: tts\n    doze: http\n    dozeSleep: /sleep\n',
      'siesta.yaml',
    );
    expect(bad.problems.map(formatSpecProblem)).toEqual([
      'siesta.yaml:2: model "tts": doze http needs its wake path (label siesta.doze.wake, YAML dozeWake), a path such as /wake',
    ]);
    expect(problemsOfYaml('models:\n  - name: q\n    doze: vllm2\n')).toEqual([
      'siesta.yaml:3: model "q": doze="vllm2": expected one of vllm, sglang, ollama, cuda-checkpoint, http (or none)',
    ]);
  });
});

function problemsOfYaml(text: string): string[] {
  return parseSiestaYaml(text, 'siesta.yaml').problems.map(formatSpecProblem);
}
