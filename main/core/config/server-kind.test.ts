// `siesta.server` / `server`: a container that is an Ollama server of many models (issue 19).
import { describe, expect, it } from 'vitest';
import { parseSiestaYaml } from './siesta-yaml';
import { specFromLabels } from './spec-from-labels';
import { formatSpecProblem } from './spec-problem';

describe('an Ollama server in the spec', () => {
  it('reads siesta.server=ollama, whose readiness defaults to /api/version', () => {
    const { spec, problems } = specFromLabels('ollama-1', {
      'siesta.enable': 'true',
      'siesta.server': 'Ollama',
    });
    expect(problems).toEqual([]);
    expect(spec?.server).toBe('ollama');
    expect(spec?.health).toEqual({ kind: 'http', path: '/api/version' });
  });

  it('keeps a health check the labels give, and gives a container of one model no server field', () => {
    const own = specFromLabels('ollama-1', {
      'siesta.enable': 'true',
      'siesta.server': 'ollama',
      'siesta.health': 'tcp',
    });
    expect(own.spec?.health).toEqual({ kind: 'tcp' });
    const plain = specFromLabels('vllm-1', { 'siesta.enable': 'true' });
    expect(plain.spec).not.toHaveProperty('server');
    expect(plain.spec?.health).toBeNull();
  });

  it('reads `server: ollama` in siesta.yaml and names a wrong value with its file, line and field', () => {
    const good = parseSiestaYaml(
      'models:\n  - name: ollama\n    container: ollama-1\n    server: ollama\n',
      'siesta.yaml',
    );
    expect(good.problems).toEqual([]);
    expect(good.entries[0]?.server).toBe('ollama');
    const bad = parseSiestaYaml(
      'models:\n  - name: ollama\n    container: ollama-1\n    server: vllm\n',
      'siesta.yaml',
    );
    expect(bad.problems.map(formatSpecProblem)).toEqual([
      expect.stringMatching(/^siesta\.yaml:4.*server.*expected ollama/),
    ]);
    const label = specFromLabels('ollama-1', {
      'siesta.enable': 'true',
      'siesta.server': 'llama.cpp',
    });
    expect(label.problems.map(formatSpecProblem)).toEqual([
      expect.stringMatching(/ollama-1.*siesta\.server.*expected ollama/),
    ]);
  });
});
