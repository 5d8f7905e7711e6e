// The doze labels: each known server's paths, custom http paths, and clear errors for bad values.
import { describe, expect, it } from 'vitest';
import { judgeDoze } from './doze-check';
import { dozeSpecFromLabels } from './doze-spec';

describe('dozeSpecFromLabels', () => {
  it('has none without the label (the model simply stops)', () => {
    expect(dozeSpecFromLabels({}, 'qwen')).toBeNull();
    expect(dozeSpecFromLabels({ 'siesta.doze': 'none' }, 'qwen')).toBeNull();
  });

  it("knows vLLM's and SGLang's sleep APIs", () => {
    expect(dozeSpecFromLabels({ 'siesta.doze': 'vllm' }, 'qwen')).toEqual({
      kind: 'vllm',
      sleepPath: '/sleep?level=1',
      wakePath: '/wake_up',
      statusPath: '/is_sleeping',
    });
    expect(dozeSpecFromLabels({ 'siesta.doze': 'sglang' }, 'qwen')).toEqual({
      kind: 'sglang',
      sleepPath: '/release_memory_occupation',
      wakePath: '/resume_memory_occupation',
      statusPath: null,
    });
  });

  it('reads custom paths for http, the status optional', () => {
    expect(
      dozeSpecFromLabels(
        {
          'siesta.doze': 'http',
          'siesta.doze.sleep': '/admin/sleep',
          'siesta.doze.wake': '/admin/wake',
        },
        'tts',
      ),
    ).toEqual({
      kind: 'http',
      sleepPath: '/admin/sleep',
      wakePath: '/admin/wake',
      statusPath: null,
    });
  });

  it('names the label and what was wrong', () => {
    expect(() => dozeSpecFromLabels({ 'siesta.doze': 'vLLM2' }, 'container qwen')).toThrow(
      'container qwen: label siesta.doze is "vLLM2"; expected one of vllm, sglang, ollama, cuda-checkpoint, http (or none)',
    );
    expect(() =>
      dozeSpecFromLabels({ 'siesta.doze': 'http', 'siesta.doze.wake': '/w' }, 'tts'),
    ).toThrow('tts: siesta.doze=http needs label siesta.doze.sleep (a path such as /sleep)');
    expect(() =>
      dozeSpecFromLabels(
        { 'siesta.doze': 'http', 'siesta.doze.sleep': 'sleep', 'siesta.doze.wake': '/w' },
        'tts',
      ),
    ).toThrow(
      'tts: label siesta.doze.sleep is "sleep": expected a path on the model server starting with /',
    );
  });
});

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
