// The request checks that do not need a socket: allowed hosts and origins, token sources, loopback peers.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  allowedHostsFor,
  allowedOriginsFor,
  fromLoopback,
  hostAllowed,
  originAllowed,
  presentedToken,
} from './request-guards';

function req(headers: Record<string, string>, remoteAddress = '127.0.0.1'): IncomingMessage {
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe('request guards', () => {
  it('answers loopback names with the port, the bound address, and extra hosts', () => {
    const hosts = allowedHostsFor(11401, '192.168.1.5', ['gpu-box.lan', 'other:8080']);
    expect([...hosts].sort()).toEqual([
      '127.0.0.1:11401',
      '192.168.1.5:11401',
      '[::1]:11401',
      'gpu-box.lan:11401',
      'localhost:11401',
      'other:8080',
    ]);
    expect(hostAllowed(req({ host: 'LOCALHOST:11401' }), hosts)).toBe(true);
    expect(hostAllowed(req({ host: 'localhost' }), hosts)).toBe(false);
    expect(hostAllowed(req({}), hosts)).toBe(false);
  });

  it('allows a change with no Origin or one of ours only', () => {
    const origins = allowedOriginsFor(allowedHostsFor(11401, '127.0.0.1'));
    expect(originAllowed(req({}), origins)).toBe(true);
    expect(originAllowed(req({ origin: 'http://127.0.0.1:11401' }), origins)).toBe(true);
    expect(originAllowed(req({ origin: 'null' }), origins)).toBe(false);
    expect(originAllowed(req({ origin: 'https://127.0.0.1:11401' }), origins)).toBe(false);
  });

  it('takes the token from the Authorization header before the cookie', () => {
    expect(presentedToken(req({ authorization: 'Bearer abc', cookie: 'siesta_token=def' }))).toBe(
      'abc',
    );
    expect(presentedToken(req({ cookie: 'theme=dark; siesta_token=def' }))).toBe('def');
    expect(presentedToken(req({}))).toBeNull();
  });

  it('tells loopback peers from others', () => {
    expect(fromLoopback(req({}, '127.0.0.1'))).toBe(true);
    expect(fromLoopback(req({}, '::ffff:127.0.0.1'))).toBe(true);
    expect(fromLoopback(req({}, '::1'))).toBe(true);
    expect(fromLoopback(req({}, '192.168.1.20'))).toBe(false);
  });
});
