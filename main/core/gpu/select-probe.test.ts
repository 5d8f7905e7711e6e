// Probe selection when nothing works: the none probe and a status that says what was tried; and the start-up inventory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock';
import { normalisePciSlot, readGpuInventory, vendorOf } from './gpu-inventory';
import { createGpuProbe, selectProbe } from './select-probe';

describe('probe selection', () => {
  it('falls back to "none" with a status naming every backend tried and what the OS lists', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'siesta-none-'));
    try {
      const probe = await createGpuProbe({
        clock: new VirtualClock(),
        loadNvml: () =>
          Promise.reject(
            new Error(
              'NVML could not be loaded (libnvidia-ml.so.1: cannot open shared object file)',
            ),
          ),
        nvidiaSmiCommand: path.join(dir, 'nvidia-smi'),
        drmRoot: path.join(dir, 'drm'),
        inventory: () =>
          Promise.resolve([
            {
              vendor: 'other',
              name: 'Intel UHD Graphics 630',
              pciSlot: '0000:00:02.0',
              vramBytes: null,
            },
          ]),
      });
      const samples: unknown[] = [];
      await probe.start((s) => samples.push(s));
      const status = probe.status();
      expect(status).toMatchObject({ backend: 'none', gpuCount: 0, lastSampleAt: null });
      expect(status.lastError).toMatch(
        /^no GPU found: tried NVML could not be loaded \(libnvidia-ml\.so\.1: cannot open shared object file\)/,
      );
      expect(status.lastError).toContain('nvidia-smi: ');
      expect(status.lastError).toContain('was not found');
      expect(status.lastError).toMatch(/AMD sysfs: cannot list .*drm/);
      expect(status.lastError).toContain(
        'the OS lists Intel UHD Graphics 630 (other), none readable by a supported backend',
      );
      expect(await probe.processes()).toEqual([]);
      expect(samples).toEqual([]);
      await probe.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tries only the backend it is told to', async () => {
    let nvmlTried = false;
    const selection = await selectProbe({
      backend: 'amd-sysfs',
      drmRoot: '/nonexistent/drm',
      loadNvml: () => {
        nvmlTried = true;
        return Promise.reject(new Error('unused'));
      },
      inventory: () => Promise.resolve([]),
    });
    expect(nvmlTried).toBe(false);
    expect(selection.backend).toBe('none');
    expect(selection.probe.status().lastError).toBe(
      'no GPU found: tried AMD sysfs: cannot list /nonexistent/drm: it does not exist; the OS lists no graphics controller',
    );
  });
});

describe('start-up inventory', () => {
  it('turns systeminformation controllers into vendors, names and sysfs-style PCI slots', async () => {
    const inventory = await readGpuInventory(() =>
      Promise.resolve({
        controllers: [
          {
            vendor: 'NVIDIA Corporation',
            model: 'AD103 [GeForce RTX 4080 SUPER]',
            name: 'NVIDIA GeForce RTX 4080 SUPER',
            bus: 'PCI',
            pciBus: '00000000:01:00.0',
            vram: 16376,
            vramDynamic: false,
          },
          {
            vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]',
            model: 'Navi 21 [Radeon RX 6900 XT]',
            bus: 'PCI',
            busAddress: '0c:00.0',
            vram: 16384,
            vramDynamic: false,
          },
          {
            vendor: 'Intel Corporation',
            model: 'UHD Graphics 630',
            bus: 'Onboard',
            vram: null,
            vramDynamic: true,
          },
        ],
      }),
    );
    expect(inventory).toEqual([
      {
        vendor: 'nvidia',
        name: 'NVIDIA GeForce RTX 4080 SUPER',
        pciSlot: '0000:01:00.0',
        vramBytes: 16376 * 1024 * 1024,
      },
      {
        vendor: 'amd',
        name: 'Navi 21 [Radeon RX 6900 XT]',
        pciSlot: '0000:0c:00.0',
        vramBytes: 16384 * 1024 * 1024,
      },
      { vendor: 'other', name: 'UHD Graphics 630', pciSlot: null, vramBytes: null },
    ]);
    expect(vendorOf('', '1002')).toBe('amd');
    expect(normalisePciSlot('nonsense')).toBeNull();
  });
});
