// `nvidia-smi -q -x` from four drivers (DTD v11, v12, v13): power readings old and new, memory, P-states and processes.
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiXml } from './nvidia-smi-xml';
import { elements, textAt } from './xml-extract';
import { readFixture } from './testdata/gpu-fixtures';

const MIB = 1024 * 1024;
const AT = Date.UTC(2026, 0, 1);

describe('nvidia-smi -q -x', () => {
  it('reads the RTX PRO 6000 (v13): llama-server holding 65710 MiB while idle at P8 and 3.97 W', () => {
    const report = parseNvidiaSmiXml(
      readFixture('nvidia-smi-q-x__rtx-pro-6000-maxq__590.44.01__v13.xml'),
      AT,
    );
    expect(report.driverVersion).toBe('590.44.01');
    expect(report.samples).toHaveLength(1);
    expect(report.samples[0]).toMatchObject({
      index: 0,
      name: 'NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition',
      uuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab',
      pstate: 'P8',
      powerWatts: 3.97,
      powerKind: 'average',
      powerLimitWatts: 300,
      vramUsedBytes: 65720 * MIB,
      vramTotalBytes: 97887 * MIB,
      utilizationPercent: 0,
      temperatureC: 24,
    });
    expect(report.processes).toEqual([
      {
        gpuIndex: 0,
        gpuUuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab',
        pid: 116860,
        processName: '/root/src/llama.cpp/build/bin/llama-server',
        vramBytes: 65710 * MIB,
      },
    ]);
  });

  it('reads the RTX 3080 (v13) average 139.62 W rather than the instant 142.33 W, and its empty process list', () => {
    const report = parseNvidiaSmiXml(
      readFixture('nvidia-smi-q-x__rtx-3080__595.58.03__v13.xml'),
      AT,
    );
    expect(report.samples[0]).toMatchObject({
      pstate: 'P2',
      utilizationPercent: 65,
      powerWatts: 139.62,
      powerKind: 'average',
      powerLimitWatts: 320,
      vramUsedBytes: 9184 * MIB,
      vramTotalBytes: 10240 * MIB,
      temperatureC: 27,
    });
    expect(report.processes).toEqual([]);
  });

  it('reads the RTX 3090 (v12) from <power_readings><power_draw>', () => {
    const report = parseNvidiaSmiXml(
      readFixture('nvidia-smi-q-x__rtx-3090__525.147.05__v12.xml'),
      AT,
    );
    // Ampere (GA102): NVML's power usage is a 1 s average there.
    expect(report.samples[0]).toMatchObject({
      name: 'NVIDIA GeForce RTX 3090',
      pstate: 'P8',
      powerWatts: 27.23,
      powerKind: 'average',
      powerLimitWatts: 200,
      vramUsedBytes: 1 * MIB,
      vramTotalBytes: 24576 * MIB,
      temperatureC: 37,
    });
    expect(report.processes).toEqual([]);
  });

  it('reads the A10G (v11) and its one Xorg process with 22 MiB', () => {
    const report = parseNvidiaSmiXml(readFixture('nvidia-smi-q-x__a10g__515.105.01__v11.xml'), AT);
    expect(report.driverVersion).toBe('515.105.01');
    expect(report.samples[0]).toMatchObject({
      name: 'NVIDIA A10G',
      uuid: 'GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94',
      pstate: 'P8',
      powerWatts: 25.58,
      powerKind: 'average',
      powerLimitWatts: 300,
      vramUsedBytes: 22 * MIB,
      vramTotalBytes: 23028 * MIB,
      temperatureC: 17,
    });
    expect(report.processes).toEqual([
      {
        gpuIndex: 0,
        gpuUuid: 'GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94',
        pid: 725,
        processName: '/usr/lib/xorg/Xorg',
        vramBytes: 22 * MIB,
      },
    ]);
  });

  it("calls a pre-Ampere card's legacy <power_draw> instant, and an A100's too", () => {
    const a10g = readFixture('nvidia-smi-q-x__a10g__515.105.01__v11.xml');
    const turing = a10g.replace(
      '<product_architecture>Ampere</product_architecture>',
      '<product_architecture>Turing</product_architecture>',
    );
    expect(parseNvidiaSmiXml(turing, AT).samples[0]?.powerKind).toBe('instant');
    const a100 = a10g.replace(
      '<product_name>NVIDIA A10G</product_name>',
      '<product_name>NVIDIA A100-SXM4-40GB</product_name>',
    );
    expect(parseNvidiaSmiXml(a100, AT).samples[0]?.powerKind).toBe('instant');
  });

  it('reads two GPUs in document order with CRLF and entities, and says when the root element is missing', () => {
    const gpu = (n: number, name: string) =>
      `<gpu id="0000000${n}:00:00.0">\r\n<product_name>${name}</product_name>\r\n<uuid>GPU-${n}</uuid>\r\n<fb_memory_usage><total>100 MiB</total><used>N/A</used></fb_memory_usage>\r\n<gpu_power_readings><average_power_draw>N/A</average_power_draw><instant_power_draw>50.00 W</instant_power_draw></gpu_power_readings>\r\n<processes/>\r\n</gpu>\r\n`;
    const xml = `<?xml version="1.0" ?>\r\n<nvidia_smi_log>\r\n${gpu(1, 'Q &amp; A')}${gpu(2, 'B')}</nvidia_smi_log>\r\n`;
    const { samples } = parseNvidiaSmiXml(xml, AT);
    expect(
      samples.map((s) => [
        s.index,
        s.name,
        s.uuid,
        s.vramUsedBytes,
        s.vramTotalBytes,
        s.powerWatts,
        s.powerKind,
      ]),
    ).toEqual([
      [0, 'Q & A', 'GPU-1', null, 100 * MIB, 50, 'instant'],
      [1, 'B', 'GPU-2', null, 100 * MIB, 50, 'instant'],
    ]);
    expect(() => parseNvidiaSmiXml('<html></html>', AT)).toThrow(/no <nvidia_smi_log>/);
  });

  it('matches nested elements of one name to their own closing tags', () => {
    const xml = '<a><b>1<b>2</b></b><b>3</b></a>';
    expect(elements(xml, 'b')).toEqual(['1<b>2</b>', '3']);
    expect(textAt(xml, ['a', 'b', 'b'])).toBe('2');
  });
});
