// A control API core with scripted models, behind the real ControlApiServer: for the client and the tray shell's tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlApiServer } from '../../api/api-server';
import type { ApiEvent, StateResponse, Via } from '../../api/contract';
import type { ControlCore } from '../../api/control-core';
import { WakeError } from '../../lifecycle/lifecycle-api';
import { SettingsStore } from '../../settings/settings-store';
import { exampleModel, exampleState } from '../../tray/testdata/state-examples';

/** The token the test servers use. */
export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** A core whose calls are recorded and whose events the test sends. */
export interface FakeCore extends ControlCore {
  readonly calls: string[];
  emit(event: ApiEvent): void;
}

/** qwen asleep and sdxl awake; wake and sleep only record who asked. */
export function fakeCore(dataDir: string): FakeCore {
  let state: StateResponse = exampleState({
    models: [exampleModel('qwen'), exampleModel('sdxl', { state: 'ready' })],
  });
  const listeners = new Set<(event: ApiEvent) => void>();
  const calls: string[] = [];
  const known = (name: string): void => {
    if (!state.models.some((m) => m.name === name))
      throw new WakeError('unknown-model', `no model named "${name}"`, name);
  };
  return {
    calls,
    settings: SettingsStore.open(dataDir),
    state: () => state,
    wake: (name: string, via: Via) => {
      known(name);
      calls.push(`wake ${name} by ${via}`);
      return Promise.resolve();
    },
    sleep: (name: string, via: Via) => {
      known(name);
      calls.push(`sleep ${name} by ${via}`);
      return Promise.resolve();
    },
    unload: (server: string, model: string) => {
      known(server);
      calls.push(`unload ${model} from ${server}`);
      return Promise.resolve();
    },
    pin: () => undefined,
    setAutoSleepPaused: (paused: boolean) => {
      calls.push(`auto-sleep paused=${paused}`);
      state = { ...state, autoSleepPaused: paused };
    },
    history: () => {
      throw new Error('the tray does not read the history');
    },
    historyCsv: () => '',
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event) => {
      for (const listener of listeners) listener(event);
    },
  };
}

/** A listening server over a fake core; `close()` stops it and removes its data dir. */
export async function startFakeControlApi(
  port = 0,
): Promise<{ server: ControlApiServer; core: FakeCore; dataDir: string; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'siesta-tray-'));
  const core = fakeCore(dataDir);
  const server = new ControlApiServer({
    core,
    token: TEST_TOKEN,
    port,
    heartbeatMs: 60_000,
    onError: () => undefined,
  });
  await server.listen();
  return {
    server,
    core,
    dataDir,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `condition` holds (5 s at most), naming what it waited for. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
