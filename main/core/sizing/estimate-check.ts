// How right-sizing did: the VRAM estimated when a model was added (its container's label) against what the model
// really used on its runs (learned VRAM), as the error the dashboard shows.
import { formatBytes } from '../config/size';

/** The estimate, the measurement and the error; null parts where one is missing. */
export interface EstimateCheck {
  readonly estimateBytes: number | null;
  readonly measuredBytes: number | null;
  /** (estimate − measured) / measured × 100: positive when the estimate was high. */
  readonly errorPercent: number | null;
  /** One sentence for people. */
  readonly text: string;
}

/** Compares an estimate with the learned VRAM. */
export function estimateCheck(
  estimateBytes: number | null,
  measuredBytes: number | null,
): EstimateCheck {
  if (estimateBytes === null)
    return {
      estimateBytes,
      measuredBytes,
      errorPercent: null,
      text: 'No estimate: this model was not added from a template.',
    };
  if (measuredBytes === null || measuredBytes <= 0)
    return {
      estimateBytes,
      measuredBytes: null,
      errorPercent: null,
      text: `Estimated ${formatBytes(estimateBytes)} when added; not measured yet (it is measured while it runs).`,
    };
  const errorPercent = ((estimateBytes - measuredBytes) / measuredBytes) * 100;
  const rounded = Math.round(errorPercent * 10) / 10;
  return {
    estimateBytes,
    measuredBytes,
    errorPercent: rounded,
    text: `Estimated ${formatBytes(estimateBytes)} when added; it used ${formatBytes(measuredBytes)}: the estimate was ${Math.abs(rounded)}% ${rounded >= 0 ? 'high' : 'low'}.`,
  };
}
