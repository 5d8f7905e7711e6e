// The one API client, as the tray sets it up, against the real control API server (real HTTP, real token checks,
// real event stream).
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlApiServer } from '../api/api-server';
import type { ApiEvent } from '../api/contract';
import { systemClock } from '../clock/clock';
import { EXAMPLE_NOW } from '../tray/testdata/state-examples';
import { SettingsSchema } from '../api/contract';
import { ControlCallError, ControlClient, parseApiEvent } from './control-client';
import type { FakeCore } from './testdata/fake-control-api';
import { TEST_TOKEN, startFakeControlApi, until } from './testdata/fake-control-api';

/** As the tray's shell sets it up. */
const TRAY = { via: 'tray' } as const;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(
  port = 0,
): Promise<{ server: ControlApiServer; core: FakeCore; client: ControlClient }> {
  const api = await startFakeControlApi(port);
  cleanups.push(() => api.close());
  return {
    server: api.server,
    core: api.core,
    client: new ControlClient({ controlUrl: api.server.url, token: TEST_TOKEN }, TRAY),
  };
}

/** Follows the client's event stream until the test ends, keeping what it hears. */
function follow(client: ControlClient): { events: ApiEvent[]; problems: Error[] } {
  const events: ApiEvent[] = [];
  const problems: Error[] = [];
  const subscription = client.subscribe(
    systemClock(),
    (e) => events.push(e),
    (e) => problems.push(e),
  );
  cleanups.push(() => subscription.close());
  return { events, problems };
}

describe('control API client', () => {
  it('reads the state and the settings with its token', async () => {
    const { client } = await startServer();
    const state = await client.state();
    expect(state.models.map((m) => [m.name, m.state])).toEqual([
      ['qwen', 'asleep'],
      ['sdxl', 'ready'],
    ]);
    expect((await client.settings()).notifications).toEqual({
      wake: true,
      ready: true,
      failed: true,
      evicted: true,
    });
  });

  it('wakes, puts to sleep and pauses auto-sleep, saying the tray asked', async () => {
    const { client, core } = await startServer();
    await client.wake('qwen');
    await client.sleep('sdxl');
    await client.setAutoSleepPaused(true);
    await client.setAutoSleepPaused(false);
    expect(core.calls).toEqual([
      'wake qwen by tray',
      'sleep sdxl by tray',
      'auto-sleep paused=true',
      'auto-sleep paused=false',
    ]);
  });

  it('passes on the API error message, naming the call', async () => {
    const { client, server } = await startServer();
    await expect(client.wake('nope')).rejects.toThrow(
      'POST /api/models/nope/wake: 404 no model named "nope"',
    );
    const stranger = new ControlClient(
      { controlUrl: server.url, token: 'wrong-token-0123456789' },
      TRAY,
    );
    await expect(stranger.state()).rejects.toThrow(/^GET \/api\/state: 401 missing or wrong token/);
  });

  it('says where it looked when nothing answers', async () => {
    const { server } = await startServer();
    const url = server.url;
    await server.close();
    await expect(
      new ControlClient({ controlUrl: url, token: TEST_TOKEN }, TRAY).state(),
    ).rejects.toThrow(
      new RegExp(
        `^GET /api/state: the control API at ${url.replace(/[.]/g, '\\.')} did not answer`,
      ),
    );
  });

  it('calls an answer off the contract a bad answer, naming the call', async () => {
    const { client } = await startServer();
    const error: unknown = await client
      .json('GET', '/api/state', SettingsSchema)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlCallError);
    expect(error).toMatchObject({ kind: 'bad-answer', call: 'GET /api/state', status: 0 });
    expect((error as Error).message).toMatch(
      /^GET \/api\/state: the answer is not what this version of Siesta expects/,
    );
  });

  it('skips an event it does not understand, saying so, and reads on', async () => {
    const { client, core } = await startServer();
    const { events, problems } = follow(client);
    await until(() => events.length >= 1, 'the snapshot');
    core.emit({ type: 'thermal', at: EXAMPLE_NOW, celsius: 92 } as unknown as ApiEvent);
    core.emit({ type: 'auto-sleep', at: EXAMPLE_NOW, paused: true });
    await until(() => events.length >= 2, 'the event after the unknown one');
    expect(events[1]).toEqual({ type: 'auto-sleep', at: EXAMPLE_NOW, paused: true });
    expect(problems.map((p) => p.message)).toEqual([
      `the control API sent an event this app does not understand: {"type":"thermal","at":${EXAMPLE_NOW},"celsius":92}`,
    ]);
  });

  it('reads one event as the contract does, and nothing from text that is not one', () => {
    expect(parseApiEvent('{"type":"auto-sleep","at":5,"paused":true}')).toEqual({
      type: 'auto-sleep',
      at: 5,
      paused: true,
    });
    expect(parseApiEvent('{"type":"thermal","at":5}')).toBeNull();
    expect(parseApiEvent('not json')).toBeNull();
  });

  it('follows the event stream: a snapshot first, then each event as it happens', async () => {
    const { client, core } = await startServer();
    const { events, problems } = follow(client);
    await until(() => events.length >= 1, 'the snapshot');
    expect(events[0]?.type).toBe('snapshot');
    core.emit({ type: 'wake-ready', at: EXAMPLE_NOW, model: 'qwen', wakeMs: 1234 });
    await until(() => events.length >= 2, 'the ready event');
    expect(events[1]).toEqual({ type: 'wake-ready', at: EXAMPLE_NOW, model: 'qwen', wakeMs: 1234 });
    expect(problems).toEqual([]);
  });

  it('reconnects when the server comes back, and gets a fresh snapshot', async () => {
    const first = await startServer();
    const port = first.server.port;
    const { events, problems } = follow(first.client);
    await until(() => events.length >= 1, 'the first snapshot');
    await first.server.close();
    await until(() => problems.length >= 1, 'the break to be reported');
    expect(problems[0]?.message).toMatch(
      /event stream \(http:\/\/127\.0\.0\.1:\d+\/api\/events\) (ended|broke)/,
    );
    await startServer(port);
    await until(
      () => events.filter((e) => e.type === 'snapshot').length >= 2,
      'the second snapshot',
    );
  });
});
