// The history: energy saved per day stacked by model, the cumulative total, money, CO2, wakes and wake times, and a CSV download.
import { useEffect, useMemo, useState } from 'react';
import type { ReactElement } from 'react';
import type { HistoryResponse } from '../../../main/core/api/contract';
import { HistoryResponseSchema } from '../../../main/core/api/contract';
import { ApiCallError, callApi, downloadFile } from '../api-client';
import { EnergyUsed } from '../components/energy-used';
import { CumulativeLine, StackedBarChart, seriesClass } from '../components/stacked-bar-chart';
import {
  dozePartText,
  formatCo2,
  formatDuration,
  formatEnergyKwhRange,
  formatKwhRange,
  formatMoney,
} from '../../../main/core/client/format';

/** Joules as kWh, an absent figure staying absent. */
const kwhOf = (joules: number | undefined): number | undefined =>
  joules === undefined ? undefined : joules / 3_600_000;
import { apiBaseUrl, siestaBridge } from '../siesta-bridge';

const RANGES = [7, 30, 90] as const;

/** `, 0.100 kWh of it by dozes` after a saving (issue 15); nothing when its dozes saved nothing. */
function DozePart({ joules }: { joules: number | null | undefined }): ReactElement | null {
  const text = dozePartText(joules);
  return text === null ? null : <span className="muted small">, {text}</span>;
}

/** The history page. */
export function HistoryPage(): ReactElement {
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const [history, setHistory] = useState<HistoryResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const range = useMemo(() => {
    const start = new Date();
    start.setHours(0, 0, 0, 0);
    start.setDate(start.getDate() - (days - 1));
    return { from: start.getTime(), to: Date.now() };
  }, [days]);

  useEffect(() => {
    let stale = false;
    setError(null);
    callApi(
      'GET',
      `/api/history?from=${range.from}&to=${range.to}&bucket=day`,
      HistoryResponseSchema,
    )
      .then((h) => !stale && setHistory(h))
      .catch((e: unknown) => !stale && setError(e instanceof ApiCallError ? e.message : String(e)));
    return () => {
      stale = true;
    };
  }, [range]);

  const models = useMemo(
    () => [...new Set(history?.buckets.flatMap((b) => b.models.map((m) => m.model)) ?? [])].sort(),
    [history],
  );
  const perModel = useMemo(
    () =>
      models.map((model) => {
        const rows =
          history?.buckets.flatMap((b) => b.models.filter((m) => m.model === model)) ?? [];
        const sum = (pick: (r: (typeof rows)[number]) => number | null): number | null =>
          rows.some((r) => pick(r) !== null)
            ? rows.reduce((acc, r) => acc + (pick(r) ?? 0), 0)
            : null;
        return {
          model,
          savedKwh: sum((r) => r.savedKwh) ?? 0,
          money: sum((r) => r.money),
          co2Grams: sum((r) => r.co2Grams),
          wakes: sum((r) => r.wakes) ?? 0,
          hoursAsleep: sum((r) => r.hoursAsleep) ?? 0,
          // Linear over buckets, as the daemon adds a model's credits (they share one fit).
          savedUncertaintyJoules: sum((r) => r.savedUncertaintyJoules ?? null) ?? undefined,
          dozeSavedJoules: sum((r) => r.dozeSavedJoules ?? null),
        };
      }),
    [history, models],
  );

  const csvPath = `/api/history.csv?from=${range.from}&to=${range.to}`;
  const csvName = `siesta-history-${new Date(range.to).toISOString().slice(0, 10)}.csv`;
  const t = history?.totals;
  return (
    <div className="page">
      <div className="toolbar">
        <h2>Energy saved</h2>
        <label>
          Range{' '}
          <select
            value={days}
            onChange={(e) => setDays(Number(e.target.value) as (typeof RANGES)[number])}
          >
            {RANGES.map((d) => (
              <option key={d} value={d}>
                Last {d} days
              </option>
            ))}
          </select>
        </label>
        <a
          className="button secondary"
          href={`${apiBaseUrl()}${csvPath}`}
          download={csvName}
          onClick={(e) => {
            if (!siestaBridge()) return;
            // In Electron the link cannot carry the token: fetch with it and save the blob.
            e.preventDefault();
            downloadFile(csvPath, csvName).catch((err: unknown) =>
              setError(err instanceof Error ? err.message : String(err)),
            );
          }}
        >
          Download CSV
        </a>
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {!history || !t ? (
        <p className="muted" role="status">
          Loading…
        </p>
      ) : (
        <>
          <dl className="totals" aria-label="Totals">
            <div>
              <dt>Saved</dt>
              <dd aria-label="Total energy saved">
                {formatEnergyKwhRange(t.savedJoules, t.savedUncertaintyJoules)}
              </dd>
              {dozePartText(t.dozeSavedJoules) === null ? null : (
                <dd className="muted small" aria-label="Saved by dozes">
                  {dozePartText(t.dozeSavedJoules)}
                </dd>
              )}
            </div>
            <div>
              <dt>Money</dt>
              <dd aria-label="Money saved">{formatMoney(t.money, history.currency)}</dd>
            </div>
            <div>
              <dt>CO₂</dt>
              <dd aria-label="CO2 avoided">{formatCo2(t.co2Grams)}</dd>
            </div>
            <div>
              <dt>Wakes</dt>
              <dd aria-label="Wakes">
                {t.wakes}
                {t.failedWakes > 0 ? ` (${t.failedWakes} failed)` : ''}
              </dd>
            </div>
            <div>
              <dt>Wake time</dt>
              <dd aria-label="Wake time">
                {t.wakeP50Ms === null
                  ? '–'
                  : `${formatDuration(t.wakeP50Ms)} typical, ${formatDuration(t.wakeP95Ms ?? t.wakeP50Ms)} p95`}
              </dd>
            </div>
            <div>
              <dt>Asleep / awake</dt>
              <dd>
                {t.hoursAsleep.toFixed(1)} h / {t.hoursAwake.toFixed(1)} h
              </dd>
            </div>
          </dl>
          {t.estimated ? (
            <p className="muted small">
              Some figures are estimates: no GPU reading was available for them.
            </p>
          ) : null}
          <StackedBarChart buckets={history.buckets} models={models} />
          <ul className="legend" aria-label="Models">
            {models.map((m, i) => (
              <li key={m}>
                <span className={`swatch ${seriesClass(i)}`} aria-hidden="true" />
                {m}
              </li>
            ))}
          </ul>
          <h3>Cumulative</h3>
          <CumulativeLine buckets={history.buckets} />
          {perModel.length > 0 ? (
            <table className="table">
              <caption>By model</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Saved</th>
                  <th scope="col">Money</th>
                  <th scope="col">CO₂</th>
                  <th scope="col">Wakes</th>
                  <th scope="col">Hours asleep</th>
                </tr>
              </thead>
              <tbody>
                {perModel.map((r) => (
                  <tr key={r.model}>
                    <th scope="row">{r.model}</th>
                    <td>
                      {formatKwhRange(r.savedKwh, kwhOf(r.savedUncertaintyJoules))}
                      <DozePart joules={r.dozeSavedJoules} />
                    </td>
                    <td>{formatMoney(r.money, history.currency)}</td>
                    <td>{formatCo2(r.co2Grams)}</td>
                    <td>{r.wakes}</td>
                    <td>{r.hoursAsleep.toFixed(1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">Nothing recorded in this range yet.</p>
          )}
          <EnergyUsed history={history} />
        </>
      )}
    </div>
  );
}
