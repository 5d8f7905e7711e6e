// An ssh:// engine's host key against known_hosts texts: listed plainly, hashed, on another port; changed, revoked,
// or not listed at all, each refused with what to do.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkHostKey } from './ssh-known-hosts';

const KEY = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfGpu3ForTheseTestsOnly000000', 'base64');
const OTHER = Buffer.from(
  'AAAAC3NzaC1lZDI1NTE5AAAAISomeoneElsesKeyForTheseTestsOnly0000',
  'base64',
);
const line = (names: string, key: Buffer = KEY): string =>
  `${names} ssh-ed25519 ${key.toString('base64')}`;
const file = (...lines: string[]) => [{ file: '/home/u/.ssh/known_hosts', text: lines.join('\n') }];

function hashed(name: string): string {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${hash}`;
}

describe('known_hosts', () => {
  it('accepts a host listed by name, in a list of names, hashed, or as [host]:port', () => {
    expect(checkHostKey(file(line('gpu3.lan')), 'gpu3.lan', 22, KEY)).toEqual({ ok: true });
    expect(checkHostKey(file('# a comment', line('gpu2,gpu3.lan')), 'gpu3.lan', 22, KEY).ok).toBe(
      true,
    );
    expect(checkHostKey(file(line(hashed('gpu3.lan'))), 'gpu3.lan', 22, KEY).ok).toBe(true);
    expect(checkHostKey(file(line('[gpu3.lan]:2222')), 'gpu3.lan', 2222, KEY).ok).toBe(true);
  });

  it('refuses a changed key, saying someone may be in between', () => {
    expect(checkHostKey(file(line('gpu3.lan', OTHER)), 'gpu3.lan', 22, KEY)).toEqual({
      ok: false,
      reason:
        'the host key of gpu3.lan does not match the one in /home/u/.ssh/known_hosts (it changed, or someone is in between): check the host, then update known_hosts',
    });
  });

  it('refuses a host it does not list, and one on another port, saying how to add it', () => {
    expect(checkHostKey(file(line('gpu3.lan')), 'gpu3.lan', 2222, KEY)).toEqual({
      ok: false,
      reason:
        '[gpu3.lan]:2222 is not in /home/u/.ssh/known_hosts: check its host key and add it (ssh -p 2222 gpu3.lan once, or ssh-keyscan -p 2222 gpu3.lan >> ~/.ssh/known_hosts)',
    });
    expect(checkHostKey([], 'gpu3.lan', 22, KEY)).toEqual({
      ok: false,
      reason:
        'gpu3.lan is not in ~/.ssh/known_hosts (there is none): check its host key and add it (ssh gpu3.lan once, or ssh-keyscan gpu3.lan >> ~/.ssh/known_hosts)',
    });
  });

  it('refuses a revoked key even when it is also listed', () => {
    const verdict = checkHostKey(
      file(line('gpu3.lan'), `@revoked ${line('gpu3.lan')}`),
      'gpu3.lan',
      22,
      KEY,
    );
    expect(verdict).toEqual({
      ok: false,
      reason: 'the host key of gpu3.lan is marked @revoked in known_hosts',
    });
  });
});
