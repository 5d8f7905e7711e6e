// The history chart's scale as a reader sees it: tick labels in plain kWh, also when nothing was saved yet.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { StackedBarChart } from './stacked-bar-chart';

function ticks(markup: string): string[] {
  return [...markup.matchAll(/<text[^>]*text-anchor="end"[^>]*>([^<]*)<\/text>/g)].map(
    (m) => m[1] ?? '',
  );
}

describe('the energy-saved chart', () => {
  it('labels an empty history 0.001 / 0.0005 / 0 kWh, never in exponent notation', () => {
    const markup = renderToStaticMarkup(<StackedBarChart buckets={[]} models={[]} />);
    expect(ticks(markup)).toEqual(['0.001 kWh', '0.0005 kWh', '0 kWh']);
    expect(markup).not.toMatch(/\de-\d/);
  });
});
