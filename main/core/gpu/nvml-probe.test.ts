// The NVML probe: per-field "not supported" as null, power kind by architecture, energy in joules, and the real koffi binding over a stand-in libnvidia-ml.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import type { GpuSample } from './gpu-sample';
import {
  NVML_ERROR_FUNCTION_NOT_FOUND,
  NVML_ERROR_GPU_IS_LOST,
  NVML_ERROR_NOT_SUPPORTED,
} from './nvml-api';
import type { NvmlApi, NvmlResult } from './nvml-api';
import { loadNvml, nvmlLibraryCandidates } from './nvml-binding';
import { NvmlProbe, pstateName } from './nvml-probe';
import { selectProbe } from './select-probe';
import { FAKE_NVML_SOURCE } from './testdata/gpu-fixtures';

const MIB = 1024 * 1024;
const ok = <T>(value: T): NvmlResult<T> => ({ ok: true, value });
const fail = (code: number): NvmlResult<never> => ({ ok: false, code });

/** A fake NVML: GPU 0 a Turing card with no energy counter, GPU 1 an H100, GPU 2 an A100 whose power read fails. */
function fakeApi(overrides: Partial<NvmlApi> = {}): NvmlApi & { shutdowns: number } {
  const gpus = [
    {
      name: 'NVIDIA GeForce RTX 2080 SUPER',
      arch: 6,
      power: 39170,
      energy: null,
      memory: { usedBytes: 211 * MIB, totalBytes: 8192 * MIB },
    },
    {
      name: 'NVIDIA H100 80GB HBM3',
      arch: 9,
      power: 69850,
      energy: 5_000_000,
      memory: { usedBytes: 0, totalBytes: 81559 * MIB },
    },
    { name: 'NVIDIA A100-SXM4-80GB', arch: 7, power: null, energy: 7_500, memory: null },
  ];
  const api = {
    libraryPath: 'fake',
    shutdowns: 0,
    deviceCount: () => ok(gpus.length),
    name: (i: number) => ok(gpus[i]!.name),
    uuid: (i: number) => ok(`GPU-${i}`),
    memory: (i: number) => (gpus[i]!.memory ? ok(gpus[i]!.memory) : fail(NVML_ERROR_NOT_SUPPORTED)),
    powerMilliwatts: (i: number) =>
      gpus[i]!.power === null ? fail(NVML_ERROR_GPU_IS_LOST) : ok(gpus[i]!.power),
    energyMillijoules: (i: number) =>
      gpus[i]!.energy === null ? fail(NVML_ERROR_NOT_SUPPORTED) : ok(gpus[i]!.energy),
    enforcedPowerLimitMilliwatts: () => ok(250_000),
    performanceState: (i: number) => ok(i === 2 ? 32 : 8),
    utilization: () => ok({ gpuPercent: 3, memoryPercent: 1 }),
    temperatureC: () => ok(40),
    architecture: (i: number) => ok(gpus[i]!.arch),
    computeProcesses: (i: number) => ok(i === 1 ? [{ pid: 4242, usedBytes: 15690 * MIB }] : []),
    errorString: (code: number) =>
      code === NVML_ERROR_GPU_IS_LOST ? 'GPU is lost (15)' : `error ${code}`,
    shutdown() {
      api.shutdowns++;
    },
    ...overrides,
  };
  return api;
}

async function oneTick(probe: NvmlProbe, clock: VirtualClock): Promise<readonly GpuSample[]> {
  const ticks: (readonly GpuSample[])[] = [];
  await probe.start((s) => ticks.push(s));
  await clock.advance(0);
  expect(ticks).toHaveLength(1);
  return ticks[0]!;
}

describe('NVML probe', () => {
  it('reads each field, giving null where the GPU does not support it and naming other errors in the status', async () => {
    const clock = new VirtualClock();
    const api = fakeApi();
    const probe = new NvmlProbe({ api, clock });
    const [turing, h100, a100] = await oneTick(probe, clock);
    expect(turing).toMatchObject({
      name: 'NVIDIA GeForce RTX 2080 SUPER',
      powerWatts: 39.17,
      powerKind: 'instant',
      energyJoules: null,
      pstate: 'P8',
      vramUsedBytes: 211 * MIB,
      powerLimitWatts: 250,
    });
    expect(h100).toMatchObject({
      powerWatts: 69.85,
      powerKind: 'average',
      energyJoules: 5000,
      vramUsedBytes: 0,
      vramTotalBytes: 81559 * MIB,
      utilizationPercent: 3,
      temperatureC: 40,
    });
    expect(a100).toMatchObject({
      powerWatts: null,
      powerKind: null,
      energyJoules: 7.5,
      vramUsedBytes: null,
      vramTotalBytes: null,
      pstate: null,
    });
    expect(probe.status()).toEqual({
      backend: 'nvml',
      gpuCount: 3,
      lastError: 'nvmlDeviceGetPowerUsage on GPU 2: GPU is lost (15)',
      lastSampleAt: clock.now(),
    });
    await probe.stop();
    expect(api.shutdowns).toBe(1);
  });

  it('samples once per interval on the clock and clears the error when reads succeed again', async () => {
    const clock = new VirtualClock();
    let lost = true;
    const api = fakeApi({
      powerMilliwatts: (i) => (lost && i === 2 ? fail(NVML_ERROR_GPU_IS_LOST) : ok(100_000)),
    });
    const ticks: (readonly GpuSample[])[] = [];
    const probe = new NvmlProbe({ api, clock, intervalMs: 1000 });
    await probe.start((s) => ticks.push(s));
    await clock.advance(0);
    expect(probe.status().lastError).toMatch(/GPU is lost/);
    lost = false;
    await clock.advance(2999);
    expect(ticks.map((t) => t[0]!.at - ticks[0]![0]!.at)).toEqual([0, 1000, 2000]);
    expect(probe.status().lastError).toBeNull();
    await probe.stop();
  });

  it('treats a call this driver lacks like an unsupported field, and lists processes at a lower rate', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const api = fakeApi({
      powerMilliwatts: () => ok(50_000),
      architecture: () => fail(NVML_ERROR_FUNCTION_NOT_FOUND),
      computeProcesses: (i) => {
        calls++;
        return ok(i === 1 ? [{ pid: 4242, usedBytes: null }] : []);
      },
    });
    const probe = new NvmlProbe({ api, clock, processIntervalMs: 10_000 });
    const [turing] = await oneTick(probe, clock);
    expect(turing?.powerKind).toBeNull();
    expect(probe.status().lastError).toBeNull();
    expect(await probe.processes()).toEqual([
      {
        gpuIndex: 1,
        gpuUuid: 'GPU-1',
        pid: 4242,
        processName: expect.any(String) as string,
        vramBytes: null,
      },
    ]);
    await probe.processes();
    expect(calls).toBe(3);
    await clock.advance(10_000);
    await probe.processes();
    expect(calls).toBe(6);
    await probe.stop();
  });

  it('names P-states P0..P15 and nothing else', () => {
    expect([0, 8, 15, 16, 32, null].map(pstateName)).toEqual(['P0', 'P8', 'P15', null, null, null]);
  });
});

const compiler = ['cc', 'gcc', 'clang'].find((c) => {
  try {
    execFileSync(c, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

describe.skipIf(process.platform !== 'linux' || !compiler)(
  'NVML through koffi (stand-in libnvidia-ml built with a C compiler)',
  () => {
    let dir: string;
    let library: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'siesta-nvml-'));
      library = path.join(dir, 'libnvidia-ml.so.1');
      execFileSync(compiler!, ['-shared', '-fPIC', '-o', library, FAKE_NVML_SOURCE]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('loads the library, reads both GPUs (GB10-like: null VRAM, power still read) and falls back to the _v2 process call', async () => {
      const clock = new VirtualClock();
      const selection = await selectProbe({
        clock,
        nvmlLibraryPaths: [path.join(dir, 'missing.so'), library],
      });
      expect(selection.backend).toBe('nvml');
      const probe = selection.probe;
      const ticks: (readonly GpuSample[])[] = [];
      await probe.start((s) => ticks.push(s));
      await clock.advance(0);
      const [pro6000, gb10] = ticks[0]!;
      expect(pro6000).toEqual({
        at: clock.now(),
        index: 0,
        uuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab',
        name: 'NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition',
        vendor: 'nvidia',
        vramUsedBytes: 65720 * MIB,
        vramTotalBytes: 97887 * MIB,
        powerWatts: 3.97,
        powerKind: 'average',
        energyJoules: 123456789.012,
        powerLimitWatts: 300,
        pstate: 'P8',
        utilizationPercent: 0,
        temperatureC: 24,
      });
      expect(gb10).toMatchObject({
        name: 'NVIDIA GB10',
        vramUsedBytes: null,
        vramTotalBytes: null,
        powerWatts: 11.17,
        energyJoules: null,
        pstate: 'P0',
        utilizationPercent: 37,
      });
      expect(probe.status()).toMatchObject({ backend: 'nvml', gpuCount: 2, lastError: null });
      const processes = await probe.processes();
      expect(processes.map((p) => [p.gpuIndex, p.pid, p.vramBytes])).toEqual([
        [0, 116860, 65710 * MIB],
        [1, 4242, null],
      ]);
      await probe.stop();
    });

    it('reports nvmlInit_v2 failing with its error string', async () => {
      process.env.FAKE_NVML_INIT_FAIL = '9';
      try {
        await expect(loadNvml([library])).rejects.toThrow(
          /nvmlInit_v2 failed: Driver Not Loaded \(9\)/,
        );
      } finally {
        delete process.env.FAKE_NVML_INIT_FAIL;
      }
    });
  },
);

describe('NVML library search', () => {
  it('looks for libnvidia-ml.so.1 on Linux, nvml.dll on Windows, and nothing on macOS', async () => {
    expect(nvmlLibraryCandidates('linux')).toEqual(['libnvidia-ml.so.1', 'libnvidia-ml.so']);
    expect(
      nvmlLibraryCandidates('win32', {
        SystemRoot: 'C:\\Windows',
        ProgramFiles: 'C:\\Program Files',
      })[0],
    ).toBe('nvml.dll');
    expect(
      nvmlLibraryCandidates('win32', {
        SystemRoot: 'C:\\Windows',
        ProgramFiles: 'C:\\Program Files',
      }).join('|'),
    ).toMatch(/NVSMI.nvml\.dll$/);
    expect(nvmlLibraryCandidates('darwin')).toEqual([]);
    await expect(loadNvml(['/nonexistent/libnvidia-ml.so.1'])).rejects.toThrow(
      'NVML could not be loaded (/nonexistent/libnvidia-ml.so.1: not found)',
    );
  });
});
