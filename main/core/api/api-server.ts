// The control API server (Node http): checks Host, token and Origin, serves /api/, /metrics, /login and the dashboard.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionCaps } from '../net/connection-limits';
import { ConnectionLimits } from '../net/connection-limits';
import { connectionsWithin, openFilesLimit } from '../net/open-files-limit';
import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import { ApiHttpError, sendError, toApiHttpError } from './api-error';
import { ApiMetrics } from './api-metrics';
import { apiRoutes } from './api-routes';
import { manageRoutes } from './manage-routes';
import type { ModelManager } from '../manage/model-manager';
import { tokensEqual } from './api-token';
import type { ApiEvent } from './contract';
import type { ControlCore } from './control-core';
import { EventStreamHub } from './event-stream';
import {
  allowedHostsFor,
  allowedOriginsFor,
  fromLoopback,
  hostAllowed,
  loginCookie,
  originAllowed,
  tokenValid,
} from './request-guards';
import { SECURITY_HEADERS, serveStatic } from './static-files';

/** The control API's default address (DESIGN.md, "Defaults"). */
export const DEFAULT_CONTROL_HOST = '127.0.0.1';
export const DEFAULT_CONTROL_PORT = 11401;

/** What the server needs. */
export interface ControlApiServerOptions {
  readonly core: ControlCore;
  /** The token every /api/ call must present (`loadOrCreateToken(dataDir)`). */
  readonly token: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 11401; 0 picks a free port. */
  readonly port?: number;
  /** The built renderer (dist/renderer), served at `/`; null serves no dashboard. */
  readonly rendererDir?: string | null;
  readonly clock?: Clock;
  /** Event-stream heartbeat period (default 15 s). */
  readonly heartbeatMs?: number;
  /** Extra `Host` names the server answers (e.g. the box's name when bound to a LAN address); loopback and localhost always. */
  readonly allowedHosts?: readonly string[];
  /** Unexpected errors (500s, a listener that throws); default console.error. */
  readonly onError?: (error: unknown) => void;
  /** Adds, edits, adopts and removes models (`/api/templates`, `/api/sizing`, `/api/models`, …); absent: not offered. */
  readonly manager?: ModelManager;
  /** Lines worth a log (a connection cap hit); default: `onError`'s channel is not used, nothing is logged. */
  readonly log?: (line: string) => void;
  /** Connection caps (defaults `CONTROL_CONNECTION_CAPS`, bounded by the open-files limit too). */
  readonly connectionCaps?: ConnectionCaps;
  /** A request header must arrive within this time (default 10 s). */
  readonly headersTimeoutMs?: number;
}

/** The control API's connection caps: a dashboard, a tray and a few CLI calls need a handful; the rest waits its turn. */
export const CONTROL_CONNECTION_CAPS: ConnectionCaps = {
  maxConnections: 512,
  maxConnectionsPerClient: 256,
};

/** The control API's share of the process's file descriptors (the gateway has most of the rest). */
const CONTROL_DESCRIPTOR_SHARE = 0.1;

/** The control API and dashboard server. `await listen()`, then `url` and `loginUrl()`; `await close()` ends it and its event streams. */
export class ControlApiServer {
  /** The Prometheus metrics (fed with the core's events while listening). */
  readonly metrics: ApiMetrics;
  private readonly server: Server;
  private readonly connections: ConnectionLimits;
  private readonly events: EventStreamHub;
  private readonly clock: Clock;
  private readonly handleApi: (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ) => Promise<void>;
  private readonly onError: (error: unknown) => void;
  private allowedHosts = new Set<string>();
  private allowedOrigins = new Set<string>();
  private unsubscribe: Array<() => void> = [];
  private boundPort: number | null = null;

  constructor(private readonly options: ControlApiServerOptions) {
    if (options.token.length < 16)
      throw new Error('ControlApiServer: the token must be at least 16 characters');
    this.clock = options.clock ?? systemClock();
    this.onError = options.onError ?? ((error) => console.error('[siesta] control API:', error));
    this.events = new EventStreamHub({ clock: this.clock, heartbeatMs: options.heartbeatMs });
    this.metrics = new ApiMetrics(() => options.core.state());
    const routes = apiRoutes({ core: options.core, clock: this.clock, events: this.events });
    const manage = options.manager
      ? manageRoutes(options.manager, (name) => {
          const model = options.core.state().models.find((m) => m.name === name);
          return model?.vramSource === 'measured' ? model.vramBytes : null;
        })
      : null;
    this.handleApi = async (req, res, url) => {
      if (manage !== null && (await manage(req, res, url))) return;
      await routes(req, res, url);
    };
    const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
    this.server = createServer(
      {
        headersTimeout: headersTimeoutMs,
        // Bodies are small (64 KiB at most); event streams stream after their request is in, untouched by this.
        requestTimeout: Math.max(30_000, headersTimeoutMs),
        keepAliveTimeout: 5_000,
        connectionsCheckingInterval: 1_000,
      },
      (req, res) => {
        this.handle(req, res).catch((error: unknown) => this.fail(res, error));
      },
    );
    const caps = options.connectionCaps ?? CONTROL_CONNECTION_CAPS;
    const descriptorCap = connectionsWithin(openFilesLimit(), CONTROL_DESCRIPTOR_SHARE, 1);
    this.connections = new ConnectionLimits(
      'the control API',
      () => ({
        maxConnections: Math.min(caps.maxConnections, descriptorCap),
        maxConnectionsPerClient: caps.maxConnectionsPerClient,
      }),
      options.log ?? (() => undefined),
    );
    this.connections.guard(this.server);
  }

  /** Starts listening; rejects with an error naming the address when it is taken. */
  async listen(): Promise<void> {
    const host = this.options.host ?? DEFAULT_CONTROL_HOST;
    const port = this.options.port ?? DEFAULT_CONTROL_PORT;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(
          new Error(
            error.code === 'EADDRINUSE'
              ? `the control API cannot listen on ${host}:${port}: the port is in use (is another Siesta running? try --control ${host}:${port + 10})`
              : `the control API cannot listen on ${host}:${port}: ${error.message}`,
          ),
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    this.allowedHosts = allowedHostsFor(this.boundPort, host, this.options.allowedHosts);
    this.allowedOrigins = allowedOriginsFor(this.allowedHosts);
    const { core } = this.options;
    this.unsubscribe.push(core.subscribe((event) => this.publish(event)));
    this.unsubscribe.push(
      core.settings.onChange((settings) =>
        this.publish({ type: 'settings', at: this.clock.now(), settings }),
      ),
    );
  }

  /** The port it listens on (after `listen`). */
  get port(): number {
    if (this.boundPort === null) throw new Error('ControlApiServer: not listening yet');
    return this.boundPort;
  }

  /** `http://127.0.0.1:PORT` (loopback even when bound to every address). */
  get url(): string {
    const host = this.options.host ?? DEFAULT_CONTROL_HOST;
    const shown =
      host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${this.port}`;
  }

  /** The link `siesta serve` prints: opening it logs the browser in (cookie) and lands on the dashboard. */
  loginUrl(): string {
    return `${this.url}/login?token=${encodeURIComponent(this.options.token)}`;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.connections.openConnections();
  }

  /** Event-stream clients connected now. */
  get streamClients(): number {
    return this.events.size;
  }

  /** Stops listening, ends event streams and open connections. */
  async close(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.events.closeAll();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private publish(event: ApiEvent): void {
    try {
      this.metrics.observe(event);
      this.events.broadcast(event);
    } catch (error: unknown) {
      this.onError(error);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // DNS rebinding: a page on evil.example that re-resolves to 127.0.0.1 still sends Host: evil.example.
    if (!hostAllowed(req, this.allowedHosts)) {
      throw new ApiHttpError(
        403,
        'forbidden-host',
        `Host "${req.headers.host ?? ''}" is not this Siesta's address; use ${this.url}`,
        'host',
      );
    }
    const url = new URL(req.url ?? '/', 'http://control.invalid');
    const path = url.pathname;
    if (path === '/api' || path.startsWith('/api/')) {
      this.requireToken(req);
      if (
        req.method !== 'GET' &&
        req.method !== 'HEAD' &&
        !originAllowed(req, this.allowedOrigins)
      ) {
        throw new ApiHttpError(
          403,
          'forbidden-origin',
          `Origin "${req.headers.origin ?? ''}" may not change Siesta's state; only ${this.url} may`,
          'origin',
        );
      }
      await this.handleApi(req, res, url);
      return;
    }
    if (path === '/metrics') {
      if (!fromLoopback(req)) this.requireToken(req);
      if (req.method !== 'GET')
        throw new ApiHttpError(
          405,
          'method-not-allowed',
          `${req.method ?? '?'} /metrics: expected GET`,
          undefined,
          { Allow: 'GET' },
        );
      const text = await this.metrics.render();
      res.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Cache-Control': 'no-store' });
      res.end(text);
      return;
    }
    if (path === '/login') {
      this.login(req, res, url);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ApiHttpError(
        405,
        'method-not-allowed',
        `${req.method ?? '?'} ${path}: the dashboard answers GET only`,
        undefined,
        { Allow: 'GET, HEAD' },
      );
    }
    await serveStatic(req, res, path, this.options.rendererDir ?? null);
  }

  /** `/login?token=...`: sets the cookie and redirects to `/`, dropping the token from the address bar and history. */
  private login(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const presented = url.searchParams.get('token');
    if (req.method !== 'GET' || presented === null || !tokensEqual(presented, this.options.token)) {
      res.writeHead(401, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      res.end(
        'This login link is not valid for this Siesta. Use the link `siesta serve` printed, or the token in its data dir.\n',
      );
      return;
    }
    res.writeHead(303, {
      'Set-Cookie': loginCookie(this.options.token),
      Location: '/',
      'Cache-Control': 'no-store',
    });
    res.end();
  }

  private requireToken(req: IncomingMessage): void {
    if (!tokenValid(req, this.options.token)) {
      throw new ApiHttpError(
        401,
        'unauthorized',
        'missing or wrong token: send "Authorization: Bearer <token>" (the token is in the data dir, file "token"), or open the login link `siesta serve` printed',
        'authorization',
        { 'WWW-Authenticate': 'Bearer realm="siesta"' },
      );
    }
  }

  private fail(res: ServerResponse, error: unknown): void {
    const apiError = toApiHttpError(error);
    if (apiError.status >= 500 && apiError.code === 'internal') this.onError(error);
    sendError(res, apiError);
  }
}
