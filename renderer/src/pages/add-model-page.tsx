// Adds a model from a template: the form (template, model id, name, idle, context, precision, GPU), the VRAM estimate
// for this machine's GPUs as the user types, the image pull's live per-layer progress, and the first wake.
import { useEffect, useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import { ModelActionResponseSchema } from '../../../main/core/api/contract';
import {
  SizingResponseSchema,
  TemplatesResponseSchema,
  type AddModelBody,
  type AddProgressLine,
  type SizingResponse,
  type TemplateView,
} from '../../../main/core/api/contract';
import { addModelStreaming } from '../add-model-stream';
import { ApiCallError, callApi } from '../api-client';
import { SizingTable } from '../components/sizing-table';
import { TextField } from '../components/text-field';
import { formatBytes } from '../../../main/core/client/format';
import type { LiveView } from '../live-state';

interface Draft {
  readonly template: string;
  readonly modelId: string;
  readonly name: string;
  readonly idle: string;
  readonly context: string;
  readonly precision: string;
  readonly gpu: string;
  readonly image: string;
  readonly wake: boolean;
}

type Pull = Extract<AddProgressLine, { type: 'pull' }>;

const EMPTY: Draft = {
  template: 'vllm',
  modelId: '',
  name: '',
  idle: '10m',
  context: '8192',
  precision: '',
  gpu: 'auto',
  image: '',
  wake: true,
};

function bodyOf(d: Draft): AddModelBody {
  const context = Number(d.context);
  return {
    template: d.template,
    name: d.name.trim(),
    ...(d.modelId.trim() ? { modelId: d.modelId.trim() } : {}),
    ...(d.idle.trim() ? { idle: d.idle.trim() } : {}),
    ...(d.context.trim() && Number.isInteger(context) ? { contextTokens: context } : {}),
    ...(d.precision ? { precision: d.precision } : {}),
    ...(d.gpu === 'auto'
      ? {}
      : { gpu: d.gpu === 'none' || d.gpu === 'all' ? d.gpu : Number(d.gpu) }),
    ...(d.image.trim() ? { image: d.image.trim() } : {}),
  };
}

/** The page at `#/add`. */
export function AddModelPage({ view }: { readonly view: LiveView }): ReactElement {
  const [templates, setTemplates] = useState<readonly TemplateView[]>([]);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [sizing, setSizing] = useState<SizingResponse | null>(null);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pull, setPull] = useState<Pull | null>(null);
  const [steps, setSteps] = useState<readonly string[]>([]);
  const [added, setAdded] = useState<string | null>(null);
  const [woken, setWoken] = useState(false);

  useEffect(() => {
    callApi('GET', '/api/templates', TemplatesResponseSchema)
      .then((r) => setTemplates(r.templates))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);

  const template = templates.find((t) => t.id === draft.template) ?? null;

  // The estimate follows what is typed (a short pause first, so each key press does not ask).
  useEffect(() => {
    if (!draft.modelId.trim()) {
      setSizing(null);
      return;
    }
    const timer = setTimeout(() => {
      const context = Number(draft.context);
      callApi('POST', '/api/sizing', SizingResponseSchema, {
        template: draft.template,
        modelId: draft.modelId.trim(),
        ...(Number.isInteger(context) && context > 0 ? { contextTokens: context } : {}),
      })
        .then(setSizing)
        .catch(() => setSizing(null));
    }, 300);
    return () => clearTimeout(timer);
  }, [draft.template, draft.modelId, draft.context]);

  // Once the daemon lists the new model, wake it (if asked): the dashboard's state shows the wake's progress.
  const model = added ? (view.state?.models.find((m) => m.name === added) ?? null) : null;
  useEffect(() => {
    if (!added || !draft.wake || woken || !model) return;
    setWoken(true);
    callApi(
      'POST',
      `/api/models/${encodeURIComponent(added)}/wake`,
      ModelActionResponseSchema,
    ).catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [added, draft.wake, woken, model]);

  const change = (patch: Partial<Draft>): void => setDraft({ ...draft, ...patch });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setFieldError(null);
    setError(null);
    setPull(null);
    setSteps([]);
    setBusy(true);
    const onLine = (line: AddProgressLine): void => {
      if (line.type === 'pull') setPull(line);
      else if (line.type === 'planned')
        setSteps((s) => [
          ...s,
          `Precision ${line.precision}${line.estimateBytes === null ? '' : `, about ${formatBytes(line.estimateBytes)} of VRAM`}, image ${line.image}`,
        ]);
      else if (line.type === 'image-ready')
        setSteps((s) => [...s, line.pulled ? 'Image pulled' : 'Image already here']);
      else if (line.type === 'created') {
        setSteps((s) => [...s, `Created container "${line.model}" (asleep)`]);
        setAdded(line.model);
      } else if (line.type === 'error') {
        if (line.error.field)
          setFieldError({ field: line.error.field, message: line.error.message });
        else setError(line.error.message);
      }
    };
    addModelStreaming(bodyOf(draft), onLine)
      .catch((e: unknown) => {
        if (e instanceof ApiCallError && e.field)
          setFieldError({ field: e.field, message: e.message });
        else setError(e instanceof Error ? e.message : String(e));
      })
      .finally(() => setBusy(false));
  };

  const errorFor = (field: string): string | null =>
    fieldError?.field === field ? fieldError.message : null;
  const gpus = view.state?.gpus ?? [];
  const chosen = draft.precision || sizing?.sizing?.recommended || '';

  return (
    <form className="page settings" onSubmit={submit} noValidate aria-label="Add a model">
      <h2>Add a model</h2>
      <fieldset>
        <legend>Model server</legend>
        <div className="field">
          <label htmlFor="template">Template</label>
          <select
            id="template"
            value={draft.template}
            onChange={(e) => change({ template: e.target.value, precision: '' })}
          >
            {templates.map((t) => (
              <option key={t.id} value={t.id}>
                {t.title}
              </option>
            ))}
          </select>
          {errorFor('template') ? (
            <p className="error" role="alert">
              {errorFor('template')}
            </p>
          ) : null}
        </div>
        <TextField
          id="modelId"
          label="Model id"
          placeholder={template?.modelIdExample ?? ''}
          value={draft.modelId}
          error={errorFor('modelId')}
          onChange={(v) => change({ modelId: v })}
        />
        <TextField
          id="name"
          label="Name in Siesta"
          value={draft.name}
          error={errorFor('name')}
          onChange={(v) => change({ name: v })}
        />
        <TextField
          id="idle"
          label="Idle time before sleep"
          value={draft.idle}
          error={errorFor('idle')}
          onChange={(v) => change({ idle: v })}
        />
        {template?.takesContext ? (
          <TextField
            id="contextTokens"
            label="Context length (tokens)"
            value={draft.context}
            error={errorFor('contextTokens')}
            onChange={(v) => change({ context: v })}
          />
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Size and GPU</legend>
        {sizing?.sizing ? (
          <SizingTable sizing={sizing.sizing} gpuCount={sizing.gpuCount} chosen={chosen} />
        ) : draft.modelId.trim() ? (
          <p className="muted">
            Siesta does not know this model&apos;s size, so the fit is not checked.
          </p>
        ) : null}
        <div className="field">
          <label htmlFor="precision">Precision</label>
          <select
            id="precision"
            value={draft.precision}
            onChange={(e) => change({ precision: e.target.value })}
          >
            <option value="">The largest that fits</option>
            {(template?.precisions ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
          {errorFor('precision') ? (
            <p className="error" role="alert">
              {errorFor('precision')}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="gpu">GPU</label>
          <select id="gpu" value={draft.gpu} onChange={(e) => change({ gpu: e.target.value })}>
            <option value="auto">The one it fits on</option>
            {gpus.map((g) => (
              <option key={g.index} value={String(g.index)}>
                GPU {g.index}: {g.name}
              </option>
            ))}
            <option value="all">All GPUs</option>
            <option value="none">No GPU (CPU only)</option>
          </select>
          {errorFor('gpu') ? (
            <p className="error" role="alert">
              {errorFor('gpu')}
            </p>
          ) : null}
        </div>
        <TextField
          id="image"
          label="Image (leave empty for the template's)"
          placeholder={template?.image ?? ''}
          value={draft.image}
          error={errorFor('image')}
          onChange={(v) => change({ image: v })}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={draft.wake}
            onChange={(e) => change({ wake: e.target.checked })}
          />
          Wake it once added
        </label>
      </fieldset>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add model'}
        </button>
      </div>
      {pull ? <PullProgress pull={pull} /> : null}
      {steps.length > 0 ? (
        <ol aria-label="What was done">
          {steps.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ol>
      ) : null}
      {model ? (
        <p role="status" aria-label={`State of ${model.name}`}>
          {model.name}: {model.state}
          {model.wakeDetail ? ` (${model.wakeDetail})` : ''}
        </p>
      ) : null}
    </form>
  );
}

/** The pull's bar: the bytes of the layers whose size is known, and each layer's status. */
function PullProgress({ pull }: { readonly pull: Pull }): ReactElement {
  const share = pull.totalBytes > 0 ? Math.min(1, pull.currentBytes / pull.totalBytes) : 0;
  const done = pull.layers.filter((l) => l.done).length;
  return (
    <section aria-label="Image pull">
      <div
        className="bar"
        role="progressbar"
        aria-label="Pull progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(share * 100)}
      >
        <div className="bar-fill" style={{ width: `${share * 100}%` }} />
      </div>
      <p className="small">
        {done} of {pull.layers.length} layers, {formatBytes(pull.currentBytes)} of{' '}
        {formatBytes(pull.totalBytes)}
      </p>
      <ul className="small" aria-label="Layers">
        {pull.layers.map((l) => (
          <li key={l.id}>
            {l.id}: {l.status}
            {l.totalBytes !== null && !l.done
              ? ` ${formatBytes(l.currentBytes)} / ${formatBytes(l.totalBytes)}`
              : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
