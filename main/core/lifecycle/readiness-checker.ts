// One readiness attempt of a waking model: its Docker healthcheck, an HTTP GET, or a TCP connect.
// The lifecycle polls it; tests inject a fake.
import * as http from 'node:http';
import * as net from 'node:net';
import type { HealthCheck, ModelSpec } from '../config/model-spec';
import type { ContainerInfo } from '../docker/container-runtime';
import { assertNever } from '../shared/assert-never';
import type { Upstream } from './model-state';

/** What one attempt looks at. */
export interface ReadinessTarget {
  readonly spec: ModelSpec;
  /** The check in effect (the spec's, or docker/tcp when the spec leaves it open). */
  readonly health: HealthCheck;
  readonly container: ContainerInfo;
  readonly upstream: Upstream;
}

/** The answer of one attempt; `detail` says what was seen (shown while waking, and on timeout). */
export interface ReadinessResult {
  readonly ready: boolean;
  readonly detail: string;
  /** The model can never become ready this way (e.g. health `docker` without a healthcheck): fail the wake now. */
  readonly fatal?: boolean;
}

/** One readiness attempt. Must settle quickly (it is polled) and honour `signal`. */
export interface ReadinessChecker {
  check(target: ReadinessTarget, signal: AbortSignal): Promise<ReadinessResult>;
}

/** The check in effect: the spec's, else `docker` when the container has a healthcheck, else `tcp`. */
export function effectiveHealth(spec: ModelSpec, container: ContainerInfo): HealthCheck {
  if (spec.health) return spec.health;
  return container.hasHealthcheck ? { kind: 'docker' } : { kind: 'tcp' };
}

/** Settings of the default checker. */
export interface NetworkReadinessOptions {
  /** Per-attempt timeout of an HTTP GET or TCP connect. Default 2000 ms. */
  readonly attemptTimeoutMs?: number;
  /**
   * How long a TCP connection must stay open to count. Docker's userland proxy accepts connections on a
   * published port before the server listens, then closes them at once; a real server keeps them open.
   * Default 30 ms.
   */
  readonly tcpSettleMs?: number;
}

/**
 * The real checker. HTTP: any answer below 500 is ready (a 404 still proves the server is up; 5xx such
 * as 503 is what servers like llama.cpp answer while loading). TCP: a connection that stays open.
 * Docker: the container's healthcheck says `healthy`.
 */
export class NetworkReadiness implements ReadinessChecker {
  private readonly attemptTimeoutMs: number;
  private readonly tcpSettleMs: number;

  constructor(options: NetworkReadinessOptions = {}) {
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 2000;
    this.tcpSettleMs = options.tcpSettleMs ?? 30;
  }

  check(target: ReadinessTarget, signal: AbortSignal): Promise<ReadinessResult> {
    const { health } = target;
    switch (health.kind) {
      case 'docker':
        return Promise.resolve(dockerHealth(target.container));
      case 'http':
        return this.httpGet(target.upstream, health.path, signal);
      case 'tcp':
        return this.tcpConnect(target.upstream, signal);
      default:
        return assertNever(health);
    }
  }

  private httpGet(upstream: Upstream, path: string, signal: AbortSignal): Promise<ReadinessResult> {
    return new Promise((resolve) => {
      const request = http.get(
        {
          host: upstream.host,
          port: upstream.port,
          path,
          agent: false,
          timeout: this.attemptTimeoutMs,
          signal,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          response.resume();
          resolve(
            status > 0 && status < 500
              ? { ready: true, detail: `GET ${path} answered ${status}` }
              : { ready: false, detail: `GET ${path} answered ${status}` },
          );
        },
      );
      request.on('timeout', () =>
        request.destroy(new Error(`no answer within ${this.attemptTimeoutMs} ms`)),
      );
      request.on('error', (error) =>
        resolve({ ready: false, detail: `GET ${path}: ${error.message}` }),
      );
    });
  }

  private tcpConnect(upstream: Upstream, signal: AbortSignal): Promise<ReadinessResult> {
    return new Promise((resolve) => {
      let settled = false;
      let settleTimer: NodeJS.Timeout | null = null;
      const socket = net.connect({
        host: upstream.host,
        port: upstream.port,
        timeout: this.attemptTimeoutMs,
        signal,
      });
      const done = (result: ReadinessResult): void => {
        if (settled) return;
        settled = true;
        if (settleTimer) clearTimeout(settleTimer);
        socket.destroy();
        resolve(result);
      };
      socket.on('connect', () => {
        settleTimer = setTimeout(
          () => done({ ready: true, detail: `port ${upstream.port} accepts connections` }),
          this.tcpSettleMs,
        );
      });
      socket.on('end', () =>
        done({ ready: false, detail: `port ${upstream.port} closed the connection` }),
      );
      socket.on('close', () =>
        done({ ready: false, detail: `port ${upstream.port} closed the connection` }),
      );
      socket.on('timeout', () =>
        done({
          ready: false,
          detail: `port ${upstream.port}: no connection within ${this.attemptTimeoutMs} ms`,
        }),
      );
      socket.on('error', (error) =>
        done({ ready: false, detail: `port ${upstream.port}: ${error.message}` }),
      );
    });
  }
}

function dockerHealth(container: ContainerInfo): ReadinessResult {
  if (!container.hasHealthcheck) {
    return {
      ready: false,
      fatal: true,
      detail: 'siesta.health is docker but the container has no healthcheck',
    };
  }
  return { ready: container.health === 'healthy', detail: `docker health: ${container.health}` };
}
