// Editing siesta.yaml keeps the user's comments and order, adds an entry when a model has none, and names bad values.
import { describe, expect, it } from 'vitest';
import {
  checkEditedYaml,
  entryFieldsOfLabels,
  hasModelEntry,
  removeModelEntry,
  setModelEntry,
} from './managed-yaml';
import { parseSiestaYaml } from './siesta-yaml';

const FILE = `# Our team's models. Ask Ana before changing the chat model.
gateway: 127.0.0.1:11400

models:
  # the chat model; its idle time is short because the card is shared
  - name: chat
    container: vllm-chat   # made by hand
    idle: 5m
    group: big
  - name: whisper
    health: /health
`;

describe('the managed siesta.yaml', () => {
  it('changes a field in place and adds new ones at the end of the entry, keeping every comment', () => {
    const text = setModelEntry(FILE, 'chat', { idle: '20m', pin: true, vram: '18GiB' }, null);
    expect(text).toBe(`# Our team's models. Ask Ana before changing the chat model.
gateway: 127.0.0.1:11400

models:
  # the chat model; its idle time is short because the card is shared
  - name: chat
    container: vllm-chat # made by hand
    idle: 20m
    group: big
    pin: true
    vram: 18GiB
  - name: whisper
    health: /health
`);
    const parsed = parseSiestaYaml(text, 'siesta.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries.find((e) => e.name === 'chat')).toMatchObject({
      idleMs: 20 * 60_000,
      pin: true,
      vramBytes: 18 * 2 ** 30,
      group: 'big',
    });
  });

  it('removes a key given null, so its default applies again', () => {
    const text = setModelEntry(FILE, 'chat', { group: null }, null);
    expect(text).not.toContain('group');
    expect(text).toContain('# the chat model');
  });

  it("appends an entry for a model it lacks, from its labels, and creates the file's list when empty", () => {
    const base = entryFieldsOfLabels('llama-box', {
      'siesta.enable': 'true',
      'siesta.name': 'llama',
      'siesta.port': '8000',
      'siesta.pin': 'false',
      other: 'x',
    });
    expect(base).toEqual({ name: 'llama', container: 'llama-box', port: 8000, pin: false });
    const text = setModelEntry(FILE, 'llama', { idle: '1h' }, base);
    expect(
      text.endsWith(`  - name: llama
    container: llama-box
    port: 8000
    pin: false
    idle: 1h
`),
    ).toBe(true);
    expect(hasModelEntry(text, 'llama')).toBe(true);
    const fresh = setModelEntry('', 'llama', { idle: '1h' }, base);
    expect(
      parseSiestaYaml(fresh, 'siesta.yaml').entries.map((e) => [e.name, e.container, e.idleMs]),
    ).toEqual([['llama', 'llama-box', 3_600_000]]);
    const headerOnly = setModelEntry('# managed by Siesta\nmodels:\n', 'llama', {}, base);
    expect(headerOnly.startsWith('# managed by Siesta\nmodels:\n  - name: llama\n')).toBe(true);
  });

  it('refuses bad values naming the field, and a file that is not YAML, without changing anything', () => {
    expect(() => setModelEntry(FILE, 'chat', { idle: 'soon' }, null)).toThrow(
      'idle: expected a duration',
    );
    expect(() => setModelEntry(FILE, 'chat', { policy: 'lazy' }, null)).toThrow(
      /^policy: expected /,
    );
    expect(() => setModelEntry(FILE, 'chat', { vram: '20G' }, null)).toThrow(
      /^vram: expected a size like 512MiB/,
    );
    expect(() => setModelEntry(FILE, 'chat', { idel: '5m' }, null)).toThrow(
      /^idel: not a field of a model/,
    );
    expect(() => setModelEntry(FILE, 'nobody', { idle: '5m' }, null)).toThrow(
      'name: siesta.yaml has no entry for "nobody"',
    );
    expect(() => setModelEntry('models: [oops', 'chat', { idle: '5m' }, null)).toThrow(
      /^siesta.yaml is not valid YAML/,
    );
  });

  it('removes one entry and keeps the rest with their comments', () => {
    const { text, removed } = removeModelEntry(FILE, 'whisper');
    expect(removed).toBe(true);
    expect(text).toContain('# the chat model');
    expect(text).not.toContain('whisper');
    expect(removeModelEntry(FILE, 'nobody').removed).toBe(false);
  });

  it('writes a doze with its paths, and names the path an http doze lacks before anything is written', () => {
    const base = 'models:\n  - name: chat\n    container: chat\n';
    const vllm = setModelEntry(base, 'chat', { doze: 'vllm' }, null);
    expect(() => checkEditedYaml(base, vllm, 'siesta.yaml')).not.toThrow();
    expect(parseSiestaYaml(vllm, 'siesta.yaml').entries[0]?.doze?.kind).toBe('vllm');
    const half = setModelEntry(base, 'chat', { doze: 'http', dozeSleep: '/sleep' }, null);
    expect(() => checkEditedYaml(base, half, 'siesta.yaml')).toThrow(
      /^dozeWake: siesta\.yaml:2: .*doze http needs its wake path/,
    );
    // A problem the file had before the edit is not the edit's.
    expect(() => checkEditedYaml(half, half, 'siesta.yaml')).not.toThrow();
    expect(() => setModelEntry(base, 'chat', { doze: 'nap' }, null)).toThrow(
      'doze: expected one of vllm, sglang, ollama, cuda-checkpoint, http (or none), got "nap"',
    );
  });
});
