// The control API's contract: request and response types with their runtime schemas (zod).
// The server, the CLI, the renderer and the tray all import this one module.
import { z } from 'zod';
import { FailureCauseSchema, SleepCauseSchema, WakeCauseSchema } from '../shared/causes';
import { SettingsSchema } from '../settings/settings-schema';
import { EnergyUsed } from './energy-used-contract';

/** A model's state as the API reports it. */
export const ModelStateSchema = z.enum([
  'asleep',
  'waking',
  'ready',
  'stopping',
  'failed',
  // The sleep ladder (issue 15): the server's own sleep, VRAM freed and the process kept; it wakes in seconds.
  'dozing',
  'dozed',
]);
export type ApiModelState = z.infer<typeof ModelStateSchema>;

/** One GPU with its latest sample. */
export const GpuViewSchema = z.object({
  index: z.number().int(),
  uuid: z.string(),
  name: z.string(),
  vramUsedBytes: z.number().nullable(),
  vramTotalBytes: z.number().nullable(),
  powerWatts: z.number().nullable(),
  pstate: z.string().nullable(),
  utilizationPercent: z.number().nullable(),
  temperatureC: z.number().nullable(),
  /** Epoch ms of the sample. */
  at: z.number(),
});
export type GpuView = z.infer<typeof GpuViewSchema>;

/** The GPU probe's health. */
export const ProbeViewSchema = z.object({
  backend: z.enum(['nvml', 'nvidia-smi', 'amd-sysfs', 'replay', 'dcgm-exporter', 'none']),
  gpuCount: z.number().int(),
  lastError: z.string().nullable(),
  lastSampleAt: z.number().nullable(),
  /** How old the last sample is, ms; null when there is none. */
  staleMs: z.number().nullable(),
});
export type ProbeView = z.infer<typeof ProbeViewSchema>;

/** Why no GPU is shown: with no GPU found, the probe's own account of what it tried ("No GPU found: tried ..."); with
 * a backend chosen but no sample yet, which backend and its last error. */
export function noGpuText(probe: ProbeView): string {
  if (probe.backend === 'none') {
    const why = probe.lastError ?? 'no GPU found';
    return why.charAt(0).toUpperCase() + why.slice(1);
  }
  return `No GPU readings yet from ${probe.backend}${probe.lastError === null ? '' : `: ${probe.lastError}`}`;
}

/** One model inside a server of many (an Ollama container): learned from its `/api/tags`, loaded by its `/api/ps`. */
export const ServedModelViewSchema = z.object({
  name: z.string(),
  /** Its weights on disk. */
  sizeBytes: z.number(),
  /** Loaded in the awake server now. */
  loaded: z.boolean(),
  /** VRAM it holds while loaded (the server's `size_vram`), null when not loaded. */
  vramBytes: z.number().nullable(),
  /** When the gateway last forwarded a request for it, or null. */
  lastUsedAt: z.number().nullable(),
});
export type ServedModelView = z.infer<typeof ServedModelViewSchema>;

/** Where a wake starts from: a stopped container (a full start) or a dozing server (its own wake, seconds). */
export const WakeLevelSchema = z.enum(['asleep', 'dozed']);
export type WakeLevel = z.infer<typeof WakeLevelSchema>;

/** A model's doze as the dashboard, tray and CLI show it. */
export const DozeViewSchema = z.object({
  /** Which sleep API: vllm, sglang, http, ... */
  kind: z.string(),
  /** When the idle timer dozes it (epoch ms), or null. */
  dozeAt: z.number().nullable(),
  /** Since when it dozes (epoch ms), while dozed; else null. */
  dozedAt: z.number().nullable(),
  /** Typical wake time from a doze (p50 of past doze wakes), ms; null before the first. */
  wakeEstimateMs: z.number().nullable(),
  /** VRAM the last doze left held on its GPU (measured), or null before a doze was measured. */
  keptBytes: z.number().nullable(),
  /** Said when the last doze freed too little (Siesta then stops it when the room is needed); else null. */
  warning: z.string().nullable(),
});
export type DozeView = z.infer<typeof DozeViewSchema>;

/** One model as the dashboard and tray show it. */
export const ModelViewSchema = z.object({
  name: z.string(),
  container: z.string(),
  models: z.array(z.string()),
  state: ModelStateSchema,
  /** Requests, streams and WebSockets open now. */
  inFlight: z.number().int(),
  pinned: z.boolean(),
  group: z.string().nullable(),
  listenPort: z.number().int().nullable(),
  vramBytes: z.number().nullable(),
  vramSource: z.enum(['declared', 'measured', 'unknown']),
  gpuIndexes: z.array(z.number().int()),
  lastUsedAt: z.number().nullable(),
  /** When the idle timer will put it to sleep (epoch ms), or null. */
  sleepAt: z.number().nullable(),
  /** The idle time now in force and why (keep-alive policy). */
  idle: z.object({
    policy: z.enum(['fixed', 'break-even', 'adaptive']),
    idleMs: z.number(),
    reason: z.string(),
  }),
  wakeStartedAt: z.number().nullable(),
  /** While waking, what it is doing or waiting for: `starting the container`, `waiting for room on its GPU: llama is busy (1 request open)`. */
  wakeDetail: z.string().nullable(),
  readyAt: z.number().nullable(),
  /** Typical wake time from past wakes (p50), ms; null before the first. */
  wakeEstimateMs: z.number().nullable(),
  /** Why it failed: `reason` in words (what every reader shows), `cause` as data (null when this client does not know its kind). */
  failure: z
    .object({
      reason: z.string(),
      cause: FailureCauseSchema.nullable().catch(null),
      logLines: z.array(z.string()),
      at: z.number(),
    })
    .nullable(),
  /** Energy that sleeping saved so far. */
  savedJoules: z.number(),
  savedIsEstimate: z.boolean(),
  /** One standard uncertainty of `savedJoules` (sensor, sampling, attribution; docs/energy.md). Absent from older daemons. */
  savedUncertaintyJoules: z.number().optional(),
  ...EnergyUsed.model,
  /** The engine that runs it, when siesta.yaml names several (`engines:`); absent with one engine. */
  engine: z.string().optional(),
  /** For a server of many models (`siesta.server=ollama`): its models; absent for a container of one model. */
  serves: z.array(ServedModelViewSchema).optional(),
  /** Its sleep ladder (issue 15): doze first, stop at `sleepAt`; absent for a model without a doze. */
  doze: DozeViewSchema.optional(),
  /** While waking: `dozed` when its server's own wake runs (seconds), `asleep` for a start; absent or null otherwise. */
  wakeFrom: WakeLevelSchema.nullable().optional(),
});
export type ModelView = z.infer<typeof ModelViewSchema>;

/** `GET /api/state`. */
/** Whether the Docker Engine answers. */
export const EngineViewSchema = z.object({
  reachable: z.boolean(),
  /** Why it does not answer (the connection error), null while it does. */
  detail: z.string().nullable(),
  /** Epoch ms since it stopped answering, null while it does. */
  since: z.number().nullable(),
});
export type EngineView = z.infer<typeof EngineViewSchema>;

/** One engine of several (siesta.yaml's `engines:`): its name, kind, address and whether it answers. */
export const NamedEngineViewSchema = EngineViewSchema.extend({
  name: z.string(),
  kind: z.enum(['docker', 'swarm']),
  address: z.string(),
});
export type NamedEngineView = z.infer<typeof NamedEngineViewSchema>;

/** The sentence for one of several engines that does not answer, or null when it does. */
export function namedEngineAwayText(engine: NamedEngineView): string | null {
  if (engine.reachable) return null;
  return `Engine "${engine.name}" (${engine.address}) does not answer${engine.detail === null ? '' : ` (${engine.detail})`}; its models cannot wake until it does`;
}

/** The CLI's, the dashboard's and the tray's sentence for an engine that does not answer, or null when it does. */
export function engineAwayText(engine: EngineView): string | null {
  if (engine.reachable) return null;
  return `The Docker Engine does not answer${engine.detail === null ? '' : ` (${engine.detail})`}; Siesta keeps trying, and wakes wait for it`;
}

// The models of a state grouped by the engine that runs them (siesta.yaml's order), for the CLI, the dashboard and the tray.
/** One engine's models; `engine` is null when Siesta drives one engine. */
export interface EngineGroup {
  readonly engine: NamedEngineView | null;
  /** Why the engine does not answer, in a sentence, or null while it does. */
  readonly awayText: string | null;
  readonly models: readonly ModelView[];
}

/** Groups `state.models` by `state.engines`; a model naming an engine the state does not list is kept in a group of its own. */
export function engineGroups(
  state: Pick<StateResponse, 'engines' | 'models'>,
): readonly EngineGroup[] {
  const engines = state.engines ?? [];
  if (engines.length === 0) return [{ engine: null, awayText: null, models: state.models }];
  const groups = engines.map((engine) => ({
    engine,
    awayText: namedEngineAwayText(engine),
    models: state.models.filter((m) => m.engine === engine.name),
  }));
  const known = new Set(engines.map((e) => e.name));
  const stray = state.models.filter((m) => m.engine === undefined || !known.has(m.engine));
  return stray.length === 0 ? groups : [...groups, { engine: null, awayText: null, models: stray }];
}

export const StateResponseSchema = z.object({
  at: z.number(),
  engine: EngineViewSchema,
  /** Every engine, in siesta.yaml's order, when it names several; absent with one engine. */
  engines: z.array(NamedEngineViewSchema).optional(),
  gpus: z.array(GpuViewSchema),
  probe: ProbeViewSchema,
  models: z.array(ModelViewSchema),
  autoSleepPaused: z.boolean(),
  /** Energy saved today (local midnight to now), joules, all models. */
  savedTodayJoules: z.number(),
  savedTodayUncertaintyJoules: z.number().optional(), // one standard uncertainty; absent from older daemons
  savedTodayDozeJoules: z.number().optional(), // the part dozes saved (issue 15); absent from older daemons
  ...EnergyUsed.today,
  gatewayUrl: z.string(),
});
export type StateResponse = z.infer<typeof StateResponseSchema>;

/** The error envelope of every API error. */
export const ApiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

// ---- settings ----

export type {
  GatewaySettings,
  NotificationSettings,
  Settings,
  SettingsPatch,
} from '../settings/settings-schema';
/** `GET /api/settings` answers a `Settings`; `PUT /api/settings` takes a `SettingsPatch` (any subset; unknown keys are errors). */
export {
  GatewaySettingsSchema,
  NotificationSettingsSchema,
  SETTINGS_DEFAULTS,
  SettingsPatchSchema,
} from '../settings/settings-schema';
export { SettingsSchema };

// ---- requests ----

/** A model's name in a path such as `/api/models/{name}/wake`. */
export const ModelNameSchema = z
  .string()
  .min(1, { error: 'expected a model name' })
  .max(200, { error: 'expected a model name of at most 200 characters' });

// Who asked (`Via`) and why a model woke, slept or failed are data the lifecycle shares with this contract.
export {
  FailureCauseSchema,
  RouteKindSchema,
  SleepCauseSchema,
  ViaSchema,
  WakeCauseSchema,
} from '../shared/causes';
export type { FailureCause, RouteKind, SleepCause, Via, WakeCause } from '../shared/causes';

/** The header that carries `Via`. */
export const VIA_HEADER = 'x-siesta-via';

const waitFlag = z
  .enum(['0', '1', 'true', 'false'], { error: 'expected 1 or 0' })
  .transform((v) => v === '1' || v === 'true');

/** Query of `POST /api/models/{name}/wake` and `/sleep`: `wait=1` answers when the model is ready (or asleep), else at once with 202. */
export const ActionQuerySchema = z.strictObject({ wait: waitFlag.optional() });
export type ActionQuery = z.infer<typeof ActionQuerySchema>;

/** An empty query (every other endpoint): unknown parameters are errors. */
export const EmptyQuerySchema = z.strictObject({});

/** A point in time as a query parameter: an ISO 8601 date or date-time, or epoch milliseconds. */
export const TimeParamSchema = z.string().transform((text, ctx) => {
  const at = parseTimeParam(text);
  if (at === null) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an ISO date such as 2025-01-31 or 2025-01-31T12:00:00Z, or epoch ms, got "${text}"`,
    });
    return z.NEVER;
  }
  return at;
});

/** Parses an ISO date or date-time, or epoch ms, into epoch ms; null when it is neither. A bare date is local midnight. */
export function parseTimeParam(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d{1,15}$/.test(trimmed)) return Number(trimmed);
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const at = new Date(y, m - 1, d).getTime();
    const check = new Date(at);
    return check.getFullYear() === y && check.getMonth() === m - 1 && check.getDate() === d
      ? at
      : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(trimmed))
    return null;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? at : null;
}

/** The calendar buckets of the history. */
export const BucketSizeSchema = z.enum(['hour', 'day', 'week', 'month'], {
  error: 'expected one of hour, day, week, month',
});
export type BucketSize = z.infer<typeof BucketSizeSchema>;

/** Query of `GET /api/history` and `/api/history.csv`: `to` defaults to now, `from` to 30 days before `to` (365 for
 * the CSV), `bucket` to `day`; `model` narrows to one model. */
export const HistoryQuerySchema = z.strictObject({
  from: TimeParamSchema.optional(),
  to: TimeParamSchema.optional(),
  bucket: BucketSizeSchema.optional(),
  model: ModelNameSchema.optional(),
});
export type HistoryQueryInput = z.input<typeof HistoryQuerySchema>;

/** A history query with its defaults applied: [from, to) in epoch ms. What `ControlCore.history` receives. */
export interface HistoryQuery {
  readonly from: number;
  readonly to: number;
  readonly bucket: BucketSize;
  readonly model?: string;
}

// ---- responses ----

/** Figures of one bucket, for one model or all of them. Money and CO2 are null when no price or grid intensity is set. */
export const HistoryFiguresSchema = z.object({
  /** Net: what sleeping saved minus what the wakes cost. May be negative. */
  savedJoules: z.number(),
  savedKwh: z.number(),
  money: z.number().nullable(),
  co2Grams: z.number().nullable(),
  /** Wakes requested in the bucket (failed ones included). */
  wakes: z.number().int(),
  failedWakes: z.number().int(),
  wakeP50Ms: z.number().nullable(),
  wakeP95Ms: z.number().nullable(),
  hoursAwake: z.number(),
  hoursAsleep: z.number(),
  /** True when a figure behind it is an estimate (no GPU reading). */
  estimated: z.boolean(),
  /** One standard uncertainty of `savedJoules` (sensor, sampling, attribution: docs/energy.md); none for estimates. */
  savedUncertaintyJoules: z.number().optional(),
  dozeSavedJoules: z.number().optional(), // the part dozes saved (issue 15); absent from older daemons
  ...EnergyUsed.figures,
});
export type HistoryFigures = z.infer<typeof HistoryFiguresSchema>;

/** One model's figures in one bucket. */
export const HistoryModelRowSchema = HistoryFiguresSchema.extend({ model: z.string() });
export type HistoryModelRow = z.infer<typeof HistoryModelRowSchema>;

/** One bucket: [startAt, endAt) clipped to the query, its total, and each model with activity. */
export const HistoryBucketSchema = z.object({
  startAt: z.number(),
  endAt: z.number(),
  total: HistoryFiguresSchema,
  models: z.array(HistoryModelRowSchema),
});
export type HistoryBucket = z.infer<typeof HistoryBucketSchema>;

/** `GET /api/history`. */
export const HistoryResponseSchema = z.object({
  from: z.number(),
  to: z.number(),
  bucket: BucketSizeSchema,
  /** The currency of every `money`, or null when no price is set. */
  currency: z.string().nullable(),
  buckets: z.array(HistoryBucketSchema),
  /** The whole range [from, to). */
  totals: HistoryFiguresSchema,
  /** Each GPU's measured energy, split into its models' used energy and its own baseline. Absent from older daemons. */
  gpus: z.array(EnergyUsed.gpu).optional(),
});
export type HistoryResponse = z.infer<typeof HistoryResponseSchema>;

/** `POST /api/models/{name}/wake`, `/sleep`, `/pin`, `/unpin`: the model after the action. */
export const ModelActionResponseSchema = z.object({
  model: ModelViewSchema,
  /** With `wait=1`: how long the wake or sleep took, ms. Null when the call answered at once. */
  tookMs: z.number().nullable(),
});
export type ModelActionResponse = z.infer<typeof ModelActionResponseSchema>;
/** `POST /api/models/{server}/unload`: which model of the Ollama server to unload. */
export const UnloadRequestSchema = z.strictObject({
  model: z.string().min(1, { error: 'expected a model name' }),
});
export type UnloadRequest = z.infer<typeof UnloadRequestSchema>;

/** The answer of a wake. */
export type WakeResponse = ModelActionResponse;
/** The answer of a sleep. */
export type SleepResponse = ModelActionResponse;

/** `POST /api/auto-sleep/pause` and `/resume`. */
export const AutoSleepResponseSchema = z.object({ autoSleepPaused: z.boolean() });
export type AutoSleepResponse = z.infer<typeof AutoSleepResponseSchema>;

/** The codes of the error envelope. */
export type ApiErrorCode =
  | 'unauthorized'
  | 'forbidden-host'
  | 'forbidden-origin'
  | 'not-found'
  | 'unknown-model'
  | 'method-not-allowed'
  | 'invalid-request'
  | 'invalid-setting'
  | 'body-too-large'
  | 'wake-failed'
  | 'wake-timeout'
  | 'never-fits'
  | 'conflict'
  | 'unavailable'
  | 'internal';

// ---- events (`GET /api/events`, server-sent events: one JSON `ApiEvent` per `data:` line) ----

const at = z.number();

/** Every event of the live stream. The first one on each connection is a `snapshot`. */
export const ApiEventSchema = z.discriminatedUnion('type', [
  /** The whole state; sent first on each connection. */
  z.object({ type: z.literal('snapshot'), at, state: StateResponseSchema }),
  /** A model's view changed (state, in-flight, pin, timers...). */
  z.object({ type: z.literal('model'), at, model: ModelViewSchema }),
  /** One tick of GPU samples. */
  z.object({ type: z.literal('samples'), at, gpus: z.array(GpuViewSchema) }),
  /**
   * A wake started. `wakeCause` says why, as data; `cause` is the same as text for clients of old
   * (`request:path /qwen/`, `user:dashboard`, `prewarm`, `external`). A client that does not know the
   * kind of a newer daemon's cause reads `wakeCause` as null and can show `cause`.
   */
  z.object({
    type: z.literal('wake-requested'),
    at,
    model: z.string(),
    cause: z.string(),
    wakeCause: WakeCauseSchema.nullable().catch(null),
    /** `dozed`: the server's own wake (seconds); absent or `asleep`: a container start. */
    from: WakeLevelSchema.optional(),
    /** How long a wake from there usually takes (past wakes of this level), ms; absent or null when unknown. */
    expectedMs: z.number().nullable().optional(),
  }),
  z.object({
    type: z.literal('wake-ready'),
    at,
    model: z.string(),
    wakeMs: z.number(),
    from: WakeLevelSchema.optional(),
  }),
  z.object({
    type: z.literal('wake-failed'),
    at,
    model: z.string(),
    reason: z.string(),
    /** The reason as data (null when this client does not know its kind). */
    failureCause: FailureCauseSchema.nullable().catch(null),
    logLines: z.array(z.string()),
  }),
  /** A model went to sleep: `sleepCause` as data (null when unknown to this client), `cause` as text (`idle`, `evicted:for qwen`). */
  z.object({
    type: z.literal('slept'),
    at,
    model: z.string(),
    cause: z.string(),
    sleepCause: SleepCauseSchema.nullable().catch(null),
  }),
  /** The server dozed (VRAM freed, process kept); `cause` as for `slept`, `sleepCause` as data. */
  z.object({
    type: z.literal('dozed'),
    at,
    model: z.string(),
    cause: z.string(),
    sleepCause: SleepCauseSchema.nullable().catch(null),
  }),
  z.object({ type: z.literal('evicted'), at, model: z.string(), forModel: z.string() }),
  z.object({ type: z.literal('auto-sleep'), at, paused: z.boolean() }),
  z.object({ type: z.literal('settings'), at, settings: SettingsSchema }),
  /** Something went wrong in the background (GPU probe, Docker, ledger); `source` names the part. */
  z.object({ type: z.literal('error'), at, source: z.string(), message: z.string() }),
]);
export type ApiEvent = z.infer<typeof ApiEventSchema>;

// Parts of this contract in their own modules: managing models (templates, sizing, add, edit, adopt, remove); the first run's
// advice (what works without Docker or a GPU); what a request costs (`/api/costs`); energy used (history, issue 14).
export * from './manage-contract';
export * from './setup-advice';
export * from './costs-contract';
export * from './energy-used-contract';
