// What a request costs (issue 16), pure: local (measured energy at the user's electricity price, plus the hardware's
// purchase spread over its lifetime and its upkeep), a cloud GPU (price per minute of a request's time, plus a fixed
// monthly cost) and each API (its prices per million input and output tokens), for the user's own request mix.

/** The user's requests: what one costs in tokens and time, on average. */
export interface RequestMix {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Seconds of GPU time a request takes (its duration). */
  readonly seconds: number;
  /** Joules per request, all in (its marginal energy and its share of idle and wakes); null when unmeasured. */
  readonly joules: number | null;
}

/** The local box. */
export interface LocalCosts {
  readonly pricePerKwh: number;
  readonly hardwarePrice: number | null;
  readonly hardwareLifetimeMonths: number | null;
  readonly upkeepPerMonth: number | null;
}

/** A rented GPU. */
export interface CloudCosts {
  readonly pricePerMinute: number | null;
  readonly fixedPerMonth: number | null;
}

/** One API's prices, in its own currency. */
export interface ApiPrice {
  readonly name: string;
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
  readonly currency: string;
  /** When the price was read (YYYY-MM-DD), and where. */
  readonly asOf: string;
  readonly source: string;
}

/** One way of serving the requests: a fixed monthly cost plus a cost per request, in the user's currency. */
export interface CostOption {
  readonly kind: 'local' | 'cloud' | 'api';
  readonly name: string;
  readonly fixedPerMonth: number;
  readonly perRequest: number;
  /** Why the figure is partial or missing (no energy measured, no exchange rate), or null. */
  readonly note: string | null;
}

/** Where two options cost the same per month. */
export interface Crossover {
  readonly cheaperBelow: string;
  readonly cheaperAbove: string;
  readonly requestsPerMonth: number;
}

const JOULES_PER_KWH = 3_600_000;

/** The local option: energy per request, hardware and upkeep per month. */
export function localOption(mix: RequestMix, local: LocalCosts): CostOption {
  const lifetime = local.hardwareLifetimeMonths;
  const amortised =
    local.hardwarePrice !== null && lifetime !== null && lifetime > 0
      ? local.hardwarePrice / lifetime
      : 0;
  const note =
    mix.joules === null
      ? 'no energy measured yet'
      : local.hardwarePrice !== null && (lifetime === null || lifetime <= 0)
        ? 'hardware price without a lifetime is left out'
        : null;
  return {
    kind: 'local',
    name: 'local',
    fixedPerMonth: amortised + (local.upkeepPerMonth ?? 0),
    perRequest: ((mix.joules ?? 0) / JOULES_PER_KWH) * local.pricePerKwh,
    note,
  };
}

/** The cloud option, or null when no price per minute is set. */
export function cloudOption(mix: RequestMix, cloud: CloudCosts): CostOption | null {
  if (cloud.pricePerMinute === null) return null;
  return {
    kind: 'cloud',
    name: 'cloud GPU',
    fixedPerMonth: cloud.fixedPerMonth ?? 0,
    perRequest: (cloud.pricePerMinute * mix.seconds) / 60,
    note: null,
  };
}

/**
 * An API's option in the user's currency: `rateOf(currency)` is the user's currency per unit of the API's (1 for
 * the same currency), or null when unknown (then the option says so and costs nothing it could be compared by).
 */
export function apiOption(mix: RequestMix, api: ApiPrice, rate: number | null): CostOption {
  const perRequest =
    (mix.promptTokens * api.inputPerMillion + mix.completionTokens * api.outputPerMillion) / 1e6;
  return {
    kind: 'api',
    name: api.name,
    fixedPerMonth: 0,
    perRequest: perRequest * (rate ?? Number.NaN),
    note: rate === null ? `no exchange rate for ${api.currency}` : null,
  };
}

/** What the option costs in a month of `requests`. */
export function monthlyCost(option: CostOption, requests: number): number {
  return option.fixedPerMonth + option.perRequest * requests;
}

/** What one request costs at `requestsPerMonth` (the fixed costs spread over them). */
export function costPerRequest(option: CostOption, requestsPerMonth: number): number {
  return (
    option.perRequest + (requestsPerMonth > 0 ? option.fixedPerMonth / requestsPerMonth : Infinity)
  );
}

/** What a million tokens cost at `requestsPerMonth`, for the mix's tokens per request. */
export function costPerMillionTokens(
  option: CostOption,
  mix: RequestMix,
  requestsPerMonth: number,
): number {
  const tokens = mix.promptTokens + mix.completionTokens;
  return tokens > 0 ? (costPerRequest(option, requestsPerMonth) / tokens) * 1e6 : Number.NaN;
}

/** The monthly volume where `a` and `b` cost the same, or null when they never do (or one is unpriced). */
export function crossover(a: CostOption, b: CostOption): Crossover | null {
  const slope = a.perRequest - b.perRequest;
  const fixed = b.fixedPerMonth - a.fixedPerMonth;
  if (!Number.isFinite(slope) || slope === 0) return null;
  const n = fixed / slope;
  if (!(n > 0) || !Number.isFinite(n)) return null;
  // Below n the one with the smaller fixed cost wins.
  const [below, above] = a.fixedPerMonth < b.fixedPerMonth ? [a, b] : [b, a];
  return { cheaperBelow: below.name, cheaperAbove: above.name, requestsPerMonth: n };
}

/** Every crossover among the options, by volume. */
export function crossovers(options: readonly CostOption[]): Crossover[] {
  const found: Crossover[] = [];
  for (let i = 0; i < options.length; i++)
    for (let j = i + 1; j < options.length; j++) {
      const c = crossover(options[i] as CostOption, options[j] as CostOption);
      if (c !== null) found.push(c);
    }
  return found.sort((x, y) => x.requestsPerMonth - y.requestsPerMonth);
}

/** The cheapest option at a monthly volume. */
export function cheapestAt(options: readonly CostOption[], requests: number): CostOption | null {
  let best: CostOption | null = null;
  for (const o of options) {
    const cost = monthlyCost(o, requests);
    if (!Number.isFinite(cost)) continue;
    if (best === null || cost < monthlyCost(best, requests)) best = o;
  }
  return best;
}
