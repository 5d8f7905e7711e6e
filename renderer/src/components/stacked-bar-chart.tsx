// Energy saved per bucket, stacked by model, as an inline SVG bar chart (no chart library); negative days go below the axis.
import type { ReactElement } from 'react';
import type { HistoryBucket } from '../../../main/core/api/contract';
import { formatKwh } from '../../../main/core/client/format';

/** The smallest top of a chart's scale (1 Wh). */
const MIN_SCALE_KWH = 0.001;

/** The colour slot of a model (CSS variables --series-0..7), stable by its position in `models`. */
export function seriesClass(index: number): string {
  return `series-${index % 8}`;
}

/** The chart. `models` fixes the stacking order and colours. */
export function StackedBarChart({
  buckets,
  models,
}: {
  readonly buckets: readonly HistoryBucket[];
  readonly models: readonly string[];
}): ReactElement {
  const width = 720;
  const height = 240;
  const left = 76;
  const bottom = 24;
  const top = 8;
  const plotW = width - left - 8;
  const plotH = height - bottom - top;
  const sums = buckets.map((b) => {
    let up = 0;
    let down = 0;
    for (const m of b.models) {
      if (m.savedKwh >= 0) up += m.savedKwh;
      else down += m.savedKwh;
    }
    return { up, down };
  });
  // An empty or nearly empty history still gets a readable scale: 0.001 / 0.0005 / 0 kWh, not 1e-6 and 5e-7.
  const maxUp = Math.max(MIN_SCALE_KWH, ...sums.map((s) => s.up));
  const maxDown = Math.min(0, ...sums.map((s) => s.down));
  const span = maxUp - maxDown;
  const y = (kwh: number): number => top + ((maxUp - kwh) / span) * plotH;
  const slot = plotW / Math.max(1, buckets.length);
  const barW = Math.max(2, slot * 0.7);
  const total = buckets.reduce((acc, b) => acc + b.total.savedKwh, 0);
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 10));
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Energy saved per day, stacked by model: ${formatKwh(total)} over ${buckets.length} days`}
    >
      {[maxUp, maxUp / 2, 0, ...(maxDown < 0 ? [maxDown] : [])].map((tick) => (
        <g key={tick} className="chart-grid">
          <line x1={left} x2={width - 8} y1={y(tick)} y2={y(tick)} />
          <text x={left - 6} y={y(tick) + 4} textAnchor="end">
            {axisKwh(tick)}
          </text>
        </g>
      ))}
      {buckets.map((bucket, i) => {
        const x = left + i * slot + (slot - barW) / 2;
        let up = 0;
        let down = 0;
        return (
          <g key={bucket.startAt} className="chart-bar" data-day={bucket.startAt}>
            {models.map((model, mi) => {
              const row = bucket.models.find((m) => m.model === model);
              if (!row || row.savedKwh === 0) return null;
              const from = row.savedKwh > 0 ? up : down;
              const to = from + row.savedKwh;
              if (row.savedKwh > 0) up = to;
              else down = to;
              return (
                <rect
                  key={model}
                  className={`bar-segment ${seriesClass(mi)}`}
                  data-model={model}
                  x={x}
                  width={barW}
                  y={Math.min(y(from), y(to))}
                  height={Math.max(1, Math.abs(y(from) - y(to)))}
                >
                  <title>{`${model}, ${formatDay(bucket.startAt)}: ${formatKwh(row.savedKwh)}`}</title>
                </rect>
              );
            })}
            {i % labelEvery === 0 ? (
              <text className="chart-label" x={x + barW / 2} y={height - 6} textAnchor="middle">
                {formatDay(bucket.startAt)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}

/** An axis tick: three significant digits, `1.18 kWh`, `0 kWh`. */
function axisKwh(kwh: number): string {
  return `${kwh === 0 ? 0 : Number(kwh.toPrecision(3))} kWh`;
}

/** Cumulative energy saved over the buckets, as a line. */
export function CumulativeLine({
  buckets,
}: {
  readonly buckets: readonly HistoryBucket[];
}): ReactElement {
  const width = 720;
  const height = 90;
  let running = 0;
  const points = buckets.map((b) => (running += b.total.savedKwh));
  const max = Math.max(MIN_SCALE_KWH, ...points);
  const min = Math.min(0, ...points);
  const x = (i: number): number => 8 + (i / Math.max(1, points.length - 1)) * (width - 16);
  const y = (v: number): number => height - 8 - ((v - min) / (max - min)) * (height - 16);
  const d = points
    .map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`)
    .join(' ');
  return (
    <svg
      className="chart cumulative"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Cumulative energy saved: ${formatKwh(points[points.length - 1] ?? 0)}`}
    >
      <line className="chart-grid-line" x1="8" x2={width - 8} y1={y(0)} y2={y(0)} />
      {points.length > 1 ? <path className="cumulative-line" d={d} /> : null}
    </svg>
  );
}

/** `Mar 4` for a chart axis. */
function formatDay(at: number): string {
  return new Date(at).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}
