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

  it('lists an Ollama server’s models under it, the loaded ones with their VRAM', () => {
    const GIB = 1024 ** 3;
    const ollama = exampleModel('ollama', {
      state: 'ready',
      serves: [
        {
          name: 'gemma3:12b',
          sizeBytes: 8 * GIB,
          loaded: true,
          vramBytes: 9.5 * GIB,
          lastUsedAt: null,
        },
        {
          name: 'llama3.2:3b',
          sizeBytes: 2 * GIB,
          loaded: false,
          vramBytes: null,
          lastUsedAt: null,
        },
      ],
    });
    const lines = statusText(exampleState({ models: [ollama, exampleModel('qwen')] })).split('\n');
    const at = lines.findIndex((l) => l.startsWith('ollama '));
    expect(lines[at + 1]).toMatch(/^ {2}gemma3:12b +loaded +9\.5 GiB/);
    expect(lines[at + 2]).toMatch(/^ {2}llama3\.2:3b +- +-/);
    expect(lines[at + 3]).toMatch(/^qwen /);
  });
});
