// The seed's chart recomputed from the user's own figures (issue 16): monthly cost against monthly requests, both on
// log scales, one line per way of serving them (local, cloud GPU, each API), this month's volume marked.
import type { ReactElement } from 'react';
import type { CostOptionView } from '../../../main/core/api/contract';
import { seriesClass } from './stacked-bar-chart';

/** The volumes the chart spans: 1,000 to 100 million requests a month. */
export const CHART_MIN_REQUESTS = 1e3;
export const CHART_MAX_REQUESTS = 1e8;

/** What an option costs in a month of `requests`, or null when it cannot be priced. */
export function monthlyCostOf(option: CostOptionView, requests: number): number | null {
  if (option.perRequest === null) return null;
  return option.fixedPerMonth + option.perRequest * requests;
}

/** `1k`, `250k`, `3M`: a request count for an axis. */
export function shortCount(n: number): string {
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(Math.round(n));
}

const decades = (from: number, to: number): number[] => {
  const out: number[] = [];
  for (let v = from; v <= to * 1.0001; v *= 10) out.push(v);
  return out;
};

/** The chart: `options` in their colour slots, a marker at `monthlyRequests`. */
export function CostChart({
  options,
  monthlyRequests,
  currency,
}: {
  readonly options: readonly CostOptionView[];
  readonly monthlyRequests: number;
  readonly currency: string;
}): ReactElement {
  const width = 720;
  const height = 300;
  const left = 84;
  const bottom = 28;
  const top = 10;
  const right = 10;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const priced = options.filter((o) => o.perRequest !== null);
  const costs = priced.flatMap((o) =>
    [CHART_MIN_REQUESTS, CHART_MAX_REQUESTS].map((n) => monthlyCostOf(o, n) ?? 0),
  );
  const maxCost = Math.max(10, ...costs);
  const minCost = Math.max(0.01, Math.min(maxCost / 1e6, ...costs.filter((c) => c > 0)));
  const lo = 10 ** Math.floor(Math.log10(minCost));
  const hi = 10 ** Math.ceil(Math.log10(maxCost));
  const x = (n: number): number =>
    left +
    ((Math.log10(n) - Math.log10(CHART_MIN_REQUESTS)) /
      (Math.log10(CHART_MAX_REQUESTS) - Math.log10(CHART_MIN_REQUESTS))) *
      plotW;
  const y = (cost: number): number =>
    top +
    ((Math.log10(hi) - Math.log10(Math.max(lo, cost))) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const samples = Array.from({ length: 61 }, (_, i) => CHART_MIN_REQUESTS * 10 ** (i / 12));
  const now = Math.min(CHART_MAX_REQUESTS, Math.max(CHART_MIN_REQUESTS, monthlyRequests));
  return (
    <svg
      className="chart cost-chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Monthly cost in ${currency} against monthly requests for ${priced.map((o) => o.name).join(', ')}`}
    >
      {decades(lo, hi).map((c) => (
        <g key={`y${c}`} className="chart-grid">
          <line x1={left} x2={width - right} y1={y(c)} y2={y(c)} />
          <text x={left - 6} y={y(c) + 4} textAnchor="end">
            {c >= 1 ? `${shortCount(c)} ${currency}` : `${c} ${currency}`}
          </text>
        </g>
      ))}
      {decades(CHART_MIN_REQUESTS, CHART_MAX_REQUESTS).map((n) => (
        <g key={`x${n}`} className="chart-grid">
          <line x1={x(n)} x2={x(n)} y1={top} y2={top + plotH} />
          <text x={x(n)} y={height - 8} textAnchor="middle">
            {shortCount(n)}
          </text>
        </g>
      ))}
      {priced.map((o) => {
        const i = options.indexOf(o);
        const d = samples
          .map(
            (n, k) =>
              `${k === 0 ? 'M' : 'L'}${x(n).toFixed(1)},${y(monthlyCostOf(o, n) ?? lo).toFixed(1)}`,
          )
          .join(' ');
        return (
          <path
            key={o.name}
            className={`cost-line stroke-${seriesClass(i)}`}
            d={d}
            data-option={o.name}
          >
            <title>{o.name}</title>
          </path>
        );
      })}
      <line
        className="cost-now"
        x1={x(now)}
        x2={x(now)}
        y1={top}
        y2={top + plotH}
        data-requests={Math.round(monthlyRequests)}
      />
      <text className="cost-now-label" x={x(now) + 4} y={top + 12}>
        this month: {shortCount(monthlyRequests)}
      </text>
    </svg>
  );
}
