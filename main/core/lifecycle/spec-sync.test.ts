// SpecSync over the in-memory engine: labels and siesta.yaml merged at start, and a re-read siesta.yaml applied.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { MemoryRuntime } from '../docker/testdata/memory-runtime';
import type { ModelSpec } from '../config/model-spec';
import { parseSiestaYaml } from '../config/siesta-yaml';
import { SpecSync, type EngineState } from './spec-sync';
import type { ContainerRuntime } from '../docker/container-runtime';

function rig(yamlText: string, options: { engineDown?: boolean; deafToEvents?: boolean } = {}) {
  const clock = new VirtualClock();
  const runtime = new MemoryRuntime({ clock });
  if (options.engineDown) runtime.setEngineDown(true);
  runtime.add({ name: 'c-flux', labels: { 'siesta.enable': 'true', 'siesta.name': 'flux' } });
  const seen: (readonly ModelSpec[])[] = [];
  const problems: string[] = [];
  const engine: EngineState[] = [];
  // A runtime whose event stream never says anything: the engine's return must be found without a `reconnected`.
  const watched: ContainerRuntime = options.deafToEvents
    ? new Proxy(runtime, {
        get: (target, key) =>
          key === 'watch' ? () => () => undefined : (Reflect.get(target, key, target) as unknown),
      })
    : runtime;
  const sync = new SpecSync({
    clock,
    runtime: watched,
    yaml: parseSiestaYaml(yamlText, 'siesta.yaml'),
    onSpecs: (specs) => seen.push(specs),
    onProblem: (line) => problems.push(line),
    onEngine: (state) => engine.push(state),
  });
  return { sync, seen, problems, clock, runtime, engine };
}

const names = (specs: readonly ModelSpec[] | undefined) => (specs ?? []).map((s) => s.name).sort();

describe('SpecSync', () => {
  it('applies a re-read siesta.yaml: new entries appear, removed ones go, changed fields change', async () => {
    const { sync, seen } = rig('models:\n  - name: qwen\n    container: c-qwen\n    idle: 15m\n');
    expect(names((await sync.start()).specs)).toEqual(['flux', 'qwen']);

    const next = await sync.setYaml(
      parseSiestaYaml(
        'models:\n  - name: qwen\n    container: c-qwen\n    idle: 2m\n  - name: kokoro\n',
        'siesta.yaml',
      ),
    );
    expect(names(next)).toEqual(['flux', 'kokoro', 'qwen']);
    expect(next.find((s) => s.name === 'qwen')?.idleMs).toBe(120_000);
    expect(seen.at(-1)).toBe(next);

    expect(names(await sync.setYaml(parseSiestaYaml('models: []\n', 'siesta.yaml')))).toEqual([
      'flux',
    ]);
    sync.stop();
  });

  it('reports the problems of each re-read file afresh, naming the line', async () => {
    const bad = 'models:\n  - name: qwen\n    idle: soon\n';
    const { sync, problems } = rig(bad);
    await sync.start();
    expect(problems).toEqual([expect.stringMatching(/^siesta\.yaml:3.*idle/)]);
    await sync.setYaml(parseSiestaYaml(bad, 'siesta.yaml'));
    expect(problems).toHaveLength(2);
    sync.stop();
  });

  it('starts with no models while the engine does not answer, and finds them when it does', async () => {
    const { sync, seen, problems, clock, runtime, engine } = rig('models: []\n', {
      engineDown: true,
    });
    const start = await sync.start();
    expect(start.specs).toEqual([]);
    expect(start.engineAway).toMatch(/ECONNREFUSED/);
    expect(seen).toEqual([[]]);
    expect(engine).toEqual([
      {
        reachable: false,
        detail: expect.stringMatching(/ECONNREFUSED/) as unknown,
        since: clock.now(),
      },
    ]);

    runtime.setEngineDown(false);
    await clock.advance(1_000);
    expect(names(seen.at(-1))).toEqual(['flux']);
    expect(engine.at(-1)).toEqual({ reachable: true, detail: null, since: null });
    expect(problems).toEqual([]);
    sync.stop();
  });

  it('finds the models of an engine that comes back without a word on its event stream, by retrying', async () => {
    const { sync, seen, problems, clock, runtime, engine } = rig('models: []\n', {
      engineDown: true,
      deafToEvents: true,
    });
    await sync.start();
    await clock.advance(5_000);
    expect(seen.every((specs) => specs.length === 0)).toBe(true);
    expect(problems).toEqual([]);

    runtime.setEngineDown(false);
    await clock.advance(10_000);
    expect(names(seen.at(-1))).toEqual(['flux']);
    expect(engine.map((e) => e.reachable)).toEqual([false, true]);
    sync.stop();
  });
});
