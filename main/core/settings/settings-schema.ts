// The user's settings: their schema (zod), their defaults, and the schema of a partial update.
// Pure zod, no Node: the renderer reaches it through the control API contract.
import { z } from 'zod';
import { COST_SETTINGS_DEFAULTS, CostSettingsSchema } from './cost-settings';

const MIB = 1024 ** 2;

const nonNegative = (what: string) =>
  // zod 4 numbers reject NaN and Infinity already.
  z.number({ error: `expected ${what}` }).min(0, { error: `expected ${what}` });

const wholeMs = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(0, { error: `expected ${what}` });

const wholeAtLeast = (least: number, unit: string) =>
  z
    .number({ error: `expected a whole number of ${unit} >= ${least}` })
    .int({ error: `expected a whole number of ${unit} >= ${least}` })
    .min(least, { error: `expected a whole number of ${unit} >= ${least}` });

const hostName = z
  .string({ error: 'expected a host name such as gpu-box.lan' })
  .min(1, { error: 'expected a host name such as gpu-box.lan' })
  .regex(/^[A-Za-z0-9.*:[\]-]+$/, {
    error: 'expected a host name such as gpu-box.lan (no scheme, no path)',
  });

const origin = z
  .string({ error: 'expected an origin such as http://localhost:3000' })
  .regex(/^https?:\/\/[^/\s]+$/, {
    error: 'expected an origin such as http://localhost:3000 (scheme, host and port, no path)',
  });

/** Which desktop notifications the tray shows. */
export const NotificationSettingsSchema = z.strictObject({
  /** A request started waking a model. */
  wake: z.boolean({ error: 'expected true or false' }),
  /** A woken model became ready. */
  ready: z.boolean({ error: 'expected true or false' }),
  /** A wake failed. */
  failed: z.boolean({ error: 'expected true or false' }),
  /** A model was put to sleep to make room for another. */
  evicted: z.boolean({ error: 'expected true or false' }),
});
export type NotificationSettings = z.infer<typeof NotificationSettingsSchema>;

/** The gateway's user-adjustable limits. */
export const GatewaySettingsSchema = z.strictObject({
  /** Extra host names the gateway answers besides loopback, `localhost` and `NAME.localhost`. */
  allowedHosts: z.array(hostName, { error: 'expected a list of host names' }),
  /** Origins allowed by CORS; empty means no CORS headers at all. */
  corsOrigins: z.array(origin, { error: 'expected a list of origins' }),
  /** User-Agent substrings (case-insensitive) of monitors and probes that must never wake a model. */
  noWakeUserAgents: z.array(
    z.string().min(1, { error: 'expected a non-empty User-Agent substring' }),
    {
      error: 'expected a list of User-Agent substrings',
    },
  ),
  /** The most of a JSON body the gateway reads to find its `model` field. */
  maxRoutingBodyBytes: z
    .number({ error: 'expected a whole number of bytes >= 1024' })
    .int({ error: 'expected a whole number of bytes >= 1024' })
    .min(1024, { error: 'expected a whole number of bytes >= 1024' }),
  /** The most bytes of routing bodies held at once, all requests together; beyond it, 503 with Retry-After. */
  maxBufferedRoutingBytes: wholeAtLeast(1024, 'bytes'),
  /** A client must send its whole request header within this time. */
  headersTimeoutMs: wholeAtLeast(100, 'milliseconds'),
  /** A request's whole body must arrive within this time. */
  requestBodyTimeoutMs: wholeAtLeast(100, 'milliseconds'),
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeoutMs: wholeAtLeast(100, 'milliseconds'),
  /** The most connections open at once on each gateway port. */
  maxConnections: wholeAtLeast(1, 'connections'),
  /** The most connections open at once from one client address on each gateway port. */
  maxConnectionsPerClient: wholeAtLeast(1, 'connections'),
  /** A WebSocket idle for its model's idle time stops keeping the model awake. */
  releaseIdleWebSockets: z.boolean({ error: 'expected true or false' }),
});
export type GatewaySettings = z.infer<typeof GatewaySettingsSchema>;

/** Every setting. Money and CO2 of the ledger come from `pricePerKwh`, `currency` and `gridGramsCo2PerKwh`. */
export const SettingsSchema = z.strictObject({
  /** Price of one kWh, in `currency`. */
  pricePerKwh: nonNegative('a price per kWh >= 0, such as 0.30'),
  /** ISO 4217 code such as `EUR`, or any short text such as `kr`. */
  currency: z
    .string({ error: 'expected a currency such as EUR (1 to 8 characters)' })
    .trim()
    .min(1, { error: 'expected a currency such as EUR (1 to 8 characters)' })
    .max(8, { error: 'expected a currency such as EUR (1 to 8 characters)' }),
  /** Grid carbon intensity, grams of CO2 per kWh. */
  gridGramsCo2PerKwh: nonNegative('grams of CO2 per kWh >= 0, such as 400'),
  /** Idle time before sleep for models whose spec sets none; 0 never sleeps. */
  defaultIdleMs: wholeMs('a whole number of milliseconds >= 0'),
  notifications: NotificationSettingsSchema,
  /** How much one cold start annoys the user, as energy worth spending to avoid it (keep-alive policies, issue 9). */
  coldStartCostJoules: nonNegative('joules >= 0, such as 6000'),
  /**
   * A woken model stays at least this long before it may be evicted for another (issue 8). Default 0 (issue 15):
   * an idle model with nothing queued gives way at once; batches, not a hold, keep swaps rare.
   */
  minResidencyMs: wholeMs('a whole number of milliseconds >= 0'),
  /** VRAM kept free on each GPU when deciding whether a model fits. */
  vramMarginBytes: wholeMs('a whole number of bytes >= 0'),
  gateway: GatewaySettingsSchema,
  /** Start Siesta when the user logs in (desktop app). */
  autoStart: z.boolean({ error: 'expected true or false' }),
  /** Hardware, cloud and API prices for the Costs page (issue 16). */
  costs: CostSettingsSchema,
});
export type Settings = z.infer<typeof SettingsSchema>;

/**
 * The defaults the settings know themselves, used for every field the settings file does not set. The gateway's
 * no-wake User-Agents belong to the gateway: the composition root hands them in through `settingsDefaults`.
 */
export const SETTINGS_DEFAULTS: Settings = {
  pricePerKwh: 0.3,
  currency: 'EUR',
  gridGramsCo2PerKwh: 400,
  defaultIdleMs: 600_000,
  notifications: { wake: true, ready: true, failed: true, evicted: true },
  // Same figure as the keep-alive policies' default (main/core/policy/keep-alive-settings.ts).
  coldStartCostJoules: 6_000,
  minResidencyMs: 0,
  vramMarginBytes: 512 * MIB,
  gateway: {
    allowedHosts: [],
    corsOrigins: [],
    noWakeUserAgents: [],
    maxRoutingBodyBytes: 64 * MIB,
    maxBufferedRoutingBytes: 256 * MIB,
    headersTimeoutMs: 20_000,
    requestBodyTimeoutMs: 300_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: 4_096,
    maxConnectionsPerClient: 1_024,
    releaseIdleWebSockets: false,
  },
  autoStart: false,
  costs: COST_SETTINGS_DEFAULTS,
};

/** The defaults with the gateway's own lists of clients that never wake a model, and its own limits when given. */
export function settingsDefaults(
  gateway: { readonly noWakeUserAgents: readonly string[] } & Partial<
    Omit<GatewaySettings, 'noWakeUserAgents'>
  >,
): Settings {
  return {
    ...SETTINGS_DEFAULTS,
    gateway: {
      ...SETTINGS_DEFAULTS.gateway,
      ...gateway,
      noWakeUserAgents: [...gateway.noWakeUserAgents],
    },
  };
}

/** A partial update (`PUT /api/settings` and the settings file): any subset of fields, nested objects partial too; unknown keys are errors. */
export const SettingsPatchSchema = z.strictObject({
  pricePerKwh: SettingsSchema.shape.pricePerKwh.optional(),
  currency: SettingsSchema.shape.currency.optional(),
  gridGramsCo2PerKwh: SettingsSchema.shape.gridGramsCo2PerKwh.optional(),
  defaultIdleMs: SettingsSchema.shape.defaultIdleMs.optional(),
  notifications: NotificationSettingsSchema.partial().optional(),
  coldStartCostJoules: SettingsSchema.shape.coldStartCostJoules.optional(),
  minResidencyMs: SettingsSchema.shape.minResidencyMs.optional(),
  vramMarginBytes: SettingsSchema.shape.vramMarginBytes.optional(),
  gateway: GatewaySettingsSchema.partial().optional(),
  autoStart: SettingsSchema.shape.autoStart.optional(),
  costs: CostSettingsSchema.partial().optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

/** Applies a validated patch: top-level fields replace, nested objects merge. */
export function mergeSettings(base: Settings, patch: SettingsPatch): Settings {
  return {
    pricePerKwh: patch.pricePerKwh ?? base.pricePerKwh,
    currency: patch.currency ?? base.currency,
    gridGramsCo2PerKwh: patch.gridGramsCo2PerKwh ?? base.gridGramsCo2PerKwh,
    defaultIdleMs: patch.defaultIdleMs ?? base.defaultIdleMs,
    notifications: { ...base.notifications, ...definedOnly(patch.notifications) },
    coldStartCostJoules: patch.coldStartCostJoules ?? base.coldStartCostJoules,
    minResidencyMs: patch.minResidencyMs ?? base.minResidencyMs,
    vramMarginBytes: patch.vramMarginBytes ?? base.vramMarginBytes,
    gateway: { ...base.gateway, ...definedOnly(patch.gateway) },
    autoStart: patch.autoStart ?? base.autoStart,
    costs: { ...base.costs, ...definedOnly(patch.costs) },
  };
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
