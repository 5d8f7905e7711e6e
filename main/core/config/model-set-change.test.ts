import { describe, expect, it } from 'vitest';
import { specForTest } from './testdata/spec-for-test';
import { modelSetChange } from './model-set-change';

describe('the log line when the models change', () => {
  it('says what was added, removed and changed, then the models now', () => {
    const qwen = specForTest('qwen');
    const sdxl = specForTest('sdxl');
    expect(
      modelSetChange([qwen, sdxl], [specForTest('qwen', { idleMs: 60_000 }), specForTest('flux')]),
    ).toBe('models: added flux; removed sdxl; changed qwen (now 2: flux, qwen)');
    expect(modelSetChange([qwen], [])).toBe('models: removed qwen (now 0)');
  });

  it('says nothing when the same models come again', () => {
    expect(modelSetChange([specForTest('qwen')], [specForTest('qwen')])).toBeNull();
  });
});
