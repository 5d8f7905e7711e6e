// A model's settings (idle time, keep-alive policy, pin, VRAM, group, doze), saved to the siesta.yaml Siesta manages and
// applied at once; and removing the model (stop managing it; removing its container too is asked twice).
import { useEffect, useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import type { ModelView } from '../../../main/core/api/contract';
import {
  EstimateCheckSchema,
  ManageResponseSchema,
  type EditSettingsBody,
} from '../../../main/core/api/contract';
import { ApiCallError, callApi } from '../api-client';
import { TextField } from '../components/text-field';
import type { LiveView } from '../live-state';

interface Draft {
  readonly idle: string;
  readonly policy: ModelView['idle']['policy'];
  readonly pin: boolean;
  readonly vram: string;
  readonly group: string;
  /** The doze kind, or `none`; an `http` doze's paths (empty: as siesta.yaml has them). */
  readonly doze: string;
  readonly dozeSleep: string;
  readonly dozeWake: string;
  readonly dozeStatus: string;
}

/** The dozes offered: the server kinds whose sleep API Siesta drives, and a custom `http` one. */
const DOZE_OPTIONS: readonly { value: string; label: string }[] = [
  { value: 'none', label: 'none: it simply stops' },
  { value: 'vllm', label: 'vLLM sleep mode (--enable-sleep-mode)' },
  { value: 'sglang', label: 'SGLang memory release' },
  { value: 'http', label: 'custom: POST paths on the server' },
];

function draftOf(model: ModelView): Draft {
  return {
    idle: '',
    policy: model.idle.policy,
    pin: model.pinned,
    vram:
      model.vramSource === 'declared' && model.vramBytes !== null
        ? `${+(model.vramBytes / 2 ** 30).toFixed(2)}GiB`
        : '',
    group: model.group ?? '',
    doze: model.doze?.kind ?? 'none',
    dozeSleep: '',
    dozeWake: '',
    dozeStatus: '',
  };
}

function bodyOf(d: Draft): EditSettingsBody {
  return {
    ...(d.idle.trim() ? { idle: d.idle.trim() } : {}),
    policy: d.policy,
    pin: d.pin,
    vram: d.vram.trim() || null,
    group: d.group.trim() || null,
    doze: d.doze === 'none' ? null : d.doze,
    // An http doze's paths, where given: empty keeps what siesta.yaml has (Siesta checks the whole entry).
    ...(d.doze === 'http'
      ? Object.fromEntries(
          (['dozeSleep', 'dozeWake', 'dozeStatus'] as const)
            .filter((k) => d[k].trim() !== '')
            .map((k) => [k, d[k].trim()]),
        )
      : {}),
  };
}

/** The page at `#/edit/NAME`. */
export function EditModelPage({
  view,
  name,
}: {
  readonly view: LiveView;
  readonly name: string;
}): ReactElement {
  const model = view.state?.models.find((m) => m.name === name) ?? null;
  const [draft, setDraft] = useState<Draft | null>(model ? draftOf(model) : null);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [removeContainer, setRemoveContainer] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [estimate, setEstimate] = useState<string | null>(null);

  // How right-sizing did for this model: its estimate when added against what it used (learned VRAM).
  const measured = model?.vramSource === 'measured' ? model.vramBytes : null;
  useEffect(() => {
    callApi('GET', `/api/models/${encodeURIComponent(name)}/estimate`, EstimateCheckSchema)
      .then((check) => setEstimate(check.text))
      .catch(() => setEstimate(null));
  }, [name, measured]);

  if (!model || !draft) {
    if (model && !draft) setDraft(draftOf(model));
    return (
      <section className="page">
        <h2>{name}</h2>
        <p className="muted" role="status">
          {done ?? (view.state ? `Siesta has no model named "${name}".` : 'Loading…')}
        </p>
        <a href="#/">Back to the dashboard</a>
      </section>
    );
  }

  const change = (patch: Partial<Draft>): void => {
    setDraft({ ...draft, ...patch });
    setDone(null);
  };
  const failed = (e: unknown): void => {
    if (e instanceof ApiCallError && e.field) setFieldError({ field: e.field, message: e.message });
    else setError(e instanceof Error ? e.message : String(e));
  };

  const save = (event: FormEvent): void => {
    event.preventDefault();
    setFieldError(null);
    setError(null);
    callApi(
      'PUT',
      `/api/models/${encodeURIComponent(name)}/settings`,
      ManageResponseSchema,
      bodyOf(draft),
    )
      .then((r) => setDone(r.done))
      .catch(failed);
  };

  const remove = (): void => {
    // Removing the container is asked twice: the box, then this confirmation.
    if (removeContainer && !confirming) {
      setConfirming(true);
      return;
    }
    setError(null);
    callApi('POST', `/api/models/${encodeURIComponent(name)}/remove`, ManageResponseSchema, {
      removeContainer,
    })
      .then((r) => setDone(r.done))
      .catch(failed);
  };

  const errorFor = (field: string): string | null =>
    fieldError?.field === field ? fieldError.message : null;

  return (
    <form className="page settings" onSubmit={save} noValidate aria-label={`Settings of ${name}`}>
      <h2>{name}</h2>
      <p className="muted">
        Container {model.container}. Changes are saved in Siesta&apos;s siesta.yaml and apply at
        once.
      </p>
      <fieldset>
        <legend>Sleep</legend>
        <TextField
          id="idle"
          label="Idle time before sleep"
          placeholder={`now ${Math.round(model.idle.idleMs / 60_000)} min`}
          value={draft.idle}
          error={errorFor('idle')}
          onChange={(v) => change({ idle: v })}
        />
        <div className="field">
          <label htmlFor="policy">Keep-alive policy</label>
          <select
            id="policy"
            value={draft.policy}
            onChange={(e) => change({ policy: e.target.value as Draft['policy'] })}
          >
            <option value="fixed">fixed: the idle time above</option>
            <option value="break-even">break-even: sleep when it saves energy</option>
            <option value="adaptive">adaptive: learns from the gaps between requests</option>
          </select>
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.pin}
            onChange={(e) => change({ pin: e.target.checked })}
          />
          Pinned: never put to sleep or evicted
        </label>
      </fieldset>
      <fieldset>
        <legend>VRAM and group</legend>
        {estimate ? <p aria-label="VRAM estimate against use">{estimate}</p> : null}
        <TextField
          id="vram"
          label="VRAM it needs (empty: learned from use)"
          value={draft.vram}
          error={errorFor('vram')}
          onChange={(v) => change({ vram: v })}
        />
        <TextField
          id="group"
          label="Group (models of a group never run together)"
          value={draft.group}
          error={errorFor('group')}
          onChange={(v) => change({ group: v })}
        />
      </fieldset>
      <fieldset>
        <legend>Doze (a lighter sleep: the server frees its VRAM and wakes in seconds)</legend>
        <div className={`field${errorFor('doze') ? ' field-invalid' : ''}`}>
          <label htmlFor="doze">Doze</label>
          <select id="doze" value={draft.doze} onChange={(e) => change({ doze: e.target.value })}>
            {DOZE_OPTIONS.some((o) => o.value === draft.doze) ? null : (
              <option value={draft.doze}>{draft.doze}</option>
            )}
            {DOZE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          {errorFor('doze') ? (
            <p id="doze-error" className="error" role="alert">
              {errorFor('doze')}
            </p>
          ) : null}
        </div>
        {draft.doze === 'http' ? (
          <>
            <TextField
              id="dozeSleep"
              label="Doze: sleep path (POST)"
              placeholder="e.g. /sleep; empty: as set"
              value={draft.dozeSleep}
              error={errorFor('dozeSleep')}
              onChange={(v) => change({ dozeSleep: v })}
            />
            <TextField
              id="dozeWake"
              label="Doze: wake path (POST)"
              placeholder="e.g. /wake_up; empty: as set"
              value={draft.dozeWake}
              error={errorFor('dozeWake')}
              onChange={(v) => change({ dozeWake: v })}
            />
            <TextField
              id="dozeStatus"
              label="Doze: status path (GET, optional)"
              placeholder="e.g. /is_sleeping"
              value={draft.dozeStatus}
              error={errorFor('dozeStatus')}
              onChange={(v) => change({ dozeStatus: v })}
            />
          </>
        ) : null}
      </fieldset>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary">
          Save
        </button>
        {done ? (
          <span role="status" className="ok">
            {done}
          </span>
        ) : null}
      </div>
      <fieldset>
        <legend>Remove</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={removeContainer}
            onChange={(e) => {
              setRemoveContainer(e.target.checked);
              setConfirming(false);
            }}
          />
          Also remove its container ({model.container})
        </label>
        {confirming ? (
          <p className="error" role="alert">
            Remove container {model.container}? This cannot be undone. Click again to confirm.
          </p>
        ) : null}
        <button type="button" className="secondary" onClick={remove}>
          {confirming ? `Yes, remove ${model.container}` : `Stop managing ${name}`}
        </button>
      </fieldset>
    </form>
  );
}
