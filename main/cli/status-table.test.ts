// `siesta status` as text when something is missing: no GPU, or a Docker Engine that does not answer.
import { describe, expect, it } from 'vitest';
import {
  EXAMPLE_NOW,
  exampleModel,
  exampleState,
  twoEngines,
} from '../core/tray/testdata/state-examples';
import { statusText } from './status-table';

const AWAY = { reachable: false, detail: 'connect ENOENT /var/run/docker.sock', since: 0 };

describe('siesta status', () => {
  it('opens with the engine that does not answer, and says the models come when it does', () => {
    const text = statusText(exampleState({ engine: AWAY }));
    expect(text.split('\n').slice(0, 3)).toEqual([
      'Docker is not answering: connect ENOENT /var/run/docker.sock.',
      '  What works: The gateway, the dashboard and the energy ledger run; Siesta keeps trying, finds the models when Docker answers, and wakes wait for it.',
      '  What to do: Start Docker (sudo systemctl start docker, or open Docker Desktop), or install it (Debian and Ubuntu: sudo apt install docker.io); if it runs elsewhere, set DOCKER_HOST where Siesta runs (unix:///var/run/docker.sock, tcp://HOST:2376, ssh://USER@HOST).',
    ]);
    expect(text).toContain('Models: none yet (they are found when the Docker Engine answers)');
  });

  it('says in its footer what sleeping saved and what the models used today', () => {
    const text = statusText(
      exampleState({ savedTodayJoules: 1_512_000, usedTodayJoules: 4_320_000 }),
    );
    expect(text).toContain('Saved today: 0.420 kWh. Used today: 1.200 kWh. Gateway: ');
  });

  it('says nothing of the engine while it answers', () => {
    const text = statusText(exampleState({ models: [exampleModel('qwen')] }));
    expect(text).not.toContain('Docker Engine');
    expect(text).toContain('qwen');
  });

  it('tells a user whose account may not use the Docker socket to join the docker group', () => {
    const text = statusText(
      exampleState({
        engine: { reachable: false, detail: 'connect EACCES /var/run/docker.sock', since: 0 },
      }),
    );
    expect(text).toContain(
      '  What to do: Siesta may not use the Docker socket: add your user to the docker group',
    );
  });

  it('says once that no GPU was found, that models still run with estimated figures, and what to install', () => {
    const text = statusText(exampleState({ gpus: [] }));
    expect(text.split('\n').slice(0, 3)).toEqual([
      'No GPU found: tried nvidia-smi: nvidia-smi was not found; AMD sysfs: cannot list /sys/class/drm: it does not exist.',
      "  What works: Models still wake, serve and sleep; without GPU readings their VRAM is not measured and energy figures are estimates (marked so, from each model's idle-watts setting, none without one).",
      '  What to do: For an NVIDIA card install its driver (nvidia-smi must run where Siesta runs); for AMD the amdgpu driver; for a remote host set a DCGM exporter on its engine in siesta.yaml.',
    ]);
    expect(text.match(/No GPU found/g)).toHaveLength(1);
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

  it('spells states and times as the dashboard and the tray do', () => {
    const state = exampleState({
      models: [
        exampleModel('flux', { state: 'stopping', lastUsedAt: EXAMPLE_NOW - 2_000 }),
        exampleModel('qwen', { state: 'asleep', lastUsedAt: EXAMPLE_NOW - 65_000 }),
      ],
    });
    const rows = statusText({ ...state, at: EXAMPLE_NOW })
      .split('\n')
      .filter((line) => /^(flux|qwen) /.test(line))
      .map((line) => line.split(/\s{2,}/));
    expect(rows.map((cells) => [cells[0], cells[1], cells[4]])).toEqual([
      ['flux', 'going to sleep', 'just now'],
      ['qwen', 'asleep', '1 min 5 s ago'],
    ]);
  });
});
