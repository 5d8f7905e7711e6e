// The settings' defaults as the composition root hands them to the settings store: the settings' own, plus the
// gateway's list of monitors and crawlers that never wake a model (settings never import the gateway); and the parts
// of the settings the gateway and the ledger take.
import { TOKEN_COOKIE } from '../api/request-guards';
import {
  DEFAULT_NO_WAKE_USER_AGENTS,
  GATEWAY_DEFAULTS,
  gatewaySettings,
} from '../proxy/gateway-settings';
import type { Settings } from '../settings/settings-schema';
import type { ListenAddress } from './siesta-types';
import { settingsDefaults } from '../settings/settings-schema';

/** Every default a fresh data dir starts with. */
export const SIESTA_SETTINGS_DEFAULTS: Settings = settingsDefaults({
  noWakeUserAgents: DEFAULT_NO_WAKE_USER_AGENTS,
  // The gateway's limits: one source for their figures.
  maxRoutingBodyBytes: GATEWAY_DEFAULTS.maxRoutingBodyBytes,
  maxBufferedRoutingBytes: GATEWAY_DEFAULTS.maxBufferedRoutingBytes,
  headersTimeoutMs: GATEWAY_DEFAULTS.headersTimeoutMs,
  requestBodyTimeoutMs: GATEWAY_DEFAULTS.requestBodyTimeoutMs,
  keepAliveTimeoutMs: GATEWAY_DEFAULTS.keepAliveTimeoutMs,
  maxConnections: GATEWAY_DEFAULTS.maxConnections,
  maxConnectionsPerClient: GATEWAY_DEFAULTS.maxConnectionsPerClient,
  releaseIdleWebSockets: GATEWAY_DEFAULTS.releaseIdleWebSockets,
});

/** The gateway's settings from the user's, on its address. */
export function gatewaySettingsOf(settings: Settings, address: ListenAddress) {
  return gatewaySettings({
    host: address.host,
    port: address.port,
    allowedHosts: settings.gateway.allowedHosts,
    corsOrigins: settings.gateway.corsOrigins,
    noWakeUserAgents: settings.gateway.noWakeUserAgents,
    maxRoutingBodyBytes: settings.gateway.maxRoutingBodyBytes,
    maxBufferedRoutingBytes: settings.gateway.maxBufferedRoutingBytes,
    headersTimeoutMs: settings.gateway.headersTimeoutMs,
    requestBodyTimeoutMs: settings.gateway.requestBodyTimeoutMs,
    keepAliveTimeoutMs: settings.gateway.keepAliveTimeoutMs,
    maxConnections: settings.gateway.maxConnections,
    maxConnectionsPerClient: settings.gateway.maxConnectionsPerClient,
    releaseIdleWebSockets: settings.gateway.releaseIdleWebSockets,
    privateCookieNames: [TOKEN_COOKIE],
  });
}

/** The ledger's prices from the user's settings. */
export function pricingOf(s: Settings) {
  return {
    pricePerKwh: s.pricePerKwh,
    currency: s.currency,
    gridCo2GramsPerKwh: s.gridGramsCo2PerKwh,
  };
}
