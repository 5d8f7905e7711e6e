// The gateway's settings: its address, the host names and origins it trusts, and the clients that never wake a model.

const MIB = 1024 ** 2;

/** What the gateway is told by the composition root (from the settings store and the command line). */
export interface GatewaySettings {
  /** Address of the main port; loopback by default (DESIGN.md, "Security"). Model ports bind here too. */
  readonly host: string;
  /** The main port; 0 picks a free one (tests). */
  readonly port: number;
  /** Extra `Host` names answered besides loopback, `localhost` and `NAME.localhost`; `*.lan` matches any subdomain. */
  readonly allowedHosts: readonly string[];
  /** Origins (`http://host:port`) allowed by CORS; empty means no CORS headers and no cross-site requests. */
  readonly corsOrigins: readonly string[];
  /** The most of a body read to find its `model` field; larger bodies get 413. */
  readonly maxRoutingBodyBytes: number;
  /** The most bytes of routing bodies held in memory at once, all requests together; beyond it, 503 with Retry-After. */
  readonly maxBufferedRoutingBytes: number;
  /** A connection must finish sending its request header within this time (408 and closed otherwise). */
  readonly headersTimeoutMs: number;
  /** A request's whole body must arrive within this time (the response may stream for as long as it likes). */
  readonly requestBodyTimeoutMs: number;
  /** An idle keep-alive connection is closed after this time. */
  readonly keepAliveTimeoutMs: number;
  /** The most connections open at once on each gateway port; beyond it, 503 (also bounded by the open-files limit). */
  readonly maxConnections: number;
  /** The most connections open at once from one client address on each gateway port; beyond it, 503. */
  readonly maxConnectionsPerClient: number;
  /** A WebSocket with no frame either way for the model's idle time stops holding the model awake (it stays open). */
  readonly releaseIdleWebSockets: boolean;
  /** User-Agents that never wake a model: case-insensitive substrings. */
  readonly noWakeUserAgents: readonly string[];
  /** Paths that never wake a model (exact, or a prefix when they end in `*`), e.g. `/health`. */
  readonly noWakePaths: readonly string[];
  /** Siesta's own cookies (the control API's token), which never reach a model; handed in by the composition root. */
  readonly privateCookieNames: readonly string[];
}

/** Uptime monitors, load-balancer probes and crawlers: their requests must not cost a wake. */
export const DEFAULT_NO_WAKE_USER_AGENTS: readonly string[] = [
  'UptimeRobot',
  'Pingdom',
  'StatusCake',
  'BetterStack',
  'Better Stack',
  'BetterUptime',
  'Better Uptime',
  'Uptime-Kuma',
  'kube-probe',
  'ELB-HealthChecker',
  'GoogleHC',
  'Prometheus',
  'blackbox_exporter',
  'Site24x7',
  'Checkly',
  'HetrixTools',
  'Zabbix',
  'check_http',
  'Consul Health Check',
  'Datadog/Synthetics',
  'NewRelicPinger',
  'Googlebot',
  'bingbot',
  'DuckDuckBot',
  'YandexBot',
  'Baiduspider',
  'facebookexternalhit',
  'Slackbot',
  'Twitterbot',
  'Discordbot',
];

/** Paths that probes and browsers fetch on their own. */
export const DEFAULT_NO_WAKE_PATHS: readonly string[] = [
  '/health',
  '/healthz',
  '/livez',
  '/readyz',
  '/metrics',
  '/favicon.ico',
  '/robots.txt',
  '/apple-touch-icon.png',
  '/apple-touch-icon-precomposed.png',
];

/** The defaults of DESIGN.md ("Defaults", "Security"). */
export const GATEWAY_DEFAULTS: GatewaySettings = {
  host: '127.0.0.1',
  port: 11400,
  allowedHosts: [],
  corsOrigins: [],
  maxRoutingBodyBytes: 64 * MIB,
  maxBufferedRoutingBytes: 256 * MIB,
  headersTimeoutMs: 20_000,
  requestBodyTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4_096,
  maxConnectionsPerClient: 1_024,
  releaseIdleWebSockets: false,
  noWakeUserAgents: DEFAULT_NO_WAKE_USER_AGENTS,
  noWakePaths: DEFAULT_NO_WAKE_PATHS,
  privateCookieNames: [],
};

/** A setting the gateway cannot use, naming the field and what was expected. */
export class GatewaySettingsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`gateway setting ${field}: ${message}`);
    this.name = 'GatewaySettingsError';
  }
}

/** Fills the defaults for every field not given and checks the rest; throws a `GatewaySettingsError`. */
export function gatewaySettings(given: Partial<GatewaySettings> = {}): GatewaySettings {
  const defined = Object.fromEntries(
    Object.entries(given).filter(([, v]) => v !== undefined),
  ) as Partial<GatewaySettings>;
  const settings: GatewaySettings = { ...GATEWAY_DEFAULTS, ...defined };
  if (!Number.isInteger(settings.port) || settings.port < 0 || settings.port > 65535)
    throw new GatewaySettingsError(
      'port',
      `expected a port 0..65535, got ${String(settings.port)}`,
    );
  if (settings.host.trim() === '')
    throw new GatewaySettingsError('host', 'expected an address such as 127.0.0.1');
  if (!Number.isInteger(settings.maxRoutingBodyBytes) || settings.maxRoutingBodyBytes < 1024)
    throw new GatewaySettingsError(
      'maxRoutingBodyBytes',
      `expected a whole number of bytes >= 1024, got ${String(settings.maxRoutingBodyBytes)}`,
    );
  if (
    !Number.isInteger(settings.maxBufferedRoutingBytes) ||
    settings.maxBufferedRoutingBytes < settings.maxRoutingBodyBytes
  )
    throw new GatewaySettingsError(
      'maxBufferedRoutingBytes',
      `expected a whole number of bytes >= maxRoutingBodyBytes (${settings.maxRoutingBodyBytes}), got ${String(settings.maxBufferedRoutingBytes)}`,
    );
  for (const field of ['headersTimeoutMs', 'requestBodyTimeoutMs', 'keepAliveTimeoutMs'] as const)
    if (!Number.isInteger(settings[field]) || settings[field] < 100)
      throw new GatewaySettingsError(
        field,
        `expected a whole number of milliseconds >= 100, got ${String(settings[field])}`,
      );
  for (const field of ['maxConnections', 'maxConnectionsPerClient'] as const)
    if (!Number.isInteger(settings[field]) || settings[field] < 1)
      throw new GatewaySettingsError(
        field,
        `expected a whole number of connections >= 1, got ${String(settings[field])}`,
      );
  settings.corsOrigins.forEach((origin, i) => {
    if (!/^https?:\/\/[^/\s]+$/i.test(origin))
      throw new GatewaySettingsError(
        `corsOrigins.${i}`,
        `expected an origin such as http://localhost:3000 (scheme, host and port, no path), got "${origin}"`,
      );
  });
  settings.noWakePaths.forEach((path, i) => {
    if (!path.startsWith('/'))
      throw new GatewaySettingsError(
        `noWakePaths.${i}`,
        `expected a path starting with /, got "${path}"`,
      );
  });
  return settings;
}
