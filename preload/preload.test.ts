// The page gets exactly { apiBaseUrl, token } from the main process, and only a page of our origin gets it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BridgeRequest } from '../main/app/bridge-handler';
import { BRIDGE_CHANNEL as MAIN_CHANNEL, handleBridgeRequests } from '../main/app/bridge-handler';

const exposed = new Map<string, unknown>();
const replies: unknown[] = [];

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    sendSync: (channel: string) => (channel === 'siesta:bridge' ? replies.shift() : undefined),
  },
}));

const ORIGIN = 'http://127.0.0.1:11401';

/** A fake ipcMain: the handler registers, the "preload" asks from a frame at `url`. */
function askFrom(url: string | null): unknown {
  let listener: ((event: BridgeRequest) => void) | undefined;
  handleBridgeRequests(
    { on: (channel, l) => (channel === MAIN_CHANNEL ? (listener = l) : undefined) },
    { apiBaseUrl: ORIGIN, token: 's3cret' },
  );
  const event: BridgeRequest = {
    senderFrame: url === null ? null : { url },
    returnValue: undefined,
  };
  listener?.(event);
  return event.returnValue;
}

describe('preload bridge', () => {
  beforeEach(() => {
    exposed.clear();
    vi.resetModules();
  });

  it('exposes window.siesta with the API address and token, frozen, and nothing else', async () => {
    replies.push(askFrom(`${ORIGIN}/`));
    const preload = await import('./index.js');
    expect([...exposed.keys()]).toEqual(['siesta']);
    const bridge = exposed.get('siesta');
    expect(bridge).toEqual({ apiBaseUrl: ORIGIN, token: 's3cret' });
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(preload.BRIDGE_CHANNEL).toBe(MAIN_CHANNEL);
  });

  it('gives the token to no page of another origin, and the preload then refuses to load', async () => {
    expect(askFrom('https://evil.example/')).toBeNull();
    expect(askFrom('file:///tmp/index.html')).toBeNull();
    expect(askFrom(null)).toBeNull();
    replies.push(askFrom('http://127.0.0.1:11400/'));
    await expect(import('./index.js')).rejects.toThrow(
      /gave no API address and token on "siesta:bridge"/,
    );
    expect(exposed.size).toBe(0);
  });

  it('rejects a malformed answer with what was wrong', async () => {
    replies.push({ apiBaseUrl: 'ftp://x', token: 't' });
    await expect(import('./index.js')).rejects.toThrow(
      /apiBaseUrl must be an http\(s\) URL, got "ftp:\/\/x"/,
    );
    vi.resetModules();
    replies.push({ apiBaseUrl: ORIGIN, token: '' });
    await expect(import('./index.js')).rejects.toThrow(/token is missing or empty/);
  });

  it('requires nothing but electron at run time, as a sandboxed preload must', () => {
    const source = readFileSync(join(__dirname, 'index.ts'), 'utf8');
    const compiled = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    expect([...compiled.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual([
      'electron',
    ]);
  });
});
