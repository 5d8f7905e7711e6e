// The control API's contract for managing models: templates, sizing, add (with a progress stream), edit, adopt and
// remove. Request bodies are validated with these schemas on the server; the CLI and the dashboard import the types.
import { z } from 'zod';
import { PRECISION_IDS } from '../templates/precision';

const precision = z.enum(PRECISION_IDS as [string, ...string[]]);

/** `GET /api/templates`: one template as the dashboard offers it. */
export const TemplateViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.enum(['chat', 'embeddings', 'speech-to-text', 'image']),
  image: z.string(),
  precisions: z.array(z.object({ id: precision, label: z.string(), qualityNote: z.string() })),
  needsModelId: z.boolean(),
  modelIdExample: z.string(),
  takesContext: z.boolean(),
});
export type TemplateView = z.infer<typeof TemplateViewSchema>;
export const TemplatesResponseSchema = z.object({ templates: z.array(TemplateViewSchema) });

/** `POST /api/sizing`: what to size. */
export const SizingRequestSchema = z.strictObject({
  template: z.string(),
  modelId: z.string(),
  contextTokens: z.number().int().positive().optional(),
  params: z.string().optional(),
});

/** One precision's estimate and where it fits. */
export const SizingOptionViewSchema = z.object({
  precision,
  label: z.string(),
  totalBytes: z.number(),
  weightsBytes: z.number(),
  kvCacheBytes: z.number(),
  overheadBytes: z.number(),
  kvApproximate: z.boolean(),
  fitsNowOn: z.array(z.number().int()),
  fitsOn: z.array(z.number().int()),
});

/** `POST /api/sizing`'s answer; `sizing` is null when the model's size is unknown (give `params`). */
export const SizingResponseSchema = z.object({
  sizing: z
    .object({
      title: z.string(),
      paramCount: z.number(),
      contextTokens: z.number().int(),
      options: z.array(SizingOptionViewSchema),
      recommended: precision.nullable(),
      recommendedFitsNow: z.boolean(),
      qualityNote: z.string().nullable(),
    })
    .nullable(),
  gpuCount: z.number().int(),
});
export type SizingResponse = z.infer<typeof SizingResponseSchema>;

/** `POST /api/models`: add a model from a template. */
export const AddModelBodySchema = z.strictObject({
  template: z.string(),
  name: z.string(),
  modelId: z.string().optional(),
  idle: z.string().optional(),
  contextTokens: z.number().int().optional(),
  precision: z.string().optional(),
  gpu: z.union([z.number().int().nonnegative(), z.literal('all'), z.literal('none')]).optional(),
  image: z.string().optional(),
  hostPort: z.number().int().optional(),
  params: z.string().optional(),
  pull: z.enum(['missing', 'always', 'never']).optional(),
});
export type AddModelBody = z.infer<typeof AddModelBodySchema>;

/** One line of `POST /api/models`' answer (newline-delimited JSON, sent as the add goes). */
export const AddProgressLineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('planned'),
    precision,
    image: z.string(),
    estimateBytes: z.number().nullable(),
  }),
  z.object({
    type: z.literal('pull'),
    layers: z.array(
      z.object({
        id: z.string(),
        status: z.string(),
        currentBytes: z.number(),
        totalBytes: z.number().nullable(),
        done: z.boolean(),
      }),
    ),
    currentBytes: z.number(),
    totalBytes: z.number(),
  }),
  z.object({ type: z.literal('image-ready'), pulled: z.boolean() }),
  z.object({ type: z.literal('created'), model: z.string(), containerId: z.string() }),
  z.object({
    type: z.literal('error'),
    error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
  }),
]);
export type AddProgressLine = z.infer<typeof AddProgressLineSchema>;

/** `PUT /api/models/NAME/settings`: the settings to change; null removes one (its default applies). */
export const EditSettingsBodySchema = z.strictObject({
  idle: z.string().optional(),
  policy: z.enum(['fixed', 'break-even', 'adaptive']).optional(),
  pin: z.boolean().optional(),
  vram: z.string().nullable().optional(),
  group: z.string().nullable().optional(),
  /** The lighter sleep (vllm, sglang, http...; `none` or null: it simply stops), and an `http` doze's paths. */
  doze: z.string().nullable().optional(),
  dozeSleep: z.string().nullable().optional(),
  dozeWake: z.string().nullable().optional(),
  dozeStatus: z.string().nullable().optional(),
});
export type EditSettingsBody = z.infer<typeof EditSettingsBodySchema>;

/** `POST /api/adopt`: put an existing container under Siesta. */
export const AdoptBodySchema = z.strictObject({
  container: z.string(),
  mode: z.enum(['recreate', 'yaml']),
  name: z.string().optional(),
  port: z.number().int().optional(),
  health: z.string().optional(),
  idle: z.string().optional(),
});
export type AdoptBody = z.infer<typeof AdoptBodySchema>;

/** `POST /api/models/NAME/remove`. */
export const RemoveBodySchema = z.strictObject({ removeContainer: z.boolean().optional() });

/** What an edit, adopt or remove did, in one sentence. */
export const ManageResponseSchema = z.object({ model: z.string(), done: z.string() });
export type ManageResponse = z.infer<typeof ManageResponseSchema>;

/** `GET /api/models/NAME/estimate`: the VRAM estimated when it was added against what it used. */
export const EstimateCheckSchema = z.object({
  estimateBytes: z.number().nullable(),
  measuredBytes: z.number().nullable(),
  errorPercent: z.number().nullable(),
  text: z.string(),
});
export type EstimateCheckView = z.infer<typeof EstimateCheckSchema>;
