// The real AMD sysfs probe over the amdgpu fixtures written into a temporary /sys/class/drm, on a virtual clock.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { parseDrmFdinfo } from './amd-fdinfo';
import { AmdSysfsProbe } from './amd-sysfs-probe';
import type { GpuSample } from './gpu-sample';
import { selectProbe } from './select-probe';
import { readFixture } from './testdata/gpu-fixtures';

let root: string;

/** Writes one fixture's files under `<drm>/<card>/device/`. */
function writeCard(drm: string, card: string, fixture: string): void {
  const { files } = JSON.parse(readFixture(fixture)) as { files: Record<string, string> };
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(drm, card, 'device', relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

function makeDrm(): string {
  const drm = path.join(root, 'drm');
  writeCard(drm, 'card0', 'amdgpu-sysfs__rx580.json');
  writeCard(drm, 'card1', 'amdgpu-sysfs__rx6900xt.json');
  // Not cards, or not AMD: a connector, a render node and an Intel iGPU.
  mkdirSync(path.join(drm, 'card0-DP-1'), { recursive: true });
  mkdirSync(path.join(drm, 'renderD128'), { recursive: true });
  mkdirSync(path.join(drm, 'card2', 'device'), { recursive: true });
  writeFileSync(path.join(drm, 'card2', 'device', 'vendor'), '0x8086\n');
  return drm;
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'siesta-amd-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

async function firstTick(probe: AmdSysfsProbe, clock: VirtualClock): Promise<readonly GpuSample[]> {
  const ticks: (readonly GpuSample[])[] = [];
  await probe.start((samples) => ticks.push(samples));
  await clock.advance(0);
  await waitForTicks(ticks, 1);
  return ticks[0]!;
}

async function waitForTicks(ticks: readonly unknown[], count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (ticks.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${ticks.length} of ${count} ticks arrived`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('AMD sysfs probe', () => {
  it('reads the RX 580 (4294967296 / 536870912 B, 41.045 W average) and the RX 6900 XT (36 W)', async () => {
    const clock = new VirtualClock();
    const probe = new AmdSysfsProbe({
      clock,
      drmRoot: makeDrm(),
      namesBySlot: new Map([['0000:0c:00.0', 'Radeon RX 6900 XT']]),
    });
    const [rx580, rx6900] = await firstTick(probe, clock);
    expect(rx580).toEqual({
      at: clock.now(),
      index: 0,
      uuid: 'pci-0000:09:00.0',
      name: 'AMD GPU 1002:67DF',
      vendor: 'amd',
      vramUsedBytes: 536870912,
      vramTotalBytes: 4294967296,
      powerWatts: 41.045,
      powerKind: 'average',
      energyJoules: null,
      powerLimitWatts: 155,
      pstate: null,
      utilizationPercent: 11,
      temperatureC: 44,
    });
    expect(rx6900).toMatchObject({
      index: 1,
      uuid: '946d7e1ef9b172dd',
      name: 'Radeon RX 6900 XT',
      vramTotalBytes: 17163091968,
      vramUsedBytes: 668274688,
      powerWatts: 36,
      powerKind: 'average',
      powerLimitWatts: 289,
      utilizationPercent: 3,
      temperatureC: 56,
    });
    expect(probe.status()).toEqual({
      backend: 'amd-sysfs',
      gpuCount: 2,
      lastError: null,
      lastSampleAt: clock.now(),
    });
    await probe.stop();
  });

  it('follows the files from tick to tick, uses power1_input where there is no average, and leaves a suspended card asleep', async () => {
    const clock = new VirtualClock();
    const drm = makeDrm();
    const ticks: (readonly GpuSample[])[] = [];
    const probe = new AmdSysfsProbe({ clock, drmRoot: drm });
    await probe.start((samples) => ticks.push(samples));
    await clock.advance(0);
    await waitForTicks(ticks, 1);

    const rx580 = path.join(drm, 'card0', 'device');
    writeFileSync(path.join(rx580, 'mem_info_vram_used'), '2147483648\n');
    rmSync(path.join(rx580, 'hwmon', 'hwmon4', 'power1_average'));
    writeFileSync(path.join(rx580, 'hwmon', 'hwmon4', 'power1_input'), '120500000\n');
    writeFileSync(path.join(drm, 'card1', 'device', 'power', 'runtime_status'), 'suspended\n');
    await clock.advance(1000);
    await waitForTicks(ticks, 2);
    expect(ticks[1]![0]).toMatchObject({
      at: ticks[0]![0]!.at + 1000,
      vramUsedBytes: 2147483648,
      powerWatts: 120.5,
      powerKind: 'instant',
    });
    expect(ticks[1]![1]).toMatchObject({
      uuid: '946d7e1ef9b172dd',
      vramUsedBytes: null,
      powerWatts: null,
      powerKind: null,
      utilizationPercent: null,
    });
    await probe.stop();
  });

  it('finds each process VRAM in its DRM fdinfo, counting a client shared by two fds once', async () => {
    const clock = new VirtualClock();
    const proc = path.join(root, 'proc');
    const addFd = (pid: number, fd: number, target: string, fdinfo: string): void => {
      mkdirSync(path.join(proc, String(pid), 'fd'), { recursive: true });
      mkdirSync(path.join(proc, String(pid), 'fdinfo'), { recursive: true });
      symlinkSync(target, path.join(proc, String(pid), 'fd', String(fd)));
      writeFileSync(path.join(proc, String(pid), 'fdinfo', String(fd)), fdinfo);
    };
    const drmInfo = (client: number, vram: string) =>
      `pos:\t0\nflags:\t02100002\ndrm-driver:\tamdgpu\ndrm-pdev:\t0000:0c:00.0\ndrm-client-id:\t${client}\ndrm-memory-vram:\t${vram}\ndrm-memory-gtt:\t2048 KiB\n`;
    addFd(4100, 5, '/dev/dri/renderD129', drmInfo(7, '8388608 KiB'));
    addFd(4100, 6, '/dev/dri/renderD129', drmInfo(7, '8388608 KiB'));
    addFd(4100, 7, '/tmp/model.gguf', 'pos:\t0\n');
    writeFileSync(path.join(proc, '4100', 'comm'), 'llama-server\n');
    addFd(4200, 3, '/dev/null', 'pos:\t0\n');
    const probe = new AmdSysfsProbe({ clock, drmRoot: makeDrm(), procRoot: proc });
    await firstTick(probe, clock);
    expect(await probe.processes()).toEqual([
      {
        gpuIndex: 1,
        gpuUuid: '946d7e1ef9b172dd',
        pid: 4100,
        processName: 'llama-server',
        vramBytes: 8 * 1024 ** 3,
      },
    ]);
    expect(parseDrmFdinfo('drm-driver: amdgpu\ndrm-resident-vram: 3 MiB\n').vramBytes).toBe(
      3 * 1024 ** 2,
    );
    await probe.stop();
  });

  it('is chosen when NVML and nvidia-smi are missing, with names from the start-up inventory', async () => {
    const clock = new VirtualClock();
    const selection = await selectProbe({
      clock,
      loadNvml: () =>
        Promise.reject(new Error('NVML could not be loaded (libnvidia-ml.so.1: not found)')),
      nvidiaSmiCommand: path.join(root, 'no-such-nvidia-smi'),
      drmRoot: makeDrm(),
      inventory: () =>
        Promise.resolve([
          { vendor: 'amd', name: 'Radeon RX 580', pciSlot: '0000:09:00.0', vramBytes: null },
        ]),
    });
    expect(selection.backend).toBe('amd-sysfs');
    expect(selection.tried).toEqual([
      'NVML could not be loaded (libnvidia-ml.so.1: not found)',
      expect.stringMatching(/^nvidia-smi: .*no-such-nvidia-smi was not found$/),
    ]);
    const ticks: (readonly GpuSample[])[] = [];
    await selection.probe.start((s) => ticks.push(s));
    await clock.advance(0);
    await waitForTicks(ticks, 1);
    expect(ticks[0]?.map((s) => s.name)).toEqual(['Radeon RX 580', 'AMD GPU 1002:73BF']);
    expect(selection.probe.status()).toMatchObject({
      backend: 'amd-sysfs',
      gpuCount: 2,
      lastError: null,
    });
    await selection.probe.stop();
  });
});
