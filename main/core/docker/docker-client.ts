// The Docker Engine client from the environment, found as the docker CLI finds it: DOCKER_HOST (`unix://`, `tcp://`,
// `npipe://`), else the CLI's current context (DOCKER_CONTEXT or ~/.docker/config.json: Colima, Rancher Desktop,
// Docker Desktop's per-user socket), else the platform's default socket. One place that decides, so every part of
// Siesta talks to the same engine.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
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

/** The engine Siesta will talk to, and where that choice came from (for messages). */
export interface ResolvedDockerEndpoint {
  readonly endpoint: DockerEndpoint;
  /** The endpoint as the docker CLI writes it: `unix:///var/run/docker.sock`. */
  readonly address: string;
  /** `DOCKER_HOST`, `docker context "colima"`, `Docker Desktop's socket` or `the platform default`. */
  readonly source: string;
  /** Where the TLS files are, for a TLS endpoint. */
  readonly certDir: string;
}

/** A docker CLI context that cannot be read, named with the file that should hold it. */
export class DockerContextError extends Error {
  constructor(context: string, file: string, problem: string) {
    super(
      `the docker CLI's context "${context}" cannot be used: ${file} ${problem} (run \`docker context ls\`, or set DOCKER_HOST)`,
    );
    this.name = 'DockerContextError';
  }
}

/**
 * Decides the engine as the docker CLI does: DOCKER_HOST; else the current context (DOCKER_CONTEXT, else
 * `currentContext` in DOCKER_CONFIG/config.json, default ~/.docker) unless it is `default`; else, on macOS without
 * /var/run/docker.sock, Docker Desktop's ~/.docker/run/docker.sock; else the platform default.
 */
export function resolveDockerEndpoint(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): ResolvedDockerEndpoint {
  const home = env.HOME?.trim() || homedir();
  const configDir = env.DOCKER_CONFIG?.trim() || join(home, '.docker');
  const certDir = env.DOCKER_CERT_PATH?.trim() || configDir;
  const value = env.DOCKER_HOST?.trim();
  if (value)
    return {
      endpoint: parseDockerHost(value, env, platform),
      address: value,
      source: 'DOCKER_HOST',
      certDir,
    };
  const context = env.DOCKER_CONTEXT?.trim() || currentContextOf(configDir);
  if (context && context !== 'default') {
    const hash = createHash('sha256').update(context).digest('hex');
    const metaFile = join(configDir, 'contexts', 'meta', hash, 'meta.json');
    let host: unknown;
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as {
        Endpoints?: { docker?: { Host?: unknown } };
      };
      host = meta.Endpoints?.docker?.Host;
    } catch (error: unknown) {
      throw new DockerContextError(
        context,
        metaFile,
        `cannot be read (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (typeof host !== 'string' || host.trim() === '')
      throw new DockerContextError(context, metaFile, 'names no docker endpoint');
    const tlsDir = join(configDir, 'contexts', 'tls', hash, 'docker');
    const endpoint = parseDockerHost(host, env, platform);
    const withTls =
      endpoint.kind === 'tcp' && exists(join(tlsDir, 'ca.pem'))
        ? { ...endpoint, tls: true }
        : endpoint;
    return {
      endpoint: withTls,
      address: host,
      source: `docker context "${context}"`,
      certDir: tlsDir,
    };
  }
  if (platform === 'darwin' && !exists('/var/run/docker.sock')) {
    const desktop = join(home, '.docker', 'run', 'docker.sock');
    if (exists(desktop))
      return {
        endpoint: { kind: 'socket', socketPath: desktop },
        address: `unix://${desktop}`,
        source: "Docker Desktop's socket",
        certDir,
      };
  }
  const endpoint = defaultDockerEndpoint(platform);
  const address =
    platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
  return { endpoint, address, source: 'the platform default', certDir };
}

/** The `currentContext` of the docker CLI's config.json, or null when it has none or cannot be read. */
function currentContextOf(configDir: string): string | null {
  try {
    const config = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as {
      currentContext?: unknown;
    };
    return typeof config.currentContext === 'string' ? config.currentContext.trim() : null;
  } catch {
    return null;
  }
}

/** A dockerode client for the engine `resolveDockerEndpoint` decides. */
export function dockerFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): Dockerode {
  return dockerFor(resolveDockerEndpoint(env, platform, exists));
}

/** A dockerode client for a resolved endpoint. */
export function dockerFor(resolved: ResolvedDockerEndpoint): Dockerode {
  const { endpoint, address, source, certDir } = resolved;
  if (endpoint.kind === 'socket') return new Dockerode({ socketPath: endpoint.socketPath });
  if (!endpoint.tls)
    return new Dockerode({ host: endpoint.host, port: endpoint.port, protocol: 'http' });
  const read = (file: string): Buffer => {
    try {
      return readFileSync(join(certDir, file));
    } catch (error) {
      throw new Error(
        `${address} (${source}) asks for TLS but ${join(certDir, file)} cannot be read (${error instanceof Error ? error.message : String(error)}); set DOCKER_CERT_PATH`,
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
