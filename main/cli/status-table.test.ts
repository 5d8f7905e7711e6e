// `siesta status` as text when something is missing: no GPU, or a Docker Engine that does not answer.
import { describe, expect, it } from 'vitest';
import { exampleModel, exampleState, twoEngines } from '../core/tray/testdata/state-examples';
import { statusText } from './status-table';

const AWAY = { reachable: false, detail: 'connect ENOENT /var/run/docker.sock', since: 0 };

describe('siesta status', () => {
  it('opens with the engine that does not answer, and says the models come when it does', () => {
    const text = statusText(exampleState({ engine: AWAY }));
    expect(text.split('\n')[0]).toBe(
      'The Docker Engine does not answer (connect ENOENT /var/run/docker.sock); Siesta keeps trying, and wakes wait for it.',
    );
    expect(text).toContain('Models: none yet (they are found when the Docker Engine answers)');
  });

  it('says nothing of the engine while it answers', () => {
    const text = statusText(exampleState({ models: [exampleModel('qwen')] }));
    expect(text).not.toContain('Docker Engine');
    expect(text).toContain('qwen');
  });

  it('gives the no-GPU sentence once', () => {
    expect(statusText(exampleState({ gpus: [] })).split('\n')[0]).toBe(
      'No GPU found: tried nvidia-smi: nvidia-smi was not found; AMD sysfs: cannot list /sys/class/drm: it does not exist.',
    );
  });

  it('groups models by engine when siesta.yaml names several, and says which one does not answer', () => {
    const engines = twoEngines('connect ETIMEDOUT');
    const text = statusText(
      exampleState({
        engines,
        models: [
          { ...exampleModel('whisper'), engine: 'gpu2' },
          { ...exampleModel('qwen'), engine: 'home' },
        ],
      }),
    );
    expect(text).toContain(
      'Engine "gpu2" (tcp://10.0.0.12:2376) does not answer (connect ETIMEDOUT); its models cannot wake until it does.',
    );
    const rows = text.split('\n').filter((line) => /^(ENGINE|home|gpu2)/.test(line));
    expect(rows.map((line) => line.split(/\s{2,}/).slice(0, 2))).toEqual([
      ['ENGINE', 'MODEL'],
      ['home', 'qwen'],
      ['gpu2 (away)', 'whisper'],
    ]);
  });
});
