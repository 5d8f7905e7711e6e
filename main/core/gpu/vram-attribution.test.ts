// Which container holds which VRAM, by host PID: what records a model's learned VRAM.
import { describe, expect, it } from 'vitest';
import type { GpuProcess } from './gpu-sample';
import { capturedProcesses } from './nvidia-smi-capture';
import { parseNvidiaSmiXml } from './nvidia-smi-xml';
import { attributeVram, attributeVramToContainers } from './vram-attribution';
import { CAPTURES, readFixture } from './testdata/gpu-fixtures';

const MIB = 1024 * 1024;

describe('VRAM attribution', () => {
  it('gives the llama-server container its 65710 MiB and a container without GPU processes 0', () => {
    const { processes } = parseNvidiaSmiXml(
      readFixture('nvidia-smi-q-x__rtx-pro-6000-maxq__590.44.01__v13.xml'),
      0,
    );
    const result = attributeVram(
      processes,
      new Map([
        ['llm', [116801, 116860]],
        ['tts', [2001, 2002]],
      ]),
    );
    expect(result.get('llm')).toMatchObject({
      vramBytes: 65710 * MIB,
      vramBytesByGpu: new Map([[0, 65710 * MIB]]),
    });
    expect(result.get('llm')?.processes.map((p) => p.pid)).toEqual([116860]);
    expect(result.get('tts')).toMatchObject({ vramBytes: 0, processes: [] });
  });

  it('sums processes of one container across GPUs (the H100 load capture)', () => {
    const processes = capturedProcesses(readFixture(CAPTURES.h100), 'load');
    const onSecondGpu: GpuProcess = {
      gpuIndex: 1,
      gpuUuid: 'GPU-1',
      pid: 11345,
      processName: './gpu_burn',
      vramBytes: 1000 * MIB,
    };
    const result = attributeVram([...processes, onSecondGpu], new Map([['burn', [11345, 11327]]]));
    expect(result.get('burn')?.vramBytes).toBe((15690 + 2566 + 1000) * MIB);
    expect(result.get('burn')?.vramBytesByGpu).toEqual(
      new Map([
        [0, (15690 + 2566) * MIB],
        [1, 1000 * MIB],
      ]),
    );
  });

  it('says null, not 0, where Windows reports the memory [N/A]', () => {
    const processes = capturedProcesses(readFixture(CAPTURES.rtx2080Windows), 'load');
    const result = attributeVram(processes, new Map([['desktop', [2140]]]));
    expect(result.get('desktop')).toMatchObject({
      vramBytes: null,
      vramBytesByGpu: new Map([[0, null]]),
    });
    expect(result.get('desktop')?.processes).toHaveLength(1);
  });

  it("asks for each container's PIDs and leaves out one that stopped meanwhile", async () => {
    const processes: GpuProcess[] = [
      { gpuIndex: 0, gpuUuid: 'GPU-0', pid: 77, processName: 'python3', vramBytes: 512 * MIB },
    ];
    const asked: string[] = [];
    const result = await attributeVramToContainers(processes, ['sd', 'gone'], (id) => {
      asked.push(id);
      return id === 'gone' ? Promise.reject(new Error('no such container')) : Promise.resolve([77]);
    });
    expect(asked.sort()).toEqual(['gone', 'sd']);
    expect([...result.keys()]).toEqual(['sd']);
    expect(result.get('sd')?.vramBytes).toBe(512 * MIB);
  });
});
