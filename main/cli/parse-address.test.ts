// The CLI's HOST:PORT flags.
import { describe, expect, it } from 'vitest';
import { parseAddress } from './parse-address';

describe('parseAddress', () => {
  it('reads host and port', () => {
    expect(parseAddress('--gateway', '0.0.0.0:8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseAddress('--gateway', '[::1]:11400')).toEqual({ host: '::1', port: 11400 });
    expect(parseAddress('--gateway', ':11400')).toEqual({ host: '127.0.0.1', port: 11400 });
  });

  it('names the flag and the expected shape when the value is wrong', () => {
    expect(() => parseAddress('--control', 'localhost')).toThrow(
      '--control: expected HOST:PORT such as 127.0.0.1:11400, got "localhost"',
    );
    expect(() => parseAddress('--control', 'x:99999')).toThrow('--control');
  });
});
