import { describe, expect, it } from 'vitest';
import { exampleModel } from './testdata/state-examples';
import { servedModelItems } from './served-model-items';

const GIB = 1024 ** 3;
const serves = [
  { name: 'llama3.2:1b', sizeBytes: GIB, loaded: true, vramBytes: 1.5 * GIB, lastUsedAt: null },
  { name: 'qwen2.5:7b', sizeBytes: 5 * GIB, loaded: false, vramBytes: null, lastUsedAt: null },
];

describe('the tray lines of an Ollama server', () => {
  it('lists each model under its server; a loaded one shows its VRAM and unloads on a click', () => {
    expect(servedModelItems(exampleModel('ollama', { state: 'ready', serves }))).toEqual([
      {
        type: 'action',
        id: 'served-ollama-llama3.2:1b',
        label: '    llama3.2:1b · 1.5 GiB · unload',
        action: { kind: 'unload', server: 'ollama', model: 'llama3.2:1b' },
      },
      { type: 'label', id: 'served-ollama-qwen2.5:7b', label: '    qwen2.5:7b' },
    ]);
  });

  it('offers nothing to unload while the server sleeps, and no lines for a container of one model', () => {
    const asleep = servedModelItems(exampleModel('ollama', { state: 'asleep', serves }));
    expect(asleep.map((i) => i.type)).toEqual(['label', 'label']);
    expect(servedModelItems(exampleModel('qwen'))).toEqual([]);
  });
});
