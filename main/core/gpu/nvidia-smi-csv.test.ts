// nvidia-smi CSV read from the real captures: watts, MiB, P-states, [N/A] and N/A, Turing's missing average, Windows CRLF.
import { describe, expect, it } from 'vitest';
import {
  capturedProcesses,
  capturedSamples,
  findCaptureSection,
  parseCaptureSections,
} from './nvidia-smi-capture';
import {
  parseComputeAppsCsv,
  parseQueryCsv,
  parseQueryGpuCsv,
  unknownFieldIn,
} from './nvidia-smi-csv';
import { numberOrNull } from './smi-values';
import { CAPTURES, readFixture } from './testdata/gpu-fixtures';

const MIB = 1024 * 1024;
const AT = Date.UTC(2026, 6, 14, 8, 12, 38);

/** The one GPU of a capture in a state. */
function gpuOf(file: string, state: 'idle' | 'load', text = readFixture(file)) {
  const samples = capturedSamples(text, state, AT);
  expect(samples).toHaveLength(1);
  return samples[0]!;
}

describe('nvidia-smi --query-gpu captures', () => {
  it('reads the H100 idling at P0 with 69.85 W and no memory used', () => {
    const idle = gpuOf(CAPTURES.h100, 'idle');
    expect(idle).toMatchObject({
      at: AT,
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      vendor: 'nvidia',
      pstate: 'P0',
      powerWatts: 69.85,
      powerKind: 'average',
      powerLimitWatts: 700,
      vramUsedBytes: 0,
      vramTotalBytes: 81559 * MIB,
      utilizationPercent: 0,
      temperatureC: 41,
      energyJoules: null,
    });
  });

  it('reads the H100 under load with its memhog and gpu_burn processes', () => {
    const text = readFixture(CAPTURES.h100);
    expect(gpuOf(CAPTURES.h100, 'load', text)).toMatchObject({
      pstate: 'P0',
      powerWatts: 631.95,
      vramUsedBytes: 19818 * MIB,
      utilizationPercent: 100,
    });
    expect(capturedProcesses(text, 'idle')).toEqual([]);
    expect(
      capturedProcesses(text, 'load').map((p) => [p.pid, p.processName, p.vramBytes, p.gpuIndex]),
    ).toEqual([
      [11327, '/root/tools/memhog', 2566 * MIB, 0],
      [11328, '/root/tools/memhog', 1542 * MIB, 0],
      [11345, './gpu_burn', 15690 * MIB, 0],
    ]);
  });

  it('prefers the RTX 4080 SUPER average power (26.20 W) to its instant reading (28.77 W)', () => {
    const text = readFixture(CAPTURES.rtx4080);
    expect(gpuOf(CAPTURES.rtx4080, 'idle', text)).toMatchObject({
      pstate: 'P8',
      powerWatts: 26.2,
      powerKind: 'average',
      vramUsedBytes: 596 * MIB,
      vramTotalBytes: 16376 * MIB,
    });
    expect(gpuOf(CAPTURES.rtx4080, 'load', text)).toMatchObject({
      pstate: 'P2',
      powerWatts: 84.24,
      vramUsedBytes: 1474 * MIB,
    });
    expect(
      capturedProcesses(text, 'load')
        .filter((p) => p.processName === 'ffmpeg')
        .map((p) => p.vramBytes),
    ).toEqual([503 * MIB, 360 * MIB]);
  });

  it('marks the Turing card instant: its power.draw.average is [N/A]', () => {
    const text = readFixture(CAPTURES.rtx2080Linux);
    const row = parseQueryCsv(
      findCaptureSection(parseCaptureSections(text), 'idle', '--query-gpu=').body,
    )[0]!;
    expect(row.get('power.draw.average')).toBe('[N/A]');
    expect(gpuOf(CAPTURES.rtx2080Linux, 'idle', text)).toMatchObject({
      pstate: 'P8',
      powerWatts: 39.17,
      powerKind: 'instant',
      vramUsedBytes: 211 * MIB,
      vramTotalBytes: 8192 * MIB,
    });
    expect(gpuOf(CAPTURES.rtx2080Linux, 'load', text)).toMatchObject({
      pstate: 'P2',
      powerWatts: 98.14,
      powerKind: 'instant',
    });
  });

  it('keeps power.draw as instant when the driver lists power.draw.average as [N/A] and has no instant field', () => {
    const text =
      'index, name, power.draw [W], power.draw.average [W]\n0, NVIDIA GeForce RTX 2080 SUPER, 39.17 W, [N/A]\n';
    expect(parseQueryGpuCsv(text, AT)[0]).toMatchObject({
      powerWatts: 39.17,
      powerKind: 'instant',
    });
  });

  it('reads the Windows capture fed with CRLF line endings, with every process memory [N/A] as null', () => {
    const crlf = readFixture(CAPTURES.rtx2080Windows).replace(/\n/g, '\r\n');
    expect(crlf).toContain('\r\n');
    expect(gpuOf(CAPTURES.rtx2080Windows, 'idle', crlf)).toMatchObject({
      name: 'NVIDIA GeForce RTX 2080 SUPER',
      pstate: 'P8',
      powerWatts: 39.25,
      powerKind: 'instant',
      vramUsedBytes: 797 * MIB,
    });
    expect(gpuOf(CAPTURES.rtx2080Windows, 'load', crlf)).toMatchObject({
      pstate: 'P2',
      powerWatts: 97.99,
      vramUsedBytes: 1366 * MIB,
    });
    const processes = capturedProcesses(crlf, 'load');
    expect(processes.length).toBeGreaterThan(5);
    expect(processes.every((p) => p.vramBytes === null)).toBe(true);
    expect(processes.map((p) => p.processName)).toContain('C:\\Windows\\System32\\dwm.exe');
    expect(processes.map((p) => p.processName)).toContain(
      'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
    );
  });

  it('finds total = reserved + used + free within 2 MiB in every capture, so each memory column is read from its own cell', () => {
    for (const file of Object.values(CAPTURES)) {
      for (const state of ['idle', 'load']) {
        const row = parseQueryCsv(
          findCaptureSection(parseCaptureSections(readFixture(file)), state, '--query-gpu=').body,
        )[0]!;
        const [total, reserved, used, free] = [
          'memory.total',
          'memory.reserved',
          'memory.used',
          'memory.free',
        ].map((f) => numberOrNull(row.get(f))!);
        expect(
          Math.abs(total! - (reserved! + used! + free!)),
          `${file} ${state}`,
        ).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe('short nvidia-smi outputs', () => {
  it('gives the GB10 null VRAM from [N/A] memory while its power and temperature work', () => {
    const samples = parseQueryGpuCsv(
      readFixture('nvidia-smi-query-gpu-csv__gb10-dgx-spark__580.173.02.csv'),
      AT,
    );
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({
      vramUsedBytes: null,
      vramTotalBytes: null,
      powerWatts: 11.17,
      utilizationPercent: 0,
      temperatureC: 35,
    });
  });

  it('reads the GTX 1070 Ti and GT 710 noheader/nounits CSV, where N/A comes without brackets', () => {
    const fields =
      'driver_version,pci.sub_device_id,name,pci.bus_id,fan.speed,memory.total,memory.used,memory.free,utilization.gpu,utilization.memory,temperature.gpu,temperature.memory,power.draw,power.limit,clocks.gr,clocks.mem'.split(
        ',',
      );
    const text = readFixture(
      'nvidia-smi-query-gpu-noheader-nounits__gtx-1070-ti_gt-710__450.57.csv',
    );
    const rows = parseQueryCsv(text, fields);
    expect(rows.map((r) => r.get('temperature.memory'))).toEqual(['N/A', 'N/A']);
    const [ti, gt710] = parseQueryGpuCsv(text, AT, fields);
    expect(ti).toMatchObject({
      index: 0,
      name: 'GeForce GTX 1070 Ti',
      vramTotalBytes: 8119 * MIB,
      vramUsedBytes: 4856 * MIB,
      utilizationPercent: 14,
      temperatureC: 38,
      powerWatts: 41.22,
      powerLimitWatts: 180,
    });
    // Driver 450 has no power.draw.average: whether 41.22 W is an average cannot be told.
    expect(ti?.powerKind).toBeNull();
    expect(gt710).toMatchObject({
      index: 1,
      name: 'GeForce GT 710',
      vramTotalBytes: 981 * MIB,
      vramUsedBytes: 871 * MIB,
      utilizationPercent: null,
      temperatureC: 45,
      powerWatts: null,
      powerKind: null,
      powerLimitWatts: null,
    });
  });

  it('joins a process path that holds ", " back into one cell', () => {
    const text = 'GPU-a, 17, C:\\Games\\Foo, Inc\\foo.exe, 512\r\n';
    const [p] = parseComputeAppsCsv(text, new Map([['GPU-a', 3]]), [
      'gpu_uuid',
      'pid',
      'process_name',
      'used_gpu_memory',
    ]);
    expect(p).toEqual({
      gpuIndex: 3,
      gpuUuid: 'GPU-a',
      pid: 17,
      processName: 'C:\\Games\\Foo, Inc\\foo.exe',
      vramBytes: 512 * MIB,
    });
  });

  it('names the line when a row does not match the query', () => {
    expect(() => parseQueryCsv('0, GPU-a\n', ['index', 'uuid', 'name'])).toThrow(
      /line 1 has 2 cells where the query has 3 fields/,
    );
  });

  it('recognises nvidia-smi naming a field its driver does not know, in straight or curly quotes', () => {
    expect(unknownFieldIn('Field "power.draw.average" is not a valid field to query.\n\n')).toBe(
      'power.draw.average',
    );
    expect(
      unknownFieldIn('Field \u201cencoder.stats.sessionCount\u201d is not a valid field to query.'),
    ).toBe('encoder.stats.sessionCount');
    expect(unknownFieldIn('0, GPU-a, NVIDIA H100')).toBeNull();
  });
});
