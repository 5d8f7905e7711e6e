// How sure a credited figure is: the sensor's, the sampling's and the attribution's parts, combined into one standard
// uncertainty (1 sigma) in the figure's own unit (the reasons for each part: docs/energy.md, "Uncertainty").
import type { CreditSource } from './savings';

/**
 * The power sensor's gain error, relative: NVML documents board power as accurate to within +-5%. An offset error
 * cancels in a difference (a drop, a rise), a gain error does not.
 */
export const SENSOR_RELATIVE = 0.05;

/** A credit that stands in for its own reading (another sleep's or wake's average): 10% of it, relative. */
export const STAND_IN_RELATIVE = 0.1;

/** The parts of one figure's uncertainty, in its unit. */
export interface UncertaintyParts {
  /** Noise of the readings behind it (the windows' medians, the ends of an integral, the fit's residual). */
  readonly sampling: number;
  /**
   * How far the split among models may be off (the fit's standard error); null where nothing tells it, which for a
   * disturbed reading means the whole figure.
   */
  readonly attribution: number | null;
}

/**
 * One standard uncertainty for a credited `value` from `source`, or null for an estimate (no reading behind it: the
 * figure is marked estimated instead of given a range).
 */
export function uncertaintyOf(
  value: number,
  source: CreditSource,
  parts: UncertaintyParts = { sampling: 0, attribution: null },
): number | null {
  const magnitude = Math.abs(value);
  switch (source) {
    case 'spec':
    case 'none':
      return null;
    case 'learned':
    case 'gpu-learned':
      return Math.hypot(SENSOR_RELATIVE * magnitude, STAND_IN_RELATIVE * magnitude);
    case 'unclean':
    case 'unidentified':
      // A disturbed reading may be another model's change entirely; a bound is all the fit can say yet.
      return Math.hypot(
        SENSOR_RELATIVE * magnitude,
        parts.sampling,
        parts.attribution ?? magnitude,
      );
    case 'measured':
    case 'fitted':
    case 'doze-meter':
      return Math.hypot(SENSOR_RELATIVE * magnitude, parts.sampling, parts.attribution ?? 0);
  }
}
