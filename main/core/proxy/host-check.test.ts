import { describe, expect, it } from 'vitest';
import { checkHost, hostHeaderCount, hostNameOf } from './host-check';

const isModel = (name: string): boolean => name === 'qwen';

describe('the Host check', () => {
  it('answers loopback addresses and localhost, with or without a port', () => {
    for (const host of [
      '127.0.0.1',
      '127.0.0.1:11400',
      '127.1.2.3:80',
      'localhost',
      'LOCALHOST:11400',
      '[::1]:11400',
      '[::1]',
      'localhost.:11400',
    ])
      expect(checkHost(host, [], isModel).kind, host).toBe('allowed');
  });

  it('answers NAME.localhost for a registered model and names it', () => {
    expect(checkHost('Qwen.localhost:11400', [], isModel)).toEqual({
      kind: 'allowed',
      name: 'qwen.localhost',
      localhostModel: 'qwen',
    });
    expect(checkHost('nope.localhost:11400', [], isModel).kind).toBe('refused');
  });

  it('refuses other names, as a DNS-rebinding page would send them', () => {
    for (const host of [
      'evil.example',
      'evil.example:11400',
      '192.168.1.10:11400',
      '127.0.0.1.evil.example',
      '[::2]:11400',
      '10.0.0.1',
    ])
      expect(checkHost(host, [], isModel).kind, host).toBe('refused');
  });

  it('answers 400 unless there is exactly one well-formed Host with a port in range', () => {
    for (const host of [
      undefined,
      'a b',
      'localhost:abc',
      'localhost:99999',
      '[::1]:65536',
      '127.0.0.1:123456',
    ])
      expect(checkHost(host, [], isModel).kind, String(host)).toBe('malformed');
    expect(checkHost('localhost:65535', [], isModel).kind).toBe('allowed');
    expect(checkHost('localhost', [], isModel, 2)).toEqual({
      kind: 'malformed',
      reason: 'the request has 2 Host headers; exactly one is allowed',
    });
    expect(hostHeaderCount(['Host', 'a', 'content-type', 'x', 'HOST', 'b'])).toBe(2);
  });

  it('answers host names the user added, exact or with a *. wildcard', () => {
    expect(checkHost('gpu-box.lan:11400', ['gpu-box.lan'], isModel).kind).toBe('allowed');
    expect(checkHost('gpu-box.lan', ['GPU-BOX.lan:11400'], isModel).kind).toBe('allowed');
    expect(checkHost('a.gpu.lan', ['*.gpu.lan'], isModel).kind).toBe('allowed');
    expect(checkHost('gpu.lan.evil', ['*.gpu.lan'], isModel).kind).toBe('refused');
  });

  it('reads the host name out of a Host header', () => {
    expect(hostNameOf('[::1]:8080')).toBe('::1');
    expect(hostNameOf('Example.COM:1')).toBe('example.com');
    expect(hostNameOf('[::1')).toBeNull();
  });
});
