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

  it('takes an engine added while running and drops one removed, with what it ran, its GPU numbers never reused', async () => {
    const { clock, set, far } = twoEngines();
    const events: RuntimeEvent[] = [];
    set.watch((e) => events.push(e));
    await set.discover();
    const [home, gpu2] = [set.member('home'), set.member('gpu2')];
    if (!home || !gpu2) throw new Error('both engines should be members');
    const third = new MemoryRuntime({ clock });
    third.add({ name: 'whisper', labels: { 'siesta.enable': 'true' }, gpuIndexes: [0] });
    const gpu3 = {
      name: 'gpu3',
      address: 'ssh://siesta@gpu3.lan',
      kind: 'docker' as const,
      runtime: third,
      upstreamHost: 'gpu3.lan',
      remote: true,
    };

    const change = set.setMembers([home, gpu3]);
    expect(change.added.map((e) => e.name)).toEqual(['gpu3']);
    expect(change.removed).toEqual([
      { engine: expect.objectContaining({ name: 'gpu2' }) as unknown, workloads: ['gpu2/chat'] },
    ]);
    expect(set.statuses().map((s) => s.name)).toEqual(['home', 'gpu3']);
    // gpu3 takes the next slot, not gpu2's: index 100 stays gpu2's in the ledger's history.
    expect((await set.discover()).map((c) => [c.name, c.gpuIndexes])).toEqual([
      ['chat', [0]],
      ['gpu3/whisper', [2 * GPU_INDEX_STRIDE]],
    ]);
    // The added engine is watched; the removed one no longer reaches the listener.
    await set.start('gpu3/whisper');
    await Promise.resolve();
    expect(events.some((e) => e.kind === 'container' && e.name === 'gpu3/whisper')).toBe(true);
    const before = events.length;
    await far.start('chat');
    await Promise.resolve();
    expect(events.length).toBe(before);
    await expect(set.start('gpu2/chat')).rejects.toThrow(
      'names engine "gpu2", which is not in siesta.yaml\'s engines: (home, gpu3)',
    );
  });

  it('refuses to change the first engine while running, and keeps the engines it had', () => {
    const { set } = twoEngines();
    const gpu2 = set.member('gpu2');
    if (!gpu2) throw new Error('gpu2 should be a member');
    expect(() => set.setMembers([gpu2])).toThrow(
      'the first engine ("home") cannot change while Siesta runs',
    );
    expect(set.statuses().map((s) => s.name)).toEqual(['home', 'gpu2']);
  });
});
