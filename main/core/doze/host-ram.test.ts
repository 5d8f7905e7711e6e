// The host-RAM check before a doze that moves the weights to host RAM.
import { describe, expect, it } from 'vitest';
import { hostRamRefusal } from './host-ram';

const GIB = 1024 ** 3;

describe('hostRamRefusal', () => {
  it('lets a doze go ahead when the weights fit with 2 GiB to spare', () => {
    expect(hostRamRefusal('vllm', 14 * GIB, 16 * GIB)).toBeNull();
  });

  it('refuses with the figures when they do not', () => {
    expect(hostRamRefusal('sglang', 14 * GIB, 15.5 * GIB)).toBe(
      'host RAM is short: a sglang doze moves up to 14.0 GiB of weights to host RAM, and 15.5 GiB is available (2 GiB kept for the system)',
    );
  });

  it('does not guess for a custom doze or an unknown size', () => {
    expect(hostRamRefusal('http', 14 * GIB, 1 * GIB)).toBeNull();
    expect(hostRamRefusal('vllm', null, 1 * GIB)).toBeNull();
  });
});
