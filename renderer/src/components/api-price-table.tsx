// The editable table of API prices on the Costs page (issue 16): name, prices per million input and output tokens,
// currency, the date the price was read and where; rows added and removed; sent with the rest of the costs.
import type { ReactElement } from 'react';
import type { Settings } from '../../../main/core/api/contract';

/** One row as typed (numbers stay text until saved, so the server can name a bad one). */
export interface ApiPriceDraft {
  readonly name: string;
  readonly inputPerMillion: string;
  readonly outputPerMillion: string;
  readonly currency: string;
  readonly asOf: string;
  readonly source: string;
}

const COLUMNS: ReadonlyArray<{ readonly key: keyof ApiPriceDraft; readonly label: string }> = [
  { key: 'name', label: 'API' },
  { key: 'inputPerMillion', label: 'Input per 1M tokens' },
  { key: 'outputPerMillion', label: 'Output per 1M tokens' },
  { key: 'currency', label: 'Currency' },
  { key: 'asOf', label: 'Price of (date)' },
  { key: 'source', label: 'Source' },
];

/** The rows of the settings as drafts. */
export function apiPriceDrafts(s: Settings): ApiPriceDraft[] {
  return s.costs.apiPrices.map((p) => ({
    name: p.name,
    inputPerMillion: String(p.inputPerMillion),
    outputPerMillion: String(p.outputPerMillion),
    currency: p.currency,
    asOf: p.asOf,
    source: p.source,
  }));
}

/** The drafts as the settings' `apiPrices` (a number where one was typed, else the text for the server to refuse). */
export function apiPricesOf(rows: readonly ApiPriceDraft[]): unknown[] {
  const num = (t: string): number | string => {
    const n = Number(t.trim());
    return t.trim() !== '' && Number.isFinite(n) ? n : t;
  };
  return rows.map((r) => ({
    ...r,
    inputPerMillion: num(r.inputPerMillion),
    outputPerMillion: num(r.outputPerMillion),
  }));
}

/** The table; `error` is the server's message for a field under `costs.apiPrices.N`, shown under the table. */
export function ApiPriceTable({
  rows,
  onChange,
  error,
}: {
  readonly rows: readonly ApiPriceDraft[];
  readonly onChange: (rows: ApiPriceDraft[]) => void;
  readonly error: string | null;
}): ReactElement {
  const set = (i: number, key: keyof ApiPriceDraft, value: string): void =>
    onChange(rows.map((r, k) => (k === i ? { ...r, [key]: value } : r)));
  return (
    <div className="api-prices">
      <table className="table" aria-label="API prices">
        <caption>API prices (per million tokens)</caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.key} scope="col">
                {c.label}
              </th>
            ))}
            <th scope="col" aria-label="Remove" />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {COLUMNS.map((c) => (
                <td key={c.key}>
                  <input
                    aria-label={`${c.label}, row ${i + 1}`}
                    value={r[c.key]}
                    onChange={(e) => set(i, c.key, e.target.value)}
                  />
                </td>
              ))}
              <td>
                <button
                  type="button"
                  className="button secondary"
                  onClick={() => onChange(rows.filter((_, k) => k !== i))}
                >
                  Remove {r.name || `row ${i + 1}`}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        className="button secondary"
        onClick={() =>
          onChange([
            ...rows,
            {
              name: '',
              inputPerMillion: '',
              outputPerMillion: '',
              currency: 'USD',
              asOf: new Date().toISOString().slice(0, 10),
              source: '',
            },
          ])
        }
      >
        Add an API
      </button>
    </div>
  );
}
