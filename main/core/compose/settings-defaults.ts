// The settings' defaults as the composition root hands them to the settings store: the settings' own, plus the
// gateway's list of monitors and crawlers that never wake a model (settings never import the gateway).
import { DEFAULT_NO_WAKE_USER_AGENTS } from '../proxy/gateway-settings';
import type { Settings } from '../settings/settings-schema';
import { settingsDefaults } from '../settings/settings-schema';

/** Every default a fresh data dir starts with. */
export const SIESTA_SETTINGS_DEFAULTS: Settings = settingsDefaults({ noWakeUserAgents: DEFAULT_NO_WAKE_USER_AGENTS });
