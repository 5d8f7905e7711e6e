// The history's energy-used figures (issue 14): what each model used awake and waking, and each GPU's measured energy
// split into its models' parts and its own baseline. Part of the control API's contract (contract.ts re-exports it).
import { z } from 'zod';

/** Fields of every history figure. Absent from older daemons. */
export const EnergyUsedFields = {
  /** Energy used: awake (resident, at the watts its sleeps are credited) plus waking; a stopped model draws none. */
  usedJoules: z.number().optional(),
  usedKwh: z.number().optional(),
  /** What `usedJoules` cost at the configured price; null without one. */
  usedMoney: z.number().nullable().optional(),
  /** The awake part of `usedJoules`. */
  awakeUsedJoules: z.number().optional(),
  /** The waking part of `usedJoules`: the wakes' energy. */
  wakingUsedJoules: z.number().optional(),
  /** One standard uncertainty of `usedJoules` (sensor, sampling, attribution; docs/energy.md). */
  usedUncertaintyJoules: z.number().optional(),
};

/** Fields of a model: what it used so far (awake and waking), all its history. Absent from older daemons. */
export const ModelUsedFields = {
  usedJoules: z.number().optional(),
  usedUncertaintyJoules: z.number().optional(),
  /** What `usedJoules` cost at the configured price, in `usedCurrency`; null without a price. */
  usedMoney: z.number().nullable().optional(),
  usedCurrency: z.string().nullable().optional(),
};

/** Fields of the state: what every model used today (local midnight to now). Absent from older daemons. */
export const UsedTodayFields = {
  usedTodayJoules: z.number().optional(),
  usedTodayUncertaintyJoules: z.number().optional(),
};

/** One GPU over the history's range: measured energy = its models' parts + its own baseline. */
export const GpuEnergySchema = z.object({
  gpuIndex: z.number().int(),
  /** Integrated from its power readings; `coveredHours` says how much of the range they covered. */
  measuredJoules: z.number(),
  measuredKwh: z.number(),
  /** What `measuredJoules` cost at the configured price; null without one. */
  measuredMoney: z.number().nullable(),
  coveredHours: z.number(),
  /** Each model's used energy on this GPU (a model on several GPUs split evenly). */
  models: z.array(z.object({ model: z.string(), usedJoules: z.number() })),
  modelsUsedJoules: z.number(),
  /** Measured less the models' parts: the GPU's idle baseline and anything no model's figure covers. */
  baselineJoules: z.number(),
});
export type GpuEnergy = z.infer<typeof GpuEnergySchema>;

/** The parts contract.ts spreads into its schemas. */
export const EnergyUsed = {
  figures: EnergyUsedFields,
  model: ModelUsedFields,
  today: UsedTodayFields,
  gpu: GpuEnergySchema,
} as const;
