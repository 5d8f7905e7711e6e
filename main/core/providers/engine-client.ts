// A Docker API client for one engine of siesta.yaml's `engines:` (unix socket, tcp:// with or without TLS, ssh://),
// and the host its models are dialled on. An engine without `host` is found as the docker CLI finds it.
import Dockerode from 'dockerode';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { EngineConfig } from '../config/engines-yaml';
import {
  dockerFor,
  parseDockerHost,
  resolveDockerEndpoint,
  type ResolvedDockerEndpoint,
} from '../docker/docker-client';
import { checkHostKey, knownHostsFiles, readKnownHosts } from './ssh-known-hosts';

/** An engine's client, where it is (for messages), and the address its published ports are dialled on. */
export interface EngineClient {
  readonly docker: Dockerode;
  /** `tcp://10.0.0.12:2376` or `unix:///var/run/docker.sock, DOCKER_HOST`. */
  readonly address: string;
  /** Where its models' published ports are dialled; undefined for a local engine (127.0.0.1). */
  readonly upstreamHost: string | undefined;
  /** Whether it is on another machine: calls to it are bounded in time, and a missing answer fails fast. */
  readonly remote: boolean;
}

/** How long connecting to a remote engine may take before it counts as not answering. */
export const REMOTE_CONNECT_TIMEOUT_MS = 5000;

/** The client for `config`; throws an error naming the engine and what to fix when it cannot be built. */
export function engineClient(
  config: EngineConfig,
  env: NodeJS.ProcessEnv = process.env,
): EngineClient {
  const named = (message: string): Error =>
    new Error(`engine "${config.name}" (siesta.yaml line ${config.line}): ${message}`);
  if (config.host === null) {
    const resolved = resolveDockerEndpoint(env);
    return fromResolved(resolved, `${resolved.address}, ${resolved.source}`, config, named);
  }
  const ssh = /^ssh:\/\/(?:([^@/]+)@)?(\[[0-9a-f:.]+\]|[^:/[\]]+)(?::(\d+))?\/?$/i.exec(
    config.host,
  );
  if (config.host.toLowerCase().startsWith('ssh://')) {
    if (!ssh?.[2])
      throw named(`host=${config.host}: expected ssh://user@host or ssh://user@host:port`);
    const host = ssh[2].replace(/^\[|\]$/g, '');
    let privateKey: Buffer | undefined;
    if (config.identityFile !== null) {
      try {
        privateKey = readFileSync(config.identityFile);
      } catch (error: unknown) {
        throw named(
          `identity ${config.identityFile} cannot be read (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    }
    const port = ssh[3] === undefined ? 22 : Number(ssh[3]);
    // The host key must be in known_hosts, as ssh (and so the docker CLI) insists; why it was refused is kept for
    // the error, since ssh2 itself only says "verification failed".
    let refusal: string | null = null;
    const hostVerifier = (key: Buffer): boolean => {
      const verdict = checkHostKey(
        readKnownHosts(knownHostsFiles(env.HOME ?? homedir())),
        host,
        port,
        key,
      );
      refusal = verdict.ok ? null : verdict.reason;
      return verdict.ok;
    };
    // docker-modem runs `docker system dial-stdio` over the ssh connection, as the docker CLI does for ssh:// hosts.
    const docker = new Dockerode({
      protocol: 'ssh',
      host,
      port,
      username: ssh[1] ?? env.USER ?? 'root',
      sshOptions: {
        ...(privateKey ? { privateKey } : { agent: env.SSH_AUTH_SOCK }),
        hostVerifier,
      },
      connectionTimeout: REMOTE_CONNECT_TIMEOUT_MS,
    } as Dockerode.DockerOptions);
    const modem = docker.modem as {
      dial: (options: unknown, callback: (error: unknown, data: unknown) => void) => unknown;
    };
    const dial = modem.dial.bind(modem);
    modem.dial = (options, callback) =>
      dial(options, (error, data) =>
        callback(
          error !== null && error !== undefined && refusal !== null
            ? new Error(`host key refused: ${refusal}`)
            : error,
          data,
        ),
      );
    return {
      docker,
      address: config.host,
      upstreamHost: config.upstreamHost ?? host,
      remote: true,
    };
  }
  let endpoint;
  try {
    endpoint = parseDockerHost(config.host, {
      ...env,
      DOCKER_TLS_VERIFY: config.tlsDir === null ? '' : '1',
    });
  } catch (error: unknown) {
    throw named(error instanceof Error ? error.message : String(error));
  }
  const resolved: ResolvedDockerEndpoint = {
    endpoint,
    address: config.host,
    source: `engine "${config.name}"`,
    certDir: config.tlsDir ?? '',
  };
  return fromResolved(resolved, config.host, config, named);
}

function fromResolved(
  resolved: ResolvedDockerEndpoint,
  address: string,
  config: EngineConfig,
  named: (m: string) => Error,
): EngineClient {
  let docker: Dockerode;
  try {
    docker = dockerFor(resolved);
  } catch (error: unknown) {
    throw named(error instanceof Error ? error.message : String(error));
  }
  const endpoint = resolved.endpoint;
  if (endpoint.kind === 'socket')
    return { docker, address, upstreamHost: config.upstreamHost ?? undefined, remote: false };
  // Bound the connect of every call, so an engine whose host went away is reported instead of hanging a wake.
  (docker.modem as { connectionTimeout?: number }).connectionTimeout = REMOTE_CONNECT_TIMEOUT_MS;
  const loopback = /^(127\.|localhost$|::1$)/.test(endpoint.host);
  return {
    docker,
    address,
    upstreamHost: config.upstreamHost ?? (loopback ? undefined : endpoint.host),
    remote: !loopback,
  };
}
