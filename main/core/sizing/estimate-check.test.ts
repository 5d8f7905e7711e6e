// The estimate made when a model was added, against the VRAM it really used.
import { describe, expect, it } from 'vitest';
import { estimateCheck } from './estimate-check';

const GiB = 2 ** 30;

describe('estimate check', () => {
  it('gives the error of the estimate once the model was measured', () => {
    expect(estimateCheck(18 * GiB, 16 * GiB)).toEqual({
      estimateBytes: 18 * GiB,
      measuredBytes: 16 * GiB,
      errorPercent: 12.5,
      text: 'Estimated 18GiB when added; it used 16GiB: the estimate was 12.5% high.',
    });
    expect(estimateCheck(9 * GiB, 10 * GiB).text).toBe(
      'Estimated 9GiB when added; it used 10GiB: the estimate was 10% low.',
    );
  });

  it('says what is missing before the first measurement, or without an estimate', () => {
    expect(estimateCheck(18 * GiB, null).text).toBe(
      'Estimated 18GiB when added; not measured yet (it is measured while it runs).',
    );
    expect(estimateCheck(null, 16 * GiB).errorPercent).toBeNull();
  });
});
