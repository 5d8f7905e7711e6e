// Siesta's own calls to an awake Ollama server: its models (`/api/tags`), what it has loaded (`/api/ps`), its version,
// and unloading one model (`keep_alive: 0`, Ollama's documented way to free a model's memory at once).
import type { Upstream } from '../lifecycle/model-state';
import type { OllamaLoadedModel, OllamaTag } from './ollama-types';
import { loadedOf, tagsOf } from './ollama-types';

/** What the catalog asks of a server; `OllamaServerClient` over HTTP, a stand-in in unit tests. */
export interface OllamaServerApi {
  tags(at: Upstream): Promise<OllamaTag[]>;
  loaded(at: Upstream): Promise<OllamaLoadedModel[]>;
  version(at: Upstream): Promise<string | null>;
  unload(at: Upstream, model: string): Promise<void>;
}

function urlOf(at: Upstream, path: string): string {
  return `http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}${path}`;
}

/** Ollama's API over HTTP; each call gives up after `timeoutMs` (default 5 s) and rejects naming what failed. */
export class OllamaServerClient implements OllamaServerApi {
  constructor(private readonly timeoutMs = 5_000) {}

  async tags(at: Upstream): Promise<OllamaTag[]> {
    return tagsOf(await this.call(at, 'GET', '/api/tags'));
  }

  async loaded(at: Upstream): Promise<OllamaLoadedModel[]> {
    return loadedOf(await this.call(at, 'GET', '/api/ps'));
  }

  async version(at: Upstream): Promise<string | null> {
    const body = (await this.call(at, 'GET', '/api/version')) as { version?: unknown } | null;
    return typeof body?.version === 'string' ? body.version : null;
  }

  async unload(at: Upstream, model: string): Promise<void> {
    await this.call(at, 'POST', '/api/generate', { model, keep_alive: 0 });
  }

  private async call(at: Upstream, method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(urlOf(at, path), {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error: unknown) {
      throw new Error(
        `${method} ${path} at ${at.host}:${at.port} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new Error(
        `${method} ${path} at ${at.host}:${at.port} answered ${response.status}: ${text.slice(0, 200)}`,
      );
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(
        `${method} ${path} at ${at.host}:${at.port} answered something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }
}
