// `siesta costs`: this month's requests, tokens, energy and money per model of a running Siesta, and what the same
// requests would cost locally, on a rented GPU and on each API (the same figures as the dashboard's Costs page).
import type { CostsResponse } from '../core/api/contract';
import { CostsResponseSchema } from '../core/api/contract';
import type { CliCommandOptions } from './cli-options';
import { formatCost } from '../core/client/format';
import { formatTable } from './cli-format';
import { cliClient } from './control-client';

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The costs as text: the models' table, the mix, the options' table and the crossovers. */
export function costsText(c: CostsResponse): string {
  const month = new Date(c.from).toISOString().slice(0, 7);
  const lines: string[] = [`Requests in ${month} (month so far)`];
  if (c.models.length === 0) {
    lines.push('  none yet: requests through the gateway are counted from now on', '');
  } else {
    const rows = [...c.models, { model: 'all', ...c.totals }].map((m) => [
      m.model,
      count(m.requests),
      count(m.promptTokens),
      count(m.completionTokens),
      m.marginalKwh.toFixed(4),
      m.allInKwh.toFixed(4),
      formatCost(m.energyMoney, c.currency),
      m.estimatedRequests > 0 ? `${m.estimatedRequests} estimated` : '',
    ]);
    lines.push(
      formatTable(
        ['MODEL', 'REQUESTS', 'PROMPT', 'COMPLETION', 'KWH', 'KWH ALL-IN', 'ENERGY', 'TOKENS'],
        rows,
      ),
      '',
    );
  }
  if (c.mix !== null) {
    lines.push(
      `Average request: ${c.mix.promptTokens.toFixed(0)} prompt + ${c.mix.completionTokens.toFixed(0)} completion tokens, ` +
        `${c.mix.seconds.toFixed(2)} s, ${c.mix.allInJoules === null ? 'energy not measured' : `${c.mix.allInJoules.toFixed(1)} J all-in`}`,
      `At this month's pace: ${count(c.monthlyRequests)} requests a month`,
      '',
      formatTable(
        ['SERVED BY', 'PER MONTH FIXED', 'PER REQUEST', 'PER 1M TOKENS', 'NOTE'],
        c.options.map((o) => [
          o.name,
          formatCost(o.fixedPerMonth, c.currency),
          formatCost(o.perRequestNow, c.currency),
          formatCost(o.perMillionTokensNow, c.currency),
          [o.note, o.asOf === null ? null : `price of ${o.asOf}`].filter(Boolean).join('; '),
        ]),
      ),
      '',
    );
    for (const x of c.crossovers)
      lines.push(
        `${x.cheaperBelow} is cheaper below ${count(x.requestsPerMonth)} requests a month, ${x.cheaperAbove} above`,
      );
    if (c.cheapestNow !== null) lines.push(`Cheapest at this month's pace: ${c.cheapestNow}`);
  }
  lines.push(
    `Sleeping saved ${c.sleeping.savedKwh.toFixed(3)} kWh (${formatCost(c.sleeping.savedMoney, c.currency)}) this month; ` +
      `the GPUs drew ${c.sleeping.gpuKwh.toFixed(3)} kWh (${formatCost(c.sleeping.gpuMoney, c.currency)}).`,
    '',
  );
  return lines.join('\n');
}

/** Prints the costs; returns what it printed them from. */
export async function runCosts(options: CliCommandOptions): Promise<CostsResponse> {
  const costs = await cliClient(options).json('GET', '/api/costs', CostsResponseSchema);
  options.out.write(costsText(costs));
  return costs;
}
