// The settings' defaults as the composition root hands them to the settings store: the settings' own, plus the
// gateway's list of monitors and crawlers that never wake a model (settings never import the gateway).
import { DEFAULT_NO_WAKE_USER_AGENTS, GATEWAY_DEFAULTS } from '../proxy/gateway-settings';
import type { Settings } from '../settings/settings-schema';
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
