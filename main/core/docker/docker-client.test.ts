// DOCKER_HOST parsing: the endpoints the docker CLI accepts, and errors that name the bad value.
import { describe, expect, it } from 'vitest';
import {
  defaultDockerEndpoint,
  DockerHostError,
  dockerFromEnv,
  parseDockerHost,
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
    expect(socketOf(dockerFromEnv({}, 'linux'))).toBe('/var/run/docker.sock');
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
