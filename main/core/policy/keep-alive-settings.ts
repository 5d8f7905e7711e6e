// The knobs of the keep-alive policies, with their defaults and the reasons for them.

/** Settings shared by the break-even and adaptive policies. */
export interface KeepAliveSettings {
  /** How much one cold start annoys a user, in joules of energy it would be worth spending to avoid it. */
  readonly coldStartCostJoules: number;
  /** Adaptive falls back to break-even until it has seen this many idle gaps of the model. */
  readonly minGapsForAdaptive: number;
  /** Gaps that began on an earlier day within this much of the current time of day ... */
  readonly timeOfDayWindowMs: number;
  /** ... weigh this many times more in the histogram (1: time of day is ignored). */
  readonly timeOfDayBoost: number;
  /** A gap's weight halves every this much age, so the histogram follows changed habits. */
  readonly gapHalfLifeMs: number;
  /** Gaps older than this are forgotten. */
  readonly historyMaxAgeMs: number;
  /** At most this many gaps are kept per model (the oldest go first). */
  readonly historyMaxGaps: number;
  /** The shortest idle time a learned policy sets ("sleep now" still lets a follow-up request in). */
  readonly minIdleMs: number;
  /** The longest idle time a learned policy sets. */
  readonly maxIdleMs: number;
  /** Whether adaptive may wake a model before a predicted arrival. */
  readonly prewarm: boolean;
  /** Pre-warming looks at this many past days at the same time of day. */
  readonly prewarmLookbackDays: number;
  /** ... and needs an arrival at a similar time on at least this many of them. */
  readonly prewarmMinDays: number;
  /** ... within a spread (10th to 90th percentile of the arrival times) of at most this. */
  readonly prewarmMaxSpreadMs: number;
  /** The pre-warm aims to be ready this long before the earliest usual arrival. */
  readonly prewarmLeadMs: number;
  /**
   * Only arrivals predicted at least this far ahead are pre-warmed for (a return after a long absence: the
   * morning, after lunch, a nightly job). Nearer ones are the idle timeout's job; and among the many short
   * windows a busy day offers, some line up on a few days by chance.
   */
  readonly prewarmMinAheadMs: number;
}

/** The defaults. */
export const KEEP_ALIVE_DEFAULTS: KeepAliveSettings = {
  // A ~20 s cold start that someone waits through is worth 200 s of a 30 W idle model (6 kJ, 1.7 Wh) to avoid.
  // The app takes the figure from settings (main/core/settings/settings-schema.ts, same default).
  coldStartCostJoules: 6_000,
  minGapsForAdaptive: 20,
  timeOfDayWindowMs: 45 * 60_000,
  timeOfDayBoost: 4,
  gapHalfLifeMs: 3 * 86_400_000,
  historyMaxAgeMs: 28 * 86_400_000,
  historyMaxGaps: 4_000,
  minIdleMs: 1_000,
  maxIdleMs: 2 * 3_600_000,
  prewarm: true,
  prewarmLookbackDays: 7,
  prewarmMinDays: 3,
  prewarmMaxSpreadMs: 45 * 60_000,
  prewarmLeadMs: 60_000,
  prewarmMinAheadMs: 30 * 60_000,
};

/** The defaults with some settings replaced; rejects values that make no sense, naming the setting. */
export function keepAliveSettings(overrides: Partial<KeepAliveSettings> = {}): KeepAliveSettings {
  const settings = { ...KEEP_ALIVE_DEFAULTS, ...overrides };
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) {
      throw new Error(
        `keep-alive setting ${key}: expected a finite number >= 0, got ${String(value)}`,
      );
    }
  }
  if (settings.minIdleMs > settings.maxIdleMs) {
    throw new Error(
      `keep-alive settings: minIdleMs (${settings.minIdleMs}) is above maxIdleMs (${settings.maxIdleMs})`,
    );
  }
  if (settings.prewarmMinDays < 1 || settings.prewarmMinDays > settings.prewarmLookbackDays) {
    throw new Error(
      `keep-alive setting prewarmMinDays: expected 1..prewarmLookbackDays (${settings.prewarmLookbackDays}), got ${settings.prewarmMinDays}`,
    );
  }
  return settings;
}
