// Checks an ssh:// engine's host key against known_hosts files, as the docker CLI (through ssh) does: a host that is
// not listed, or whose key changed, is refused with a sentence saying what to do. Plain and hashed (`|1|`) entries.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The files read, in order: the user's, then the system's. */
export function knownHostsFiles(home: string = homedir()): string[] {
  return [join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function nameMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [salt, hash] = field.slice(3).split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  // A comma-separated list; wildcards and negations are not supported (a line using them simply does not match).
  return field.split(',').includes(name);
}

/** The verdict on a host key. */
export type HostKeyVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Whether `keyBlob` (the server's public key, SSH wire format) is a known key of `host:port` in the given known_hosts
 * texts. `@revoked` lines refuse the key; `@cert-authority` lines are not supported (they do not match).
 */
export function checkHostKey(
  texts: readonly { readonly file: string; readonly text: string }[],
  host: string,
  port: number,
  keyBlob: Buffer,
): HostKeyVerdict {
  const name = hostPattern(host, port);
  const key = keyBlob.toString('base64');
  let listed = false;
  let matched = false;
  for (const { text } of texts) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const fields = line.split(/\s+/);
      const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
      const [names, , blob] = fields;
      if (names === undefined || blob === undefined || !nameMatches(names, name)) continue;
      // A revoked key is refused wherever it is also listed.
      if (marker === '@revoked' && blob === key)
        return { ok: false, reason: `the host key of ${name} is marked @revoked in known_hosts` };
      if (marker !== undefined) continue;
      if (blob === key) matched = true;
      else listed = true;
    }
  }
  if (matched) return { ok: true };
  const files =
    texts.length === 0
      ? '~/.ssh/known_hosts (there is none)'
      : texts.map((t) => t.file).join(' or ');
  return listed
    ? {
        ok: false,
        reason: `the host key of ${name} does not match the one in ${files} (it changed, or someone is in between): check the host, then update known_hosts`,
      }
    : {
        ok: false,
        reason: `${name} is not in ${files}: check its host key and add it (ssh ${port === 22 ? '' : `-p ${port} `}${host} once, or ssh-keyscan ${port === 22 ? '' : `-p ${port} `}${host} >> ~/.ssh/known_hosts)`,
      };
}

/** Reads the known_hosts files that exist, for `checkHostKey`. */
export function readKnownHosts(
  files: readonly string[] = knownHostsFiles(),
): { file: string; text: string }[] {
  return files.flatMap((file) => {
    try {
      return [{ file, text: readFileSync(file, 'utf8') }];
    } catch {
      return [];
    }
  });
}
