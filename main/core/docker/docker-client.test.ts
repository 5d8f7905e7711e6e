// DOCKER_HOST parsing: the endpoints the docker CLI accepts, and errors that name the bad value.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import {
  defaultDockerEndpoint,
  DockerContextError,
  DockerHostError,
  dockerFromEnv,
  parseDockerHost,
  resolveDockerEndpoint,
} from './docker-client';

function socketOf(docker: ReturnType<typeof dockerFromEnv>): unknown {
  return (docker.modem as { socketPath?: unknown }).socketPath;
}

describe('DOCKER_HOST', () => {
  it('reads a unix socket, a tcp host:port and a Windows named pipe', () => {
    expect(parseDockerHost('unix:///tmp/sdk/docker.sock', {}, 'linux')).toEqual({
      kind: 'socket',
      socketPath: '/tmp/sdk/docker.sock',
    });
    expect(parseDockerHost('tcp://10.0.0.5:2375', {}, 'linux')).toEqual({
      kind: 'tcp',
      host: '10.0.0.5',
      port: 2375,
      tls: false,
    });
    expect(parseDockerHost('tcp://docker.local', { DOCKER_TLS_VERIFY: '1' }, 'linux')).toEqual({
      kind: 'tcp',
      host: 'docker.local',
      port: 2376,
      tls: true,
    });
    expect(parseDockerHost('tcp://[::1]:2375', {}, 'linux')).toEqual({
      kind: 'tcp',
      host: '::1',
      port: 2375,
      tls: false,
    });
    expect(parseDockerHost('npipe:////./pipe/docker_engine', {}, 'win32')).toEqual({
      kind: 'socket',
      socketPath: '//./pipe/docker_engine',
    });
  });

  it('uses the platform socket when DOCKER_HOST is unset', () => {
    expect(defaultDockerEndpoint('linux')).toEqual({
      kind: 'socket',
      socketPath: '/var/run/docker.sock',
    });
    expect(defaultDockerEndpoint('win32')).toEqual({
      kind: 'socket',
      socketPath: '//./pipe/docker_engine',
    });
    expect(socketOf(dockerFromEnv({ HOME: '/nonexistent-siesta-home' }, 'linux'))).toBe(
      '/var/run/docker.sock',
    );
    expect(socketOf(dockerFromEnv({ DOCKER_HOST: 'unix:///run/x.sock' }, 'linux'))).toBe(
      '/run/x.sock',
    );
  });

  it('names a malformed DOCKER_HOST and says what was expected', () => {
    for (const value of [
      '/var/run/docker.sock',
      'ssh://me@box',
      'tcp://host:99999',
      'unix://relative.sock',
      'npipe:////./pipe/x',
    ]) {
      expect(() => dockerFromEnv({ DOCKER_HOST: value }, 'linux')).toThrow(DockerHostError);
      expect(() => dockerFromEnv({ DOCKER_HOST: value }, 'linux')).toThrow(
        `DOCKER_HOST="${value}"`,
      );
    }
    expect(() => parseDockerHost('ssh://me@box', {}, 'linux')).toThrow(
      /unsupported scheme "ssh:\/\/".*expected unix:\/\//,
    );
  });
});

describe('the docker CLI context', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A home with ~/.docker/config.json and the contexts the docker CLI would have written. */
  function home(current: string | null, contexts: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'siesta-docker-home-'));
    dirs.push(dir);
    mkdirSync(join(dir, '.docker'), { recursive: true });
    if (current !== null)
      writeFileSync(
        join(dir, '.docker', 'config.json'),
        JSON.stringify({ auths: {}, currentContext: current }),
      );
    for (const [name, host] of Object.entries(contexts)) {
      const meta = join(
        dir,
        '.docker',
        'contexts',
        'meta',
        createHash('sha256').update(name).digest('hex'),
      );
      mkdirSync(meta, { recursive: true });
      writeFileSync(
        join(meta, 'meta.json'),
        JSON.stringify({
          Name: name,
          Metadata: {},
          Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
        }),
      );
    }
    return dir;
  }

  it("uses the current context's endpoint, as `docker ps` would (Colima, Rancher Desktop)", () => {
    const dir = home('colima', { colima: 'unix:///Users/me/.colima/default/docker.sock' });
    expect(resolveDockerEndpoint({ HOME: dir }, 'darwin')).toMatchObject({
      endpoint: { kind: 'socket', socketPath: '/Users/me/.colima/default/docker.sock' },
      source: 'docker context "colima"',
    });
    expect(socketOf(dockerFromEnv({ HOME: dir }, 'linux'))).toBe(
      '/Users/me/.colima/default/docker.sock',
    );
  });

  it('lets DOCKER_HOST and DOCKER_CONTEXT win, as the CLI does, and treats "default" as no context', () => {
    const dir = home('colima', { colima: 'unix:///c.sock', rancher: 'unix:///r.sock' });
    expect(
      resolveDockerEndpoint({ HOME: dir, DOCKER_HOST: 'unix:///h.sock' }, 'linux').source,
    ).toBe('DOCKER_HOST');
    expect(resolveDockerEndpoint({ HOME: dir, DOCKER_CONTEXT: 'rancher' }, 'linux').address).toBe(
      'unix:///r.sock',
    );
    expect(resolveDockerEndpoint({ HOME: home('default', {}) }, 'linux')).toMatchObject({
      address: 'unix:///var/run/docker.sock',
      source: 'the platform default',
    });
  });

  it("finds Docker Desktop's per-user socket on a Mac without /var/run/docker.sock", () => {
    const dir = home(null, {});
    const desktop = join(dir, '.docker', 'run', 'docker.sock');
    const exists = (path: string): boolean => path === desktop;
    expect(resolveDockerEndpoint({ HOME: dir }, 'darwin', exists)).toMatchObject({
      endpoint: { kind: 'socket', socketPath: desktop },
      source: "Docker Desktop's socket",
    });
    expect(resolveDockerEndpoint({ HOME: dir }, 'darwin', () => true).source).toBe(
      'the platform default',
    );
  });

  it('names the context and the file when the current context cannot be read', () => {
    const dir = home('gone', {});
    expect(() => resolveDockerEndpoint({ HOME: dir }, 'linux')).toThrow(DockerContextError);
    expect(() => resolveDockerEndpoint({ HOME: dir }, 'linux')).toThrow(
      /context "gone" cannot be used: .*meta\.json cannot be read/,
    );
  });
});
