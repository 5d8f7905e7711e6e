// The engine set's pure logic on two in-memory engines: refs of the second engine read ENGINE/ref, its GPUs are
// numbered apart, its models are dialled on its host, and its outage is its own: listed as last seen, failed at once.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import type { RuntimeEvent } from '../docker/container-runtime';
import { MemoryRuntime } from '../docker/testdata/memory-runtime';
import { EngineAwayError, EngineSetRuntime, GPU_INDEX_STRIDE } from './engine-set';
import { namesOnEngine } from './build-engine-set';

function twoEngines() {
  const clock = new VirtualClock();
  const home = new MemoryRuntime({ clock });
  const far = new MemoryRuntime({ clock });
  home.add({ name: 'chat', labels: { 'siesta.enable': 'true' }, gpuIndexes: [0] });
  far.add({ name: 'chat', labels: { 'siesta.enable': 'true' }, gpuIndexes: [0, 1] });
  const statuses: string[] = [];
  const set = new EngineSetRuntime({
    clock,
    members: [
      {
        name: 'home',
        address: 'unix:///var/run/docker.sock',
        kind: 'docker',
        runtime: home,
        upstreamHost: undefined,
        remote: false,
      },
      {
        name: 'gpu2',
        address: 'tcp://10.0.0.12:2376',
        kind: 'docker',
        runtime: far,
        upstreamHost: '10.0.0.12',
        remote: true,
      },
    ],
    onStatus: (s) =>
      statuses.push(`${s.name} ${s.reachable ? 'answers' : `away: ${s.detail ?? ''}`}`),
  });
  return { clock, home, far, set, statuses };
}

describe('several engines as one provider', () => {
  it('names the second engine’s containers ENGINE/NAME, numbers its GPUs apart and dials them on its host', async () => {
    const { set } = twoEngines();
    const found = await set.discover();
    expect(found.map((c) => [c.name, c.engine, c.gpuIndexes, c.upstreamHost])).toEqual([
      ['chat', 'home', [0], undefined],
      ['gpu2/chat', 'gpu2', [GPU_INDEX_STRIDE, GPU_INDEX_STRIDE + 1], '10.0.0.12'],
    ]);
    await set.start('gpu2/chat');
    expect((await set.inspect('gpu2/chat'))?.running).toBe(true);
    expect((await set.inspect('chat'))?.running).toBe(false);
    // Host PIDs of another machine mean nothing to this machine's GPU probe.
    expect(await set.pids('gpu2/chat')).toEqual([]);
  });

  it('keeps a remote engine’s models while it is away and fails their calls at once, naming the engine', async () => {
    const { set, far, statuses } = twoEngines();
    const events: RuntimeEvent[] = [];
    const stop = set.watch((e) => events.push(e));
    await set.discover();
    far.setEngineDown(true);
    await Promise.resolve(); // the memory engine delivers events in a microtask
    expect(set.statuses().map((s) => [s.name, s.reachable])).toEqual([
      ['home', true],
      ['gpu2', false],
    ]);
    // Its outage is its own: the daemon's "the Docker Engine does not answer" is the first engine's alone.
    expect(events.filter((e) => e.kind === 'disconnected')).toEqual([]);
    expect((await set.discover()).map((c) => c.name)).toEqual(['chat', 'gpu2/chat']);
    const error = await set.start('gpu2/chat').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineAwayError);
    expect((error as Error).message).toMatch(
      /^engine "gpu2" \(tcp:\/\/10\.0\.0\.12:2376\) does not answer since .* \(engine stopped\): cannot start "chat"$/,
    );
    far.setEngineDown(false);
    await Promise.resolve();
    expect(events.at(-1)).toMatchObject({ kind: 'reconnected' });
    await set.start('gpu2/chat');
    expect(statuses).toEqual(['gpu2 away: engine stopped', 'gpu2 answers']);
    stop();
  });

  it('refuses a ref that names an engine siesta.yaml does not have', async () => {
    const { set } = twoEngines();
    await expect(set.inspect('gpu9/chat')).rejects.toThrow(
      '"gpu9/chat" names engine "gpu9", which is not in siesta.yaml\'s engines: (home, gpu2)',
    );
  });

  it('hands each engine the siesta.yaml names that are on it', () => {
    const names = ['llama', 'gpu2/whisper', 'gpu3/flux'];
    expect(namesOnEngine(names, 'home', true)).toEqual(['llama']);
    expect(namesOnEngine(names, 'gpu2', false)).toEqual(['whisper']);
  });
});
