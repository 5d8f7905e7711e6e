// The control API's contract: request and response types with their runtime schemas (zod).
// The server, the CLI, the renderer and the tray all import this one module.
import { z } from 'zod';

/** A model's state as the API reports it. */
export const ModelStateSchema = z.enum(['asleep', 'waking', 'ready', 'stopping', 'failed']);
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
  backend: z.enum(['nvml', 'nvidia-smi', 'amd-sysfs', 'replay', 'none']),
  gpuCount: z.number().int(),
  lastError: z.string().nullable(),
  lastSampleAt: z.number().nullable(),
  /** How old the last sample is, ms; null when there is none. */
  staleMs: z.number().nullable(),
});
export type ProbeView = z.infer<typeof ProbeViewSchema>;

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
  idle: z.object({ policy: z.enum(['fixed', 'break-even', 'adaptive']), idleMs: z.number(), reason: z.string() }),
  wakeStartedAt: z.number().nullable(),
  readyAt: z.number().nullable(),
  /** Typical wake time from past wakes (p50), ms; null before the first. */
  wakeEstimateMs: z.number().nullable(),
  failure: z.object({ reason: z.string(), logLines: z.array(z.string()), at: z.number() }).nullable(),
  /** Energy that sleeping saved so far. */
  savedJoules: z.number(),
  savedIsEstimate: z.boolean(),
});
export type ModelView = z.infer<typeof ModelViewSchema>;

/** `GET /api/state`. */
export const StateResponseSchema = z.object({
  at: z.number(),
  gpus: z.array(GpuViewSchema),
  probe: ProbeViewSchema,
  models: z.array(ModelViewSchema),
  autoSleepPaused: z.boolean(),
  /** Energy saved today (local midnight to now), joules, all models. */
  savedTodayJoules: z.number(),
  gatewayUrl: z.string(),
});
export type StateResponse = z.infer<typeof StateResponseSchema>;

/** The error envelope of every API error. */
export const ApiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;
