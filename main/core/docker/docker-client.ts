// The Docker Engine client from the environment: DOCKER_HOST (`unix://`, `tcp://`, `npipe://`), else the
// platform's default socket. One place that reads DOCKER_HOST, so every part of Siesta talks to the same engine.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';

/** Where the engine listens, as read from DOCKER_HOST. */
export type DockerEndpoint =
  | { readonly kind: 'socket'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly tls: boolean };

/** DOCKER_HOST could not be understood. */
export class DockerHostError extends Error {
  constructor(
    readonly value: string,
    problem: string,
  ) {
    super(
      `DOCKER_HOST="${value}" is not a Docker endpoint: ${problem} (expected unix:///path/docker.sock, tcp://host:port or npipe:////./pipe/name)`,
    );
    this.name = 'DockerHostError';
  }
}

/** The platform's default endpoint when DOCKER_HOST is unset. */
export function defaultDockerEndpoint(
  platform: NodeJS.Platform = process.platform,
): DockerEndpoint {
  return platform === 'win32'
    ? { kind: 'socket', socketPath: '//./pipe/docker_engine' }
    : { kind: 'socket', socketPath: '/var/run/docker.sock' };
}

/**
 * Parses DOCKER_HOST. `tcp://` uses TLS when DOCKER_TLS_VERIFY is set (as the docker CLI does), and
 * defaults to port 2376 with TLS, 2375 without. Throws `DockerHostError` naming the value.
 */
export function parseDockerHost(
  value: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): DockerEndpoint {
  const text = value.trim();
  const scheme = /^([a-z]+):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (!scheme) throw new DockerHostError(value, 'no scheme');
  const rest = text.slice(scheme.length + 3);
  switch (scheme) {
    case 'unix': {
      if (!rest.startsWith('/'))
        throw new DockerHostError(value, 'a unix socket needs an absolute path');
      return { kind: 'socket', socketPath: rest };
    }
    case 'npipe': {
      if (platform !== 'win32')
        throw new DockerHostError(value, 'named pipes exist only on Windows');
      // npipe:////./pipe/docker_engine -> //./pipe/docker_engine
      const pipe = rest.replace(/^\/*/, '//');
      if (!/^\/\/[^/]+\/pipe\/.+/.test(pipe))
        throw new DockerHostError(value, 'a named pipe looks like npipe:////./pipe/docker_engine');
      return { kind: 'socket', socketPath: pipe };
    }
    case 'tcp':
    case 'http':
    case 'https': {
      const tls =
        scheme === 'https' ||
        (scheme === 'tcp' && Boolean(env.DOCKER_TLS_VERIFY) && env.DOCKER_TLS_VERIFY !== '0');
      const match = /^(\[[0-9a-f:.]+\]|[^:/[\]]+)(?::(\d+))?\/?$/i.exec(rest);
      const host = match?.[1];
      if (!host) throw new DockerHostError(value, 'expected host:port after the scheme');
      const port = match[2] === undefined ? (tls ? 2376 : 2375) : Number(match[2]);
      if (!Number.isInteger(port) || port < 1 || port > 65_535)
        throw new DockerHostError(value, `port ${match[2] ?? ''} is out of range`);
      return { kind: 'tcp', host: host.replace(/^\[|\]$/g, ''), port, tls };
    }
    default:
      throw new DockerHostError(value, `unsupported scheme "${scheme}://"`);
  }
}

/** A dockerode client for DOCKER_HOST, or the platform default when it is unset or empty. */
export function dockerFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Dockerode {
  const value = env.DOCKER_HOST?.trim();
  const endpoint = value ? parseDockerHost(value, env, platform) : defaultDockerEndpoint(platform);
  if (endpoint.kind === 'socket') return new Dockerode({ socketPath: endpoint.socketPath });
  if (!endpoint.tls)
    return new Dockerode({ host: endpoint.host, port: endpoint.port, protocol: 'http' });
  const certDir = env.DOCKER_CERT_PATH || join(homedir(), '.docker');
  const read = (file: string): Buffer => {
    try {
      return readFileSync(join(certDir, file));
    } catch (error) {
      throw new Error(
        `DOCKER_HOST="${value ?? ''}" asks for TLS but ${join(certDir, file)} cannot be read (${error instanceof Error ? error.message : String(error)}); set DOCKER_CERT_PATH`,
      );
    }
  };
  return new Dockerode({
    host: endpoint.host,
    port: endpoint.port,
    protocol: 'https',
    ca: read('ca.pem'),
    cert: read('cert.pem'),
    key: read('key.pem'),
  });
}
