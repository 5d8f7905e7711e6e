// The long-lived nvidia-smi reader end to end, over a stand-in nvidia-smi that prints captured lines every few ms like `-lms`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import type { GpuSample } from './gpu-sample';
import { NvidiaSmiStream } from './nvidia-smi-stream';
import type { NvidiaSmiStreamOptions } from './nvidia-smi-stream';
import { selectProbe } from './select-probe';
import { CAPTURES, FAKE_NVIDIA_SMI, fixturePath, waitFor } from './testdata/gpu-fixtures';

let dir: string;
let launchLog: string;
const streams: NvidiaSmiStream[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'siesta-smi-'));
  launchLog = path.join(dir, 'launches.log');
});
afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

function launchesLogged(): number {
  try {
    return readFileSync(launchLog, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function standInEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    FAKE_NVIDIA_SMI_CAPTURE: fixturePath(CAPTURES.h100),
    FAKE_NVIDIA_SMI_LAUNCH_LOG: launchLog,
    ...extra,
  };
}

function startStream(options: Partial<NvidiaSmiStreamOptions> & { env: NodeJS.ProcessEnv }): {
  stream: NvidiaSmiStream;
  ticks: (readonly GpuSample[])[];
  clock: VirtualClock;
} {
  const clock = new VirtualClock();
  const stream = new NvidiaSmiStream({
    clock,
    command: FAKE_NVIDIA_SMI,
    intervalMs: 30,
    restartInitialMs: 100,
    restartMaxMs: 400,
    ...options,
  });
  streams.push(stream);
  const ticks: (readonly GpuSample[])[] = [];
  stream.start((samples) => ticks.push(samples));
  return { stream, ticks, clock };
}

describe('nvidia-smi stream', () => {
  it('reads every GPU of every tick from one long-lived process, never one spawn per tick', async () => {
    const { stream, ticks } = startStream({
      env: standInEnv({ FAKE_NVIDIA_SMI_GPUS: '2', FAKE_NVIDIA_SMI_STATES: 'idle,load' }),
      expectedGpuCount: 2,
    });
    await waitFor('5 ticks', () => ticks.length >= 5);
    expect(ticks[0]!.map((s) => [s.index, s.uuid, s.powerWatts, s.powerKind, s.pstate])).toEqual([
      [0, 'GPU-00000000-0000-0000-0000-000000000000', 69.85, 'average', 'P0'],
      [1, 'GPU-00000000-0000-0000-0000-000000000001', 69.85, 'average', 'P0'],
    ]);
    expect(ticks[1]!.map((s) => [s.powerWatts, s.vramUsedBytes, s.utilizationPercent])).toEqual([
      [631.95, 19818 * 1024 * 1024, 100],
      [631.95, 19818 * 1024 * 1024, 100],
    ]);
    expect(launchesLogged()).toBe(1);
    const pid = stream.state().pid!;
    expect(stream.state()).toMatchObject({ running: true, launches: 1, lastError: null });
    await stream.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(stream.state().running).toBe(false);
  });

  it('learns how many GPUs a tick has from the first full cycle when nobody said', async () => {
    const { ticks } = startStream({ env: standInEnv({ FAKE_NVIDIA_SMI_GPUS: '3' }) });
    await waitFor('3 ticks', () => ticks.length >= 3);
    expect(ticks.slice(0, 3).map((t) => t.map((s) => s.index))).toEqual([
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });

  it('puts lines back together when they arrive split across chunks with CRLF endings (Windows)', async () => {
    const chunks: string[] = [];
    const spy: typeof spawn = ((
      command: string,
      args: readonly string[],
      options: Parameters<typeof spawn>[2],
    ) => {
      const child = spawn(command, args, options);
      child.stdout?.on('data', (chunk: Buffer | string) => chunks.push(chunk.toString()));
      return child;
    }) as typeof spawn;
    const env = standInEnv({
      FAKE_NVIDIA_SMI_CAPTURE: fixturePath(CAPTURES.rtx2080Windows),
      FAKE_NVIDIA_SMI_CRLF: '1',
      FAKE_NVIDIA_SMI_SPLIT: '1',
    });
    const { ticks } = startStream({ env, expectedGpuCount: 1, spawn: spy });
    await waitFor('3 ticks', () => ticks.length >= 3);
    expect(chunks.some((c) => !c.endsWith('\n'))).toBe(true);
    expect(chunks.join('')).toContain('\r\n');
    for (const [sample] of ticks.slice(0, 3)) {
      expect(sample).toMatchObject({
        name: 'NVIDIA GeForce RTX 2080 SUPER',
        pstate: 'P8',
        powerWatts: 39.25,
        powerKind: 'instant',
        temperatureC: 40,
      });
    }
  });

  it('restarts with a doubling backoff while it keeps failing, and from the first delay again after a healthy run', async () => {
    const env = standInEnv({});
    delete env.FAKE_NVIDIA_SMI_CAPTURE;
    const { stream, ticks, clock } = startStream({ env, expectedGpuCount: 1 });
    const restartIn = (ms: number, launches: number) =>
      waitFor(
        `restart in ${ms} ms after launch ${launches}`,
        () => stream.state().launches === launches && stream.state().restartInMs === ms,
      );
    await restartIn(100, 1);
    expect(stream.state().lastError).toMatch(
      /exited with code 9: FAKE_NVIDIA_SMI_CAPTURE is not set/,
    );
    await clock.advance(99);
    expect(stream.state().launches).toBe(1);
    await clock.advance(1);
    await restartIn(200, 2);
    await clock.advance(200);
    await restartIn(400, 3);
    await clock.advance(400);
    await restartIn(400, 4);

    // The driver comes back: the next run streams, then exits; the delay starts over.
    env.FAKE_NVIDIA_SMI_CAPTURE = fixturePath(CAPTURES.h100);
    env.FAKE_NVIDIA_SMI_EXIT_AFTER = '2';
    env.FAKE_NVIDIA_SMI_EXIT_CODE = '1';
    await clock.advance(400);
    await restartIn(100, 5);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks[0]![0]!.powerWatts).toBe(69.85);
    expect(stream.state().lastError).toMatch(/exited with code 1/);
    await clock.advance(100);
    await waitFor(
      'a sixth launch streaming',
      () => stream.state().launches === 6 && ticks.length >= 3,
    );
    expect(launchesLogged()).toBe(6);
  });

  it('drops fields an older driver does not know and asks again at once', async () => {
    const env = standInEnv({
      FAKE_NVIDIA_SMI_UNKNOWN_FIELDS: 'power.draw.average,power.draw.instant',
    });
    const { stream, ticks, clock } = startStream({ env, expectedGpuCount: 1 });
    await waitFor(
      'the first field dropped',
      () =>
        stream.state().restartInMs === 0 && !stream.state().fields.includes('power.draw.average'),
    );
    expect(stream.state().lastError).toMatch(/does not know the field "power.draw.average"/);
    await clock.advance(0);
    await waitFor(
      'the second field dropped',
      () => stream.state().launches === 2 && stream.state().restartInMs === 0,
    );
    await clock.advance(0);
    await waitFor('a tick', () => ticks.length >= 1);
    expect(stream.state().fields).not.toContain('power.draw.instant');
    expect(stream.state().fields).toContain('power.draw');
    // Without the average field the kind of power.draw cannot be told.
    expect(ticks[0]![0]).toMatchObject({ powerWatts: 69.85, powerKind: null, pstate: 'P0' });
  });

  it('says so when the driver lacks a field a sample cannot do without', async () => {
    const { stream } = startStream({
      env: standInEnv({ FAKE_NVIDIA_SMI_UNKNOWN_FIELDS: 'uuid' }),
      expectedGpuCount: 1,
    });
    await waitFor('a scheduled restart', () => stream.state().restartInMs === 100);
    expect(stream.state().lastError).toMatch(/does not know the required field "uuid"/);
    expect(stream.state().fields).toContain('uuid');
  });
});

describe('nvidia-smi probe', () => {
  it('is chosen when NVML is missing, streams samples, and lists processes at most once per interval', async () => {
    const clock = new VirtualClock();
    const env = standInEnv({ FAKE_NVIDIA_SMI_STATES: 'load' });
    const selection = await selectProbe({
      clock,
      intervalMs: 30,
      loadNvml: () =>
        Promise.reject(
          new Error('NVML could not be loaded (libnvidia-ml.so.1: cannot open shared object file)'),
        ),
      nvidiaSmiCommand: FAKE_NVIDIA_SMI,
      nvidiaSmiEnv: env,
    });
    expect(selection.backend).toBe('nvidia-smi');
    expect(selection.tried).toEqual([
      'NVML could not be loaded (libnvidia-ml.so.1: cannot open shared object file)',
    ]);
    const probe = selection.probe;
    const ticks: (readonly GpuSample[])[] = [];
    await probe.start((samples) => ticks.push(samples));
    try {
      await waitFor('2 ticks', () => ticks.length >= 2);
      expect(probe.status()).toEqual({
        backend: 'nvidia-smi',
        gpuCount: 1,
        lastError: null,
        lastSampleAt: ticks[ticks.length - 1]![0]!.at,
      });
      const processes = await probe.processes();
      expect(processes.map((p) => [p.gpuIndex, p.pid, p.processName, p.vramBytes])).toEqual([
        [0, 11327, '/root/tools/memhog', 2566 * 1024 * 1024],
        [0, 11328, '/root/tools/memhog', 1542 * 1024 * 1024],
        [0, 11345, './gpu_burn', 15690 * 1024 * 1024],
      ]);
      // Detection, the stream, one process query.
      expect(launchesLogged()).toBe(3);
      await clock.advance(9_999);
      await probe.processes();
      expect(launchesLogged()).toBe(3);
      await clock.advance(1);
      await probe.processes();
      expect(launchesLogged()).toBe(4);
    } finally {
      await probe.stop();
    }
  });
});
