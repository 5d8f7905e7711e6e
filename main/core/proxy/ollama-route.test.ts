import { describe, expect, it } from 'vitest';
import { isUnloadOnly, psAnswer, tagsAnswer } from './ollama-lists';
import { ollamaEndpointOf } from './ollama-route';
import { routeRequest } from './route-request';

const tag = (name: string) => ({
  name,
  model: name,
  modified_at: '',
  size: 1,
  digest: 'd',
  details: {},
});

describe("Ollama's paths on the gateway", () => {
  it('answers the lists itself and routes the POSTs that name a model', () => {
    expect(ollamaEndpointOf('GET', '/api/tags')).toEqual({ kind: 'tags' });
    expect(ollamaEndpointOf('HEAD', '/api/version')).toEqual({ kind: 'version' });
    expect(ollamaEndpointOf('GET', '/api/ps')).toEqual({ kind: 'ps' });
    for (const name of ['chat', 'generate', 'embed', 'embeddings', 'show'] as const)
      expect(ollamaEndpointOf('POST', `/api/${name}`)).toEqual({ kind: 'by-model', name });
    expect(ollamaEndpointOf('POST', '/api/pull')).toEqual({
      kind: 'not-routed',
      path: '/api/pull',
    });
    expect(ollamaEndpointOf('GET', '/api/chat')).toEqual({ kind: 'not-routed', path: '/api/chat' });
    expect(ollamaEndpointOf('POST', '/v1/chat/completions')).toBeNull();
  });

  it('routes /api/ on the main port only: a model port or NAME/ path goes to the model as it is', () => {
    const input = {
      localPort: 11400,
      localhostModel: null,
      modelNamed: (n: string) => (n === 'comfy' ? n : undefined),
    };
    expect(
      routeRequest({ ...input, dedicatedModel: null, method: 'GET', url: '/api/tags?x=1' }),
    ).toEqual({ kind: 'ollama', endpoint: { kind: 'tags' } });
    expect(
      routeRequest({ ...input, dedicatedModel: 'ollama', method: 'GET', url: '/api/tags' }).kind,
    ).toBe('model');
    expect(
      routeRequest({ ...input, dedicatedModel: null, method: 'POST', url: '/comfy/api/prompt' })
        .kind,
    ).toBe('model');
  });

  it('lists a model two servers have once, and what every awake server loaded', () => {
    const answer = tagsAnswer([
      { server: 'a', tag: tag('llama3.2:1b') },
      { server: 'b', tag: tag('llama3.2:1b') },
      { server: 'b', tag: tag('qwen:7b') },
    ]);
    expect(answer.models.map((m) => m.name)).toEqual(['llama3.2:1b', 'qwen:7b']);
    const loaded = { ...tag('x'), expires_at: '', size_vram: 5 };
    expect(psAnswer([[loaded], [], [{ ...loaded, name: 'y' }]]).models.map((m) => m.name)).toEqual([
      'x',
      'y',
    ]);
  });

  it('knows an unload request (keep_alive 0, nothing to generate) from a real one', () => {
    expect(isUnloadOnly({ model: 'x', keep_alive: 0 })).toBe(true);
    expect(isUnloadOnly({ model: 'x', keep_alive: '0', messages: [] })).toBe(true);
    expect(isUnloadOnly({ model: 'x', keep_alive: 0, prompt: 'hi' })).toBe(false);
    expect(isUnloadOnly({ model: 'x', prompt: '' })).toBe(false);
  });
});
