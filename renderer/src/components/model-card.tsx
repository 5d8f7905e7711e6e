// One model on the dashboard: state, VRAM, last use, time to sleep, wake/sleep toggle, wake progress, failure details, pin.
import { useState } from 'react';
import type { ReactElement } from 'react';
import type { ApiModelState, ModelView } from '../../../main/core/api/contract';
import { ModelActionResponseSchema } from '../../../main/core/api/contract';
import { ApiCallError, callApi } from '../api-client';
import {
  STATE_WORDS,
  dozedText,
  expectedWakeMs,
  nextLevelText,
  formatAgo,
  formatBytes,
  formatDuration,
} from '../../../main/core/client/format';
import { usedText } from './energy-used';
import { MeterBar } from './meter-bar';
import { ServedModels } from './served-models';

/** A state as a heading: `Going to sleep`. */
function stateHeading(state: ApiModelState): string {
  const words = STATE_WORDS[state];
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The card of one model. */
export function ModelCard({
  model,
  now,
  autoSleepPaused,
}: {
  readonly model: ModelView;
  readonly now: number;
  readonly autoSleepPaused: boolean;
}): ReactElement {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = model.name;

  const act = (path: string): void => {
    setBusy(true);
    setError(null);
    callApi('POST', `/api/models/${encodeURIComponent(name)}/${path}`, ModelActionResponseSchema)
      .catch((e: unknown) => setError(e instanceof ApiCallError ? e.message : String(e)))
      .finally(() => setBusy(false));
  };

  const toggle = toggleOf(model.state, name);
  return (
    <section
      className={`card model-card state-${model.state}`}
      aria-label={`Model ${name}`}
      data-state={model.state}
    >
      <div className="card-title">
        <h3>{name}</h3>
        {model.pinned ? <span className="badge badge-pin">Pinned</span> : null}
        {model.group ? <span className="badge">group {model.group}</span> : null}
      </div>
      <p className={`state state-label-${model.state}`} aria-label={`State of ${name}`}>
        <span className="state-dot" aria-hidden="true" />
        {stateHeading(model.state)}
        {model.state === 'ready' && model.inFlight > 0 ? ` · busy (${model.inFlight} open)` : ''}
      </p>
      {model.state === 'waking' ? <WakeProgress model={model} now={now} /> : null}
      <dl className="facts">
        <dt>VRAM</dt>
        <dd>
          {formatBytes(model.vramBytes)}
          {model.vramSource !== 'unknown' ? (
            <span className="muted"> ({model.vramSource})</span>
          ) : null}
        </dd>
        <dt>Last used</dt>
        <dd>{formatAgo(model.lastUsedAt, now)}</dd>
        <dt>Sleeps</dt>
        <dd aria-label={`Time until ${name} sleeps`}>{sleepText(model, now, autoSleepPaused)}</dd>
        {model.usedJoules !== undefined ? (
          <>
            <dt>Used</dt>
            <dd aria-label={`Energy used by ${name}`} title="Awake and waking, all its history">
              {usedText(
                model.usedJoules,
                model.usedUncertaintyJoules,
                model.usedMoney,
                model.usedCurrency,
              )}
            </dd>
          </>
        ) : null}
        <dt>Keep-alive</dt>
        <dd aria-label={`Keep-alive of ${name}`} title={model.idle.reason}>
          {model.idle.policy},{' '}
          {model.idle.idleMs === 0 ? 'never sleeps' : formatDuration(model.idle.idleMs)}
        </dd>
      </dl>
      {model.serves !== undefined ? (
        <ServedModels
          server={name}
          awake={model.state === 'ready'}
          models={model.serves}
          now={now}
        />
      ) : null}
      <details className="small muted keep-alive-why">
        <summary>Why this idle time</summary>
        <p aria-label={`Why ${name} keeps this idle time`}>{model.idle.reason}</p>
      </details>
      {model.state === 'failed' && model.failure ? (
        <div className="failure" role="alert" aria-label={`Why ${name} failed`}>
          <p>{model.failure.reason}</p>
          {model.failure.logLines.length > 0 ? (
            <pre aria-label={`Last log lines of ${name}`}>
              {model.failure.logLines.slice(-12).join('\n')}
            </pre>
          ) : null}
        </div>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className={`primary toggle-${toggle.action ?? 'none'}`}
          aria-label={toggle.label}
          disabled={busy || toggle.action === null}
          onClick={() => toggle.action && act(toggle.action)}
        >
          {toggle.text}
        </button>
        <button
          type="button"
          className="secondary"
          aria-pressed={model.pinned}
          aria-label={model.pinned ? `Unpin ${name}` : `Pin ${name}`}
          disabled={busy}
          onClick={() => act(model.pinned ? 'unpin' : 'pin')}
        >
          {model.pinned ? 'Unpin' : 'Pin'}
        </button>
        <a
          className="button"
          href={`#/edit/${encodeURIComponent(name)}`}
          aria-label={`Settings of ${name}`}
        >
          Settings
        </a>
      </div>
    </section>
  );
}

function toggleOf(
  state: ApiModelState,
  name: string,
): { readonly action: 'wake' | 'sleep' | null; readonly label: string; readonly text: string } {
  switch (state) {
    case 'asleep':
    case 'dozed':
      return { action: 'wake', label: `Wake ${name}`, text: 'Wake' };
    case 'failed':
      return { action: 'wake', label: `Wake ${name}`, text: 'Try again' };
    case 'ready':
      return { action: 'sleep', label: `Put ${name} to sleep`, text: 'Sleep' };
    case 'waking':
      return { action: null, label: `${name} is waking`, text: 'Waking…' };
    case 'stopping':
      return { action: null, label: `${name} is going to sleep`, text: 'Going to sleep…' };
    case 'dozing':
      return { action: null, label: `${name} is dozing`, text: 'Dozing…' };
  }
}

function WakeProgress({
  model,
  now,
}: {
  readonly model: ModelView;
  readonly now: number;
}): ReactElement {
  const elapsedMs = Math.max(0, now - (model.wakeStartedAt ?? now));
  const estimateMs = expectedWakeMs(model);
  const fraction =
    estimateMs === null || estimateMs <= 0 ? null : Math.min(0.97, elapsedMs / estimateMs);
  const text =
    estimateMs === null
      ? `${formatDuration(elapsedMs)} (first wake: no estimate yet)`
      : `${formatDuration(elapsedMs)} of about ${formatDuration(estimateMs)}`;
  return (
    <div className="wake-progress">
      <MeterBar
        role="progressbar"
        label={`Waking ${model.name}`}
        fraction={fraction}
        valueText={text}
      />
      <p className="small muted">{text}</p>
      {model.wakeDetail ? (
        <p className="small muted" aria-label={`What ${model.name} is doing`}>
          {model.wakeDetail}
        </p>
      ) : null}
    </div>
  );
}

function sleepText(model: ModelView, now: number, autoSleepPaused: boolean): string {
  if (model.state === 'dozed') return dozedText(model, now);
  if (model.state !== 'ready') return model.state === 'asleep' ? 'asleep now' : '–';
  if (model.pinned) return 'never (pinned)';
  if (autoSleepPaused) return 'auto-sleep paused';
  if (model.inFlight > 0) return 'when idle';
  if (model.doze?.dozeAt != null) return nextLevelText(model, now) ?? 'never';
  if (model.sleepAt === null) return 'never';
  return `in ${formatDuration(model.sleepAt - now)}`;
}
