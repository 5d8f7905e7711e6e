// The user's own costs on the Costs page: the box's price, lifetime and upkeep, a cloud GPU's prices and the table of
// API prices; saved with PUT /api/settings, a bad field named by the server shown at the field.
import { useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import type { Settings } from '../../../main/core/api/contract';
import { SettingsSchema } from '../../../main/core/api/contract';
import { ApiCallError, callApi } from '../api-client';
import type { ApiPriceDraft } from './api-price-table';
import { ApiPriceTable, apiPriceDrafts, apiPricesOf } from './api-price-table';
import { TextField } from './text-field';

type CostKey =
  | 'hardwarePrice'
  | 'hardwareLifetimeMonths'
  | 'upkeepPerMonth'
  | 'cloudPricePerMinute'
  | 'cloudFixedPerMonth';

const FIELDS: ReadonlyArray<{
  readonly key: CostKey;
  readonly label: string;
  readonly hint: string;
}> = [
  { key: 'hardwarePrice', label: 'Hardware price', hint: 'e.g. 45000' },
  { key: 'hardwareLifetimeMonths', label: 'Written off over (months)', hint: 'e.g. 36' },
  { key: 'upkeepPerMonth', label: 'Upkeep per month', hint: 'e.g. 2500' },
  { key: 'cloudPricePerMinute', label: 'Cloud GPU per minute', hint: 'e.g. 0.10' },
  { key: 'cloudFixedPerMonth', label: 'Cloud fixed per month', hint: 'e.g. 2000' },
];

type Draft = Record<CostKey, string>;

function draftOf(s: Settings): Draft {
  const text = (v: number | null): string => (v === null ? '' : String(v));
  return Object.fromEntries(FIELDS.map((f) => [f.key, text(s.costs[f.key])])) as Draft;
}

/** Blank is "not counted" (null); a number is sent as one; anything else as typed, for the server to name. */
function valueOf(text: string): number | string | null {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

/** The form; `onSaved` runs after a save so the figures are read again. */
export function CostInputs({
  settings,
  onSaved,
}: {
  readonly settings: Settings;
  readonly onSaved: (s: Settings) => void;
}): ReactElement {
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  const [apis, setApis] = useState<ApiPriceDraft[]>(() => apiPriceDrafts(settings));
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = (event: FormEvent): void => {
    event.preventDefault();
    setFieldError(null);
    setError(null);
    const costs = {
      ...Object.fromEntries(FIELDS.map((f) => [f.key, valueOf(draft[f.key])])),
      apiPrices: apiPricesOf(apis),
    };
    callApi('PUT', '/api/settings', SettingsSchema, { costs })
      .then((s) => {
        setDraft(draftOf(s));
        setApis(apiPriceDrafts(s));
        onSaved(s);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiCallError && e.field)
          setFieldError({ field: e.field, message: e.message });
        else setError(e instanceof Error ? e.message : String(e));
      });
  };

  return (
    <form className="cost-inputs" onSubmit={save} noValidate aria-label="Your costs">
      <fieldset>
        <legend>Your costs ({settings.currency}; blank is not counted)</legend>
        {FIELDS.map((f) => (
          <TextField
            key={f.key}
            id={`costs-${f.key}`}
            label={f.label}
            value={draft[f.key]}
            placeholder={f.hint}
            error={fieldError?.field === `costs.${f.key}` ? fieldError.message : null}
            onChange={(v) => setDraft({ ...draft, [f.key]: v })}
          />
        ))}
      </fieldset>
      <ApiPriceTable
        rows={apis}
        onChange={setApis}
        error={fieldError?.field.startsWith('costs.apiPrices') ? fieldError.message : null}
      />
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button className="button" type="submit">
        Save costs
      </button>
    </form>
  );
}
