// The words a user reads about evictions, refusals and waits.
import { describe, expect, it } from 'vitest';
import {
  admissionTimeoutMessage,
  blockerText,
  evictionMessage,
  formatGib,
  groupSleepMessage,
  neverFitsMessage,
  waitingMessage,
} from './scheduler-messages';
import { GIB } from './testdata/scheduler-fixtures';

describe('scheduler messages', () => {
  it('names the model put to sleep and the model it made room for', () => {
    expect(evictionMessage('sdxl', 'llama-70b')).toBe(
      'Put sdxl to sleep to make room for llama-70b',
    );
    expect(groupSleepMessage('flux', 'sdxl', 'image')).toBe(
      'Put flux to sleep because sdxl shares its group "image"',
    );
  });

  it('writes VRAM in GiB with at most one decimal', () => {
    expect(formatGib(24 * GIB)).toBe('24 GiB');
    expect(formatGib(13.5 * GIB)).toBe('13.5 GiB');
    expect(formatGib(0.25 * GIB)).toBe('0.3 GiB');
  });

  it('explains a model that can never fit with its need, the margin and the card', () => {
    const text = neverFitsMessage({
      model: 'llama-70b',
      gpuIndex: 1,
      needBytes: 40 * GIB,
      marginBytes: 1 * GIB,
      totalBytes: 24 * GIB,
    });
    expect(text).toContain('llama-70b can never fit on GPU 1');
    expect(text).toContain('40 GiB of VRAM plus the 1 GiB safety margin (41 GiB)');
    expect(text).toContain('the GPU has 24 GiB in all');
    expect(
      neverFitsMessage({
        model: 'm',
        gpuIndex: 0,
        needBytes: 30 * GIB,
        marginBytes: 0,
        totalBytes: 24 * GIB,
      }),
    ).toContain('declares 30 GiB of VRAM, and the GPU has 24 GiB in all');
  });

  it('says what a waiting wake waits for', () => {
    const base = { gpuIndex: 0, group: null, detail: null };
    expect(blockerText({ ...base, reason: 'busy', model: 'llama', detail: 3 })).toBe(
      'llama is busy (3 requests open)',
    );
    expect(blockerText({ ...base, reason: 'pinned', model: 'llama', group: 'chat' })).toBe(
      'llama (same group "chat") is pinned',
    );
    expect(blockerText({ ...base, reason: 'young', model: 'sdxl', detail: 41_200 })).toBe(
      'sdxl has not been awake for the minimum residency yet (42 s left)',
    );
    expect(blockerText({ ...base, reason: 'no-room', model: null })).toBe(
      'GPU 0 has too little free VRAM and no model Siesta may put to sleep holds it',
    );
    expect(
      admissionTimeoutMessage('sdxl', 12_340, [{ ...base, reason: 'waking', model: 'llama' }]),
    ).toBe('sdxl waited 12.3 s for room on its GPU and gave up: llama is waking.');
    expect(
      waitingMessage([
        { ...base, reason: 'busy', model: 'llama', detail: 2 },
        { ...base, reason: 'pinned', model: 'tts' },
      ]),
    ).toBe('waiting for room on its GPU: llama is busy (2 requests open); tts is pinned');
    expect(waitingMessage([])).toBe('waiting for room on its GPU');
  });
});
