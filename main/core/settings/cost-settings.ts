// The costs a user may enter (issue 16): the box's purchase, lifetime and upkeep, a cloud GPU's prices, and a table of
// API prices shipped with a few dated defaults (date and source beside each), plus exchange rates for them.
// Pure zod, no Node: the renderer reaches it through the control API contract.
import { z } from 'zod';

const amountOrNull = (what: string) =>
  z
    .number({ error: `expected ${what}, or null` })
    .min(0, { error: `expected ${what}, or null` })
    .nullable();

/** One API's prices per million tokens, in its own currency, with when and where they were read. */
export const ApiPriceSchema = z.strictObject({
  name: z
    .string({ error: 'expected a name such as gpt-4o-mini' })
    .trim()
    .min(1, { error: 'expected a name such as gpt-4o-mini' }),
  inputPerMillion: z
    .number({ error: 'expected a price per million input tokens >= 0' })
    .min(0, { error: 'expected a price per million input tokens >= 0' }),
  outputPerMillion: z
    .number({ error: 'expected a price per million output tokens >= 0' })
    .min(0, { error: 'expected a price per million output tokens >= 0' }),
  currency: z
    .string({ error: 'expected a currency such as USD' })
    .trim()
    .min(1, { error: 'expected a currency such as USD' })
    .max(8, { error: 'expected a currency such as USD' }),
  asOf: z
    .string({ error: 'expected a date such as 2024-10-01' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date such as 2024-10-01' }),
  source: z
    .string({ error: 'expected where the price comes from, such as a URL' })
    .trim()
    .min(1, { error: 'expected where the price comes from, such as a URL' }),
});
export type ApiPriceSetting = z.infer<typeof ApiPriceSchema>;

/** What serving requests costs besides the electricity (whose price is `pricePerKwh`). */
export const CostSettingsSchema = z.strictObject({
  /** What the local box cost to buy, in `currency`; null when not counted. */
  hardwarePrice: amountOrNull('a price >= 0 such as 45000'),
  /** Months the box is written off over. */
  hardwareLifetimeMonths: amountOrNull('a number of months > 0 such as 36').refine(
    (v) => v === null || v > 0,
    {
      error: 'expected a number of months > 0 such as 36, or null',
    },
  ),
  /** Upkeep of the box per month (space, support, staff), in `currency`. */
  upkeepPerMonth: amountOrNull('an amount per month >= 0 such as 2500'),
  /** A rented GPU's price per minute, in `currency`; null: no cloud comparison. */
  cloudPricePerMinute: amountOrNull('a price per minute >= 0 such as 0.10'),
  /** A rented GPU's fixed cost per month, in `currency`. */
  cloudFixedPerMonth: amountOrNull('an amount per month >= 0 such as 2000'),
  /** API prices to compare with; edit freely. */
  apiPrices: z.array(ApiPriceSchema, { error: 'expected a list of API prices' }),
  /** Units of `currency` per unit of another currency (for API prices in it), e.g. { "USD": 0.95 }. */
  exchangeRates: z.record(
    z.string(),
    z
      .number({ error: 'expected an exchange rate > 0' })
      .gt(0, { error: 'expected an exchange rate > 0' }),
    { error: 'expected exchange rates such as { "USD": 0.95 }' },
  ),
});
export type CostSettings = z.infer<typeof CostSettingsSchema>;

/** The defaults: nothing of the user's own costs, a few APIs' list prices as published on the date beside each. */
export const COST_SETTINGS_DEFAULTS: CostSettings = {
  hardwarePrice: null,
  hardwareLifetimeMonths: null,
  upkeepPerMonth: null,
  cloudPricePerMinute: null,
  cloudFixedPerMonth: null,
  apiPrices: [
    {
      name: 'OpenAI gpt-4o-mini',
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
      currency: 'USD',
      asOf: '2024-07-18',
      source: 'https://openai.com/api/pricing/',
    },
    {
      name: 'OpenAI gpt-4o',
      inputPerMillion: 2.5,
      outputPerMillion: 10,
      currency: 'USD',
      asOf: '2024-10-01',
      source: 'https://openai.com/api/pricing/',
    },
    {
      name: 'Anthropic Claude 3.5 Sonnet',
      inputPerMillion: 3,
      outputPerMillion: 15,
      currency: 'USD',
      asOf: '2024-06-20',
      source: 'https://www.anthropic.com/pricing#anthropic-api',
    },
  ],
  // ECB reference rate of late November 2024: 1 EUR = about 1.05 USD. Change it for another currency or date.
  exchangeRates: { USD: 0.95 },
};
