// The settings: price, currency, grid intensity, default idle time, notifications; saved with PUT, errors shown at their field.
import { useEffect, useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import type { Settings, SettingsPatch } from '../../../main/core/api/contract';
import { SettingsSchema } from '../../../main/core/api/contract';
import { ApiCallError, callApi } from '../api-client';
import { TextField } from '../components/text-field';

type NotificationKey = keyof Settings['notifications'];

/** The form's text fields as typed (numbers stay text until saved, so a half-typed value is not lost). */
interface Draft {
  readonly pricePerKwh: string;
  readonly currency: string;
  readonly gridGramsCo2PerKwh: string;
  readonly defaultIdleMinutes: string;
  readonly notifications: Settings['notifications'];
}

const NOTIFICATIONS: ReadonlyArray<{ readonly key: NotificationKey; readonly label: string }> = [
  { key: 'wake', label: 'A request wakes a model' },
  { key: 'ready', label: 'A woken model is ready' },
  { key: 'failed', label: 'A wake failed' },
  { key: 'evicted', label: 'A model was put to sleep to make room' },
];

function draftOf(s: Settings): Draft {
  return {
    pricePerKwh: String(s.pricePerKwh),
    currency: s.currency,
    gridGramsCo2PerKwh: String(s.gridGramsCo2PerKwh),
    defaultIdleMinutes: String(s.defaultIdleMs / 60_000),
    notifications: s.notifications,
  };
}

/** A typed number, or the text itself when it is not one (the server then names the field and what it expected). */
function numberOrText(text: string): number | string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

/** The whole form as a settings patch (the server validates it and names a bad field). */
function patchOf(
  d: Draft,
): Record<
  keyof Pick<
    SettingsPatch,
    'pricePerKwh' | 'currency' | 'gridGramsCo2PerKwh' | 'defaultIdleMs' | 'notifications'
  >,
  unknown
> {
  const minutes = numberOrText(d.defaultIdleMinutes);
  return {
    pricePerKwh: numberOrText(d.pricePerKwh),
    currency: d.currency,
    gridGramsCo2PerKwh: numberOrText(d.gridGramsCo2PerKwh),
    defaultIdleMs: typeof minutes === 'number' ? Math.round(minutes * 60_000) : minutes,
    notifications: d.notifications,
  };
}

/** The settings page; `settingsVersion` changes when another client saved settings. */
export function SettingsPage({
  settingsVersion,
}: {
  readonly settingsVersion: number;
}): ReactElement {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [dirty, setDirty] = useState(false);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (dirty) return;
    callApi('GET', '/api/settings', SettingsSchema)
      .then((s) => setDraft(draftOf(s)))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    // Reloads when another client saved (settingsVersion), unless the user is editing.
  }, [settingsVersion, dirty]);

  if (!draft) {
    return error ? (
      <p className="error" role="alert">
        {error}
      </p>
    ) : (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  }

  const change = (patch: Partial<Draft>): void => {
    setDraft({ ...draft, ...patch });
    setDirty(true);
    setSaved(false);
  };

  const save = (event: FormEvent): void => {
    event.preventDefault();
    setFieldError(null);
    setError(null);
    callApi('PUT', '/api/settings', SettingsSchema, patchOf(draft))
      .then((s) => {
        setDraft(draftOf(s));
        setDirty(false);
        setSaved(true);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiCallError && e.field)
          setFieldError({ field: e.field, message: e.message });
        else setError(e instanceof Error ? e.message : String(e));
      });
  };

  const errorFor = (field: string): string | null =>
    fieldError && (fieldError.field === field || fieldError.field.startsWith(`${field}.`))
      ? fieldError.message
      : null;

  return (
    <form className="page settings" onSubmit={save} noValidate aria-label="Settings">
      <h2>Settings</h2>
      <fieldset>
        <legend>Energy price and grid</legend>
        <TextField
          id="pricePerKwh"
          label="Price per kWh"
          value={draft.pricePerKwh}
          error={errorFor('pricePerKwh')}
          onChange={(v) => change({ pricePerKwh: v })}
        />
        <TextField
          id="currency"
          label="Currency"
          value={draft.currency}
          error={errorFor('currency')}
          onChange={(v) => change({ currency: v })}
        />
        <TextField
          id="gridGramsCo2PerKwh"
          label="Grid intensity (g CO₂ per kWh)"
          value={draft.gridGramsCo2PerKwh}
          error={errorFor('gridGramsCo2PerKwh')}
          onChange={(v) => change({ gridGramsCo2PerKwh: v })}
        />
      </fieldset>
      <fieldset>
        <legend>Sleep</legend>
        <TextField
          id="defaultIdleMs"
          label="Default idle time before sleep (minutes)"
          value={draft.defaultIdleMinutes}
          error={errorFor('defaultIdleMs')}
          onChange={(v) => change({ defaultIdleMinutes: v })}
        />
      </fieldset>
      <fieldset>
        <legend>Notifications</legend>
        {NOTIFICATIONS.map((n) => (
          <label key={n.key} className="check">
            <input
              type="checkbox"
              checked={draft.notifications[n.key]}
              onChange={(e) =>
                change({ notifications: { ...draft.notifications, [n.key]: e.target.checked } })
              }
            />
            {n.label}
          </label>
        ))}
        {errorFor('notifications') ? (
          <p className="error" role="alert">
            {errorFor('notifications')}
          </p>
        ) : null}
      </fieldset>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary">
          Save settings
        </button>
        {saved ? (
          <span role="status" className="ok">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}
