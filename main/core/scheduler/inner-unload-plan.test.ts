import { describe, expect, it } from 'vitest';
import type { Victim } from './admission-plan';
import type { InnerModel } from './inner-unload-plan';
import { planInnerUnloads } from './inner-unload-plan';

const GIB = 1024 ** 3;
const evicted = (model: string): Victim => ({ model, cause: { kind: 'evicted', forModel: 'big' } });
const loadedIn =
  (servers: Record<string, readonly InnerModel[]>) =>
  (server: string): readonly InnerModel[] =>
    servers[server] ?? [];
const gpu0 = (): readonly number[] => [0];
const three: readonly InnerModel[] = [
  { name: 'gamma:2b', vramBytes: 6 * GIB, lastUsedAt: 3_000 },
  { name: 'alpha:latest', vramBytes: 6 * GIB, lastUsedAt: 1_000 },
  { name: 'beta:7b', vramBytes: 6 * GIB, lastUsedAt: 2_000 },
];

describe('making room inside an Ollama server', () => {
  it('unloads the least recently used model when it frees enough, instead of stopping the server', () => {
    const plan = planInnerUnloads(
      [evicted('ollama')],
      new Map([[0, 2.5 * GIB]]),
      gpu0,
      loadedIn({ ollama: three }),
    );
    expect(plan).toEqual([{ server: 'ollama', model: 'alpha:latest', vramBytes: 6 * GIB }]);
  });

  it('unloads as many models as the missing room needs, oldest first', () => {
    const plan = planInnerUnloads(
      [evicted('ollama')],
      new Map([[0, 7 * GIB]]),
      gpu0,
      loadedIn({ ollama: three }),
    );
    expect(plan?.map((u) => u.model)).toEqual(['alpha:latest', 'beta:7b']);
  });

  it('stops the server instead when every loaded model would have to go', () => {
    expect(
      planInnerUnloads(
        [evicted('ollama')],
        new Map([[0, 13 * GIB]]),
        gpu0,
        loadedIn({ ollama: three }),
      ),
    ).toBeNull();
  });

  it('leaves a plan that puts a container of one model (or a group mate) to sleep as it is', () => {
    expect(
      planInnerUnloads([evicted('vllm')], new Map([[0, GIB]]), gpu0, loadedIn({ ollama: three })),
    ).toBeNull();
    const group: Victim = {
      model: 'ollama',
      cause: { kind: 'group', forModel: 'big', group: 'gpu' },
    };
    expect(
      planInnerUnloads([group], new Map([[0, GIB]]), gpu0, loadedIn({ ollama: three })),
    ).toBeNull();
    expect(
      planInnerUnloads([evicted('ollama')], undefined, gpu0, loadedIn({ ollama: three })),
    ).toBeNull();
  });

  it('counts a model on two GPUs as half its VRAM on each', () => {
    const twoGpus = (): readonly number[] => [0, 1];
    const plan = planInnerUnloads(
      [evicted('ollama')],
      new Map([
        [0, 3 * GIB],
        [1, 3 * GIB],
      ]),
      twoGpus,
      loadedIn({ ollama: three }),
    );
    expect(plan?.map((u) => u.model)).toEqual(['alpha:latest']);
  });
});
