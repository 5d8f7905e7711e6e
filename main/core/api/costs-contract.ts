// The control API's costs answer (issue 16, `GET /api/costs`): this month's requests, tokens, energy and money per
// model, the user's request mix, what each way of serving it costs (local, cloud, APIs) and where they cross.
import { z } from 'zod';

/** One model's requests this month. */
export const CostModelRowSchema = z.object({
  model: z.string(),
  requests: z.number().int(),
  failed: z.number().int(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  /** Requests whose tokens are estimated (the model reported no usage). */
  estimatedRequests: z.number().int(),
  /** GPU energy above idle while it served them. */
  marginalKwh: z.number(),
  /** With its share, by tokens, of the GPUs' idle and wake energy. */
  allInKwh: z.number(),
  /** `allInKwh` at the electricity price. */
  energyMoney: z.number(),
  firstByteMsMean: z.number().nullable(),
});
export type CostModelRow = z.infer<typeof CostModelRowSchema>;

/** One way of serving the requests: a fixed monthly cost plus a cost per request, in `currency`. */
export const CostOptionViewSchema = z.object({
  kind: z.enum(['local', 'cloud', 'api']),
  name: z.string(),
  fixedPerMonth: z.number(),
  /** Null when it cannot be priced (an API without an exchange rate). */
  perRequest: z.number().nullable(),
  /** At this month's volume. */
  perRequestNow: z.number().nullable(),
  perMillionTokensNow: z.number().nullable(),
  note: z.string().nullable(),
  /** For an API: when its price was read and where. */
  asOf: z.string().nullable(),
  source: z.string().nullable(),
});
export type CostOptionView = z.infer<typeof CostOptionViewSchema>;

/** `GET /api/costs`. */
export const CostsResponseSchema = z.object({
  currency: z.string(),
  /** This month so far: [from, to). */
  from: z.number(),
  to: z.number(),
  models: z.array(CostModelRowSchema),
  totals: CostModelRowSchema.omit({ model: true }),
  /** The average request this month, or null before the first. */
  mix: z
    .object({
      promptTokens: z.number(),
      completionTokens: z.number(),
      seconds: z.number(),
      allInJoules: z.number().nullable(),
    })
    .nullable(),
  /** This month's pace: requests so far spread over the whole month. */
  monthlyRequests: z.number(),
  options: z.array(CostOptionViewSchema),
  crossovers: z.array(
    z.object({
      cheaperBelow: z.string(),
      cheaperAbove: z.string(),
      requestsPerMonth: z.number(),
    }),
  ),
  cheapestNow: z.string().nullable(),
  /** What sleeping saved this month, and what the GPUs' energy cost (the local energy bill it was saved from). */
  sleeping: z.object({
    savedKwh: z.number(),
    savedMoney: z.number(),
    gpuKwh: z.number(),
    gpuMoney: z.number(),
  }),
});
export type CostsResponse = z.infer<typeof CostsResponseSchema>;
