// The Costs page (issue 16): this month's requests, tokens, kWh and money per model, the seed's chart recomputed from
// the user's own figures (local, cloud, APIs; this month's volume marked; crossovers named), and what sleeping saved.
import { useCallback, useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import type { CostsResponse, Settings } from '../../../main/core/api/contract';
import { CostsResponseSchema, SettingsSchema } from '../../../main/core/api/contract';
import { ApiCallError, callApi } from '../api-client';
import { CostChart, shortCount } from '../components/cost-chart';
import { CostInputs } from '../components/cost-inputs';
import { seriesClass } from '../components/stacked-bar-chart';
import { formatCost, formatKwh } from '../../../main/core/client/format';

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The page; `settingsVersion` changes when settings were saved anywhere. */
export function CostsPage({ settingsVersion }: { readonly settingsVersion: number }): ReactElement {
  const [costs, setCosts] = useState<CostsResponse | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    Promise.all([
      callApi('GET', '/api/costs', CostsResponseSchema),
      callApi('GET', '/api/settings', SettingsSchema),
    ])
      .then(([c, s]) => {
        setCosts(c);
        setSettings(s);
      })
      .catch((e: unknown) => setError(e instanceof ApiCallError ? e.message : String(e)));
  }, []);
  useEffect(load, [load, settingsVersion]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!costs || !settings)
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  const c = costs;
  const month = new Date(c.from).toLocaleDateString(undefined, { month: 'long', year: 'numeric' });
  return (
    <div className="page costs">
      <h2>What a request costs</h2>
      <dl className="totals" aria-label="This month">
        <div>
          <dt>Requests ({month})</dt>
          <dd aria-label="Requests this month">{count(c.totals.requests)}</dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd aria-label="Tokens this month">
            {count(c.totals.promptTokens + c.totals.completionTokens)}
          </dd>
        </div>
        <div>
          <dt>Energy (all-in)</dt>
          <dd aria-label="Energy this month">{formatKwh(c.totals.allInKwh)}</dd>
        </div>
        <div>
          <dt>Energy cost</dt>
          <dd aria-label="Energy cost this month">
            {formatCost(c.totals.energyMoney, c.currency)}
          </dd>
        </div>
        <div>
          <dt>Sleeping saved</dt>
          <dd aria-label="Sleeping saved">
            {formatKwh(c.sleeping.savedKwh)} ({formatCost(c.sleeping.savedMoney, c.currency)})
          </dd>
        </div>
      </dl>
      <p className="muted small" aria-label="Sleep savings beside the GPU bill">
        The GPUs drew {formatKwh(c.sleeping.gpuKwh)} ({formatCost(c.sleeping.gpuMoney, c.currency)})
        this month; without sleeping it would have been{' '}
        {formatKwh(c.sleeping.gpuKwh + c.sleeping.savedKwh)}.
      </p>
      <table className="table" aria-label="Requests by model">
        <caption>By model, this month</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Requests</th>
            <th scope="col">Prompt tokens</th>
            <th scope="col">Completion tokens</th>
            <th scope="col">kWh (marginal)</th>
            <th scope="col">kWh (all-in)</th>
            <th scope="col">Energy cost</th>
          </tr>
        </thead>
        <tbody>
          {c.models.map((m) => (
            <tr key={m.model}>
              <th scope="row">{m.model}</th>
              <td>{count(m.requests)}</td>
              <td>{count(m.promptTokens)}</td>
              <td>
                {count(m.completionTokens)}
                {m.estimatedRequests > 0 ? ` (${m.estimatedRequests} estimated)` : ''}
              </td>
              <td>{m.marginalKwh.toFixed(4)}</td>
              <td>{m.allInKwh.toFixed(4)}</td>
              <td>{formatCost(m.energyMoney, c.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {c.mix === null ? (
        <p className="muted">No requests through the gateway this month yet.</p>
      ) : (
        <>
          <h3>Local, cloud or API?</h3>
          <p className="muted small" aria-label="Average request">
            Your average request: {c.mix.promptTokens.toFixed(0)} prompt and{' '}
            {c.mix.completionTokens.toFixed(0)} completion tokens, {c.mix.seconds.toFixed(2)} s
            {c.mix.allInJoules === null ? '' : `, ${c.mix.allInJoules.toFixed(1)} J all-in`}; this
            month&apos;s pace is {count(c.monthlyRequests)} requests a month.
          </p>
          <CostChart
            options={c.options}
            monthlyRequests={c.monthlyRequests}
            currency={c.currency}
          />
          <ul className="legend" aria-label="Ways of serving">
            {c.options.map((o, i) => (
              <li key={o.name}>
                <span className={`swatch ${seriesClass(i)}`} aria-hidden="true" />
                {o.name}
              </li>
            ))}
          </ul>
          <ul className="crossovers" aria-label="Crossovers">
            {c.crossovers.map((x) => (
              <li key={`${x.cheaperBelow}|${x.cheaperAbove}`}>
                {x.cheaperBelow} is cheaper below {shortCount(x.requestsPerMonth)} requests a month,{' '}
                {x.cheaperAbove} above
              </li>
            ))}
            {c.cheapestNow !== null ? (
              <li aria-label="Cheapest now">
                <strong>Cheapest at this month&apos;s pace: {c.cheapestNow}</strong>
              </li>
            ) : null}
          </ul>
          <table className="table" aria-label="Cost per request">
            <caption>At this month&apos;s pace</caption>
            <thead>
              <tr>
                <th scope="col">Served by</th>
                <th scope="col">Fixed per month</th>
                <th scope="col">Per request</th>
                <th scope="col">Per million tokens</th>
                <th scope="col">Price of</th>
              </tr>
            </thead>
            <tbody>
              {c.options.map((o) => (
                <tr key={o.name}>
                  <th scope="row">{o.name}</th>
                  <td>{formatCost(o.fixedPerMonth, c.currency)}</td>
                  <td>{formatCost(o.perRequestNow, c.currency)}</td>
                  <td>{formatCost(o.perMillionTokensNow, c.currency)}</td>
                  <td>
                    {o.asOf === null ? (
                      (o.note ?? 'your figures')
                    ) : (
                      <a href={o.source ?? '#'}>{o.asOf}</a>
                    )}
                    {o.asOf !== null && o.note !== null ? ` (${o.note})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <CostInputs
        // A fresh form whenever the costs read back differ (saved here or by another client), never a stale one.
        key={JSON.stringify(settings.costs)}
        settings={settings}
        onSaved={(s) => {
          setSettings(s);
          load();
        }}
      />
    </div>
  );
}
