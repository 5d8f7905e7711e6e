import { describe, expect, it } from 'vitest';
import { routeRequest } from './route-request';
import type { RouteInput } from './route-request';

const names = new Set(['qwen', 'comfy', 'whisper']);
function input(overrides: Partial<RouteInput>): RouteInput {
  return {
    dedicatedModel: null,
    localPort: 11400,
    localhostModel: null,
    method: 'GET',
    url: '/',
    modelNamed: (name) => (names.has(name) ? name : undefined),
    ...overrides,
  };
}

describe('routing a request to its model', () => {
  it('takes the dedicated port before the host, the path and the model field', () => {
    expect(
      routeRequest(
        input({
          dedicatedModel: 'whisper',
          localPort: 11434,
          localhostModel: 'comfy',
          url: '/qwen/v1/x',
          method: 'POST',
        }),
      ),
    ).toEqual({
      kind: 'model',
      model: 'whisper',
      route: 'port',
      detail: '11434',
      path: '/qwen/v1/x',
      prefix: '',
    });
  });

  it('takes NAME.localhost before the path prefix, and keeps the path', () => {
    expect(routeRequest(input({ localhostModel: 'comfy', url: '/qwen/x' }))).toMatchObject({
      model: 'comfy',
      route: 'host',
      detail: 'comfy.localhost',
      path: '/qwen/x',
    });
  });

  it('strips the path prefix /NAME/ and keeps the query', () => {
    expect(routeRequest(input({ url: '/qwen/v1/chat/completions?x=1', method: 'POST' }))).toEqual({
      kind: 'model',
      model: 'qwen',
      route: 'path',
      detail: '/qwen/',
      path: '/v1/chat/completions?x=1',
      prefix: '/qwen',
    });
  });

  it('sends a browser at /NAME to /NAME/ so relative links work', () => {
    expect(routeRequest(input({ url: '/comfy' }))).toEqual({
      kind: 'redirect',
      location: '/comfy/',
    });
    expect(routeRequest(input({ url: '/comfy?a=b' }))).toEqual({
      kind: 'redirect',
      location: '/comfy/?a=b',
    });
  });

  it('reads the model field only for POST /v1/ on the main port', () => {
    expect(routeRequest(input({ url: '/v1/chat/completions', method: 'POST' }))).toEqual({
      kind: 'model-field',
      path: '/v1/chat/completions',
    });
    expect(routeRequest(input({ url: '/v1/chat/completions', method: 'GET' }))).toEqual({
      kind: 'unrouted',
    });
    expect(routeRequest(input({ url: '/other', method: 'POST' }))).toEqual({ kind: 'unrouted' });
  });

  it('answers the model list itself on the main port', () => {
    expect(routeRequest(input({ url: '/v1/models' }))).toEqual({ kind: 'models-list' });
    expect(routeRequest(input({ url: '/v1/models/qwen%2Fchat' }))).toEqual({
      kind: 'model-info',
      id: 'qwen/chat',
    });
    expect(routeRequest(input({ url: '/qwen/v1/models' }))).toMatchObject({
      kind: 'model',
      model: 'qwen',
      path: '/v1/models',
    });
  });

  it('serves the waiting page status on every port, before routing', () => {
    expect(routeRequest(input({ dedicatedModel: 'qwen', url: '/__siesta/status/comfy' }))).toEqual({
      kind: 'status',
      model: 'comfy',
    });
  });

  it('does not take a path segment that is no model name', () => {
    expect(routeRequest(input({ url: '/qwenx/v1/models' }))).toEqual({ kind: 'unrouted' });
    expect(routeRequest(input({ url: '/' }))).toEqual({ kind: 'unrouted' });
  });
});
