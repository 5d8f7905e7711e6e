// What a doze really freed, judged from the GPU's readings before and after it.
import { describe, expect, it } from 'vitest';
import { judgeDoze } from './doze-check';

describe('judgeDoze', () => {
  const GIB = 1024 ** 3;
  it('counts a doze that gave back what the model held as freed', () => {
    const verdict = judgeDoze(
      {
        model: 'qwen',
        gpuIndex: 0,
        usedBeforeBytes: 15 * GIB,
        usedAfterBytes: 1.2 * GIB,
        powerBeforeWatts: 80,
        powerAfterWatts: 31,
      },
      14 * GIB,
    );
    expect(verdict).toMatchObject({ enough: true, warning: null, freedWatts: 49, dozedWatts: 31 });
    expect(verdict.freedBytes).toBe(13.8 * GIB);
  });

  it('says so when the server kept most of it', () => {
    const verdict = judgeDoze(
      {
        model: 'qwen',
        gpuIndex: 0,
        usedBeforeBytes: 15 * GIB,
        usedAfterBytes: 13 * GIB,
        powerBeforeWatts: null,
        powerAfterWatts: null,
      },
      14 * GIB,
    );
    expect(verdict.enough).toBe(false);
    expect(verdict.warning).toBe(
      'qwen dozed but still holds 12.0 GiB of its 14.0 GiB on GPU 0 (its server kept them allocated); Siesta stops it instead when another model needs the room.',
    );
  });
});
