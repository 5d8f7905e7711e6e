// The gateway (DESIGN.md, "The gateway"): one local port, plus each model's dedicated port, that routes requests to
// model containers, wakes them on the first request, and streams through. Built on Node's own `http` module.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '../clock/clock';
import { ConnectionLimits } from '../net/connection-limits';
import { connectionsWithin, openFilesLimit } from '../net/open-files-limit';
import type { LifecycleApi } from '../lifecycle/lifecycle-api';
import type { ModelStatus, Upstream } from '../lifecycle/model-state';
import type { GatewayContext } from './gateway-context';
import { modelNamed, modelNamedIgnoringCase } from './gateway-context';
import type { GatewaySettings } from './gateway-settings';
import { gatewaySettings } from './gateway-settings';
import { FailureLog } from './failure-log';
import { handleRequest } from './handle-request';
import { handleUpgrade } from './handle-upgrade';
import { NoWakeRules } from './no-wake';
import type { OllamaDirectory } from './ollama-directory';
import type { RequestAccounting } from './request-accounting';
import { errorFlavor, sendError, sendRawError } from './openai-errors';
import { RoutingBodyBudget } from './routing-body-budget';
import { UpstreamAgents } from './upstream-agents';

/** What the gateway needs; the composition root builds it. */
export interface GatewayOptions {
  readonly lifecycle: LifecycleApi;
  readonly clock: Clock;
  /** Complete settings (see `gatewaySettings()` for the defaults). */
  readonly settings: GatewaySettings;
  /** How long wakes of a model usually take (from the ledger's past wakes), for the waiting page; null when unknown. */
  readonly wakeEstimateMs?: (model: string) => number | null;
  /** Lines worth a log: listen failures, wakes that failed, unreachable models. Default: none. */
  readonly log?: (line: string) => void;
  /** The Ollama servers' models, for Ollama's API and `/v1/models`. Default: none. */
  readonly ollama?: OllamaDirectory;
  /** Counts each forwarded request's tokens and energy (issue 16). Default: none. */
  readonly accounting?: RequestAccounting;
}

/** One address the gateway listens on (or failed to). */
export interface GatewayAddress {
  /** The model of a dedicated port, or null for the main port. */
  readonly model: string | null;
  readonly host: string;
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  readonly listening: boolean;
  /** Why it could not listen, or null. */
  readonly error: string | null;
}

interface Listener {
  /** Reassigned in place when a dedicated port passes to another model. */
  model: string | null;
  readonly host: string;
  port: number;
  /** What its requests arrive as, kept in step with `model` and `port` (one object, not one per request). */
  readonly arrival: { dedicatedModel: string | null; localPort: number };
  readonly server: Server;
  readonly limits: ConnectionLimits;
  listening: boolean;
  error: string | null;
}

function listenError(
  host: string,
  port: number,
  model: string | null,
  error: NodeJS.ErrnoException,
): string {
  const what = model === null ? 'the gateway' : `the gateway port of model "${model}"`;
  const why =
    error.code === 'EADDRINUSE'
      ? 'the port is in use (by another Siesta, or by the model server itself?)'
      : error.message;
  return `${what} cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${why}`;
}

/** Node checks header and body deadlines this often (its default, 30 s, would let a stalled header live 30 s too long). */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/** The gateway's share of the process's file descriptors: each connection may hold a second one upstream. */
const GATEWAY_DESCRIPTOR_SHARE = 0.8;

/** Sets a server's deadlines from the settings (Node reads them at each check). */
function applyTimeouts(server: Server, settings: GatewaySettings): void {
  server.headersTimeout = settings.headersTimeoutMs;
  // Node's requestTimeout ends when the whole request has arrived: a response may stream for as long as it likes.
  server.requestTimeout = Math.max(settings.requestBodyTimeoutMs, settings.headersTimeoutMs);
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;
}

function closeServer(server: Server, cutActive: boolean): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    if (cutActive) server.closeAllConnections();
    else server.closeIdleConnections();
  });
}

/** The gateway. `await start()`, then `addresses()`; `updateListenPorts()` after specs change; `await stop()`. */
export class Gateway {
  private current: GatewaySettings;
  private rules: NoWakeRules;
  private readonly agents = new UpstreamAgents();
  private readonly routingBudget: RoutingBodyBudget;
  private readonly descriptorCap = connectionsWithin(openFilesLimit(), GATEWAY_DESCRIPTOR_SHARE, 2);
  private readonly ctx: GatewayContext;
  private readonly log: (line: string) => void;
  private main: Listener | null = null;
  private readonly modelListeners = new Map<number, Listener>();
  private readonly upgraded = new Set<Duplex>();
  private readonly upstreams = new Map<string, Upstream>();
  private unsubscribe: (() => void) | null = null;
  private started = false;

  constructor(private readonly options: GatewayOptions) {
    this.current = gatewaySettings(options.settings);
    this.rules = new NoWakeRules(this.current);
    this.log = options.log ?? (() => undefined);
    this.routingBudget = new RoutingBodyBudget(() => this.current.maxBufferedRoutingBytes);
    this.ctx = {
      routingBudget: this.routingBudget,
      lifecycle: options.lifecycle,
      clock: options.clock,
      settings: () => this.current,
      noWake: () => this.rules,
      agents: this.agents,
      wakeEstimateMs: options.wakeEstimateMs ?? (() => null),
      log: this.log,
      failures: new FailureLog(this.log),
      modelNamed: (name) => modelNamed(options.lifecycle, name),
      isModelName: (name) => modelNamedIgnoringCase(options.lifecycle, name) !== undefined,
      ollama: options.ollama ?? null,
      accounting: options.accounting ?? null,
    };
  }

  /** The settings in force. */
  settings(): GatewaySettings {
    return this.current;
  }

  /** Bytes of routing bodies held in memory now (the `/metrics` gauge). */
  bufferedBodyBytes(): number {
    return this.routingBudget.bufferedBytes();
  }

  /** Client connections open now, all ports together. */
  openConnections(): number {
    let open = 0;
    for (const l of [...(this.main ? [this.main] : []), ...this.modelListeners.values()])
      open += l.limits.openConnections();
    return open;
  }

  /** Listens on the main port (rejects, naming the address, when it cannot) and on every model's dedicated port (a port that cannot be had is logged and shown in `addresses()`). */
  async start(): Promise<void> {
    if (this.started) return;
    const main = await this.open(null, this.current.host, this.current.port);
    if (main.error !== null) throw new Error(main.error);
    this.main = main;
    this.started = true;
    this.unsubscribe = this.options.lifecycle.onChange((status) => this.noteUpstream(status));
    await this.updateListenPorts();
  }

  /** Closes every port and connection (open requests and WebSockets are cut, releasing their uses). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    const listeners = [...this.modelListeners.values(), ...(this.main ? [this.main] : [])];
    this.modelListeners.clear();
    this.main = null;
    const closing = listeners.map((l) => closeServer(l.server, true));
    for (const socket of this.upgraded) socket.destroy();
    this.upgraded.clear();
    await Promise.all(closing);
    this.agents.destroy();
  }

  /** Where the gateway listens: the main port first, then the dedicated ports by port. */
  addresses(): readonly GatewayAddress[] {
    const all = [
      ...(this.main ? [this.main] : []),
      ...[...this.modelListeners.values()].sort((a, b) => a.port - b.port),
    ];
    return all.map((l) => ({
      model: l.model,
      host: l.host,
      port: l.port,
      listening: l.listening,
      error: l.error,
    }));
  }

  /** The main port's URL as a client on this machine uses it (`http://127.0.0.1:11400`). */
  url(): string {
    if (this.main === null) throw new Error('the gateway is not started');
    const host =
      this.main.host === '0.0.0.0' ? '127.0.0.1' : this.main.host === '::' ? '::1' : this.main.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.main.port}`;
  }

  /**
   * Applies new settings (given fields replace, the rest stay). A new host or port moves the listeners: the new main
   * port is opened before the old one closes, and on failure the old settings stay and this rejects.
   */
  async updateSettings(changes: Partial<GatewaySettings>): Promise<void> {
    const next = gatewaySettings({ ...this.current, ...changes });
    const moved = next.host !== this.current.host || next.port !== this.current.port;
    for (const l of [...(this.main ? [this.main] : []), ...this.modelListeners.values()])
      applyTimeouts(l.server, next);
    if (!this.started || !moved) {
      this.current = next;
      this.rules = new NoWakeRules(next);
      return;
    }
    const main = await this.open(null, next.host, next.port);
    if (main.error !== null) throw new Error(main.error);
    const old = this.main;
    this.main = main;
    applyTimeouts(main.server, next);
    this.current = next;
    this.rules = new NoWakeRules(next);
    if (old) await closeServer(old.server, false);
    if (next.host !== old?.host) {
      const listeners = [...this.modelListeners.values()];
      this.modelListeners.clear();
      await Promise.all(listeners.map((l) => closeServer(l.server, false)));
    }
    await this.updateListenPorts();
  }

  /** Re-reads each model's `listenPort` from the lifecycle: opens new dedicated ports, closes dropped ones, retries failed ones. */
  async updateListenPorts(): Promise<void> {
    if (!this.started || this.main === null) return;
    const wanted = new Map<number, string>();
    for (const status of this.options.lifecycle.list()) {
      const port = status.spec.listenPort;
      if (port === null) continue;
      const other = port === this.main.port ? 'the main gateway port' : wanted.get(port);
      if (other !== undefined) {
        this.log(
          `gateway: model "${status.spec.name}" wants port ${port}, already taken by ${other}; it is reachable on the main port only`,
        );
        continue;
      }
      wanted.set(port, status.spec.name);
    }
    const closing: Array<Promise<void>> = [];
    for (const [port, listener] of this.modelListeners) {
      const model = wanted.get(port);
      if (model !== undefined && listener.listening) {
        listener.model = model;
        listener.arrival.dedicatedModel = model;
        continue;
      }
      this.modelListeners.delete(port);
      closing.push(closeServer(listener.server, false));
    }
    await Promise.all(closing);
    const opening: Array<Promise<void>> = [];
    for (const [port, model] of wanted) {
      if (this.modelListeners.has(port)) continue;
      opening.push(
        this.open(model, this.current.host, port).then((listener) => {
          if (listener.error !== null) this.log(`gateway: ${listener.error}`);
          if (this.started) this.modelListeners.set(port, listener);
          else void closeServer(listener.server, true);
        }),
      );
    }
    await Promise.all(opening);
  }

  private async open(model: string | null, host: string, port: number): Promise<Listener> {
    const settings = this.current;
    const server = createServer({
      noDelay: true,
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: Math.max(settings.requestBodyTimeoutMs, settings.headersTimeoutMs),
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
    });
    const arrival = { dedicatedModel: model, localPort: port };
    const where = model === null ? 'the gateway' : `the gateway port of model "${model}"`;
    const limits = new ConnectionLimits(
      where,
      () => ({
        maxConnections: Math.min(this.current.maxConnections, this.descriptorCap),
        maxConnectionsPerClient: this.current.maxConnectionsPerClient,
      }),
      this.log,
    );
    limits.guard(server);
    const listener: Listener = {
      model,
      host,
      port,
      arrival,
      server,
      limits,
      listening: false,
      error: null,
    };
    const ctx = this.ctx;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      handleRequest(ctx, arrival, req, res).catch((error: unknown) =>
        this.internalError(req, res, error),
      );
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
      handleUpgrade(this.ctx, arrival, req, socket, head).catch((error: unknown) => {
        this.log(
          `gateway: upgrade failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        sendRawError(
          socket,
          {
            status: 500,
            type: 'server_error',
            code: 'gateway_error',
            message: 'Siesta failed to forward this upgrade.',
          },
          'text',
        );
      });
    });
    await new Promise<void>((resolve) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        listener.error = listenError(host, port, model, error);
        resolve();
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        listener.listening = true;
        listener.port = (server.address() as AddressInfo).port;
        arrival.localPort = listener.port;
        resolve();
      });
    });
    if (listener.listening)
      server.on('error', (error) =>
        this.log(`gateway: ${listenError(host, listener.port, listener.model, error)}`),
      );
    return listener;
  }

  private internalError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.log(`gateway: ${req.method ?? ''} ${req.url ?? ''} failed: ${message}`);
    sendError(
      res,
      {
        status: 500,
        type: 'server_error',
        code: 'gateway_error',
        message: `Siesta's gateway failed on this request: ${message}.`,
      },
      errorFlavor(req, [req.url ?? '/']),
    );
  }

  /** Drops the connection pool of a container's old address once it stopped or moved. */
  private noteUpstream(status: ModelStatus): void {
    const name = status.spec.name;
    const previous = this.upstreams.get(name);
    const now = status.upstream;
    if (now !== null) {
      if (previous !== undefined && (previous.host !== now.host || previous.port !== now.port))
        this.agents.forget(previous);
      this.upstreams.set(name, now);
      return;
    }
    if (previous !== undefined && (status.state === 'asleep' || status.state === 'failed')) {
      this.agents.forget(previous);
      this.upstreams.delete(name);
    }
  }
}
