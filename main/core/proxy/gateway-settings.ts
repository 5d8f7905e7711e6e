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
  /**
   * User-Agents that never wake a model: case-insensitive regular expression sources
   * (a plain substring works too; a source that is not a valid expression matches literally).
   */
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
  'Better ?Stack',
  'Better ?Uptime',
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
  'Datadog.*Synthetic',
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
export function gatewaySettings(
  given: Partial<GatewaySettings> = {},
): GatewaySettings {
  const defined = Object.fromEntries(
    Object.entries(given).filter(([, v]) => v !== undefined),
  ) as Partial<GatewaySettings>;
  const settings: GatewaySettings = { ...GATEWAY_DEFAULTS, ...defined };
  if (!Number.isInteger(settings.port) || settings.port < 0 || settings.port > 65535)
    throw new GatewaySettingsError('port', `expected a port 0..65535, got ${String(settings.port)}`);
  if (settings.host.trim() === '')
    throw new GatewaySettingsError('host', 'expected an address such as 127.0.0.1');
  if (!Number.isInteger(settings.maxRoutingBodyBytes) || settings.maxRoutingBodyBytes < 1024)
    throw new GatewaySettingsError(
      'maxRoutingBodyBytes',
      `expected a whole number of bytes >= 1024, got ${String(settings.maxRoutingBodyBytes)}`,
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
      throw new GatewaySettingsError(`noWakePaths.${i}`, `expected a path starting with /, got "${path}"`);
  });
  return settings;
}
