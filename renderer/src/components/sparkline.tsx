// A GPU's power over the last minutes as an inline SVG line (no chart library).
import type { ReactElement } from 'react';
import { formatWatts } from '../../../main/core/client/format';
import type { PowerPoint } from '../live-state';
import { POWER_WINDOW_MS } from '../live-state';

/** The sparkline of `points` over the window ending at `endAt`. */
export function Sparkline({
  points,
  endAt,
  label,
}: {
  readonly points: readonly PowerPoint[];
  readonly endAt: number;
  readonly label: string;
}): ReactElement {
  const width = 240;
  const height = 48;
  const values = points.map((p) => p.powerWatts);
  const max = Math.max(1, ...values);
  const min = Math.min(0, ...values);
  // Until 10 minutes of readings exist, the line spans the readings there are rather than hugging the right edge.
  const startAt = Math.max(
    endAt - POWER_WINDOW_MS,
    Math.min(points[0]?.at ?? endAt, endAt - 10_000),
  );
  const x = (at: number): number => ((at - startAt) / (endAt - startAt)) * width;
  const y = (watts: number): number => height - 2 - ((watts - min) / (max - min)) * (height - 4);
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(p.powerWatts).toFixed(1)}`)
    .join(' ');
  const summary =
    values.length === 0
      ? 'no readings yet'
      : `from ${formatWatts(Math.min(...values))} to ${formatWatts(Math.max(...values))}, ${values.length} readings`;
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${label}: ${summary}`}
    >
      <line x1="0" x2={width} y1={height - 1} y2={height - 1} className="sparkline-axis" />
      {points.length > 1 ? <path d={path} className="sparkline-line" /> : null}
      {points.length === 1 && points[0] ? (
        <circle cx={x(points[0].at)} cy={y(points[0].powerWatts)} r="2" className="sparkline-dot" />
      ) : null}
    </svg>
  );
}
