// The dashboard: today's savings, the auto-sleep switch, one card per GPU and one per model, live.
import { useState } from 'react';
import type { ReactElement } from 'react';
import { AutoSleepResponseSchema } from '../../../main/core/api/contract';
import { engineAdvice, engineGroups, gpuAdvice, noGpuText } from '../../../main/core/api/contract';
import { ApiCallError, callApi } from '../api-client';
import { GpuCard } from '../components/gpu-card';
import { ModelCard } from '../components/model-card';
import { formatEnergyKwhRange } from '../../../main/core/client/format';
import { SetupNotice } from '../components/setup-notice';
import type { LiveView } from '../live-state';
import { useNow } from '../live-state';

/** The dashboard page. */
export function DashboardPage({ view }: { readonly view: LiveView }): ReactElement {
  const now = useNow();
  const [error, setError] = useState<string | null>(null);
  const state = view.state;
  if (!state) {
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  }
  const toggleAutoSleep = (): void => {
    setError(null);
    callApi(
      'POST',
      state.autoSleepPaused ? '/api/auto-sleep/resume' : '/api/auto-sleep/pause',
      AutoSleepResponseSchema,
    ).catch((e: unknown) => setError(e instanceof ApiCallError ? e.message : String(e)));
  };
  const engineAway = engineAdvice(state.engine);
  const noGpu = gpuAdvice(state.probe);
  return (
    <div className="page">
      {engineAway !== null ? <SetupNotice advice={engineAway} /> : null}
      {noGpu !== null ? <SetupNotice advice={noGpu} /> : null}
      <div className="summary">
        <p>
          Saved today:{' '}
          <strong aria-label="Energy saved today">
            {formatEnergyKwhRange(state.savedTodayJoules, state.savedTodayUncertaintyJoules)}
          </strong>
          {state.usedTodayJoules !== undefined ? (
            <>
              {' '}
              · used today:{' '}
              <strong aria-label="Energy used today">
                {formatEnergyKwhRange(state.usedTodayJoules, state.usedTodayUncertaintyJoules)}
              </strong>
            </>
          ) : null}
        </p>
        <p className="muted small">
          Gateway: <code>{state.gatewayUrl}</code>
        </p>
        <button
          type="button"
          className="secondary"
          aria-pressed={state.autoSleepPaused}
          onClick={toggleAutoSleep}
        >
          {state.autoSleepPaused ? 'Resume auto-sleep' : 'Pause auto-sleep'}
        </button>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
      <section aria-labelledby="gpus-heading">
        <h2 id="gpus-heading">GPUs</h2>
        {state.gpus.length === 0 ? (
          <p className="muted">
            {noGpu !== null ? 'None: see above.' : `${noGpuText(state.probe)}.`}
          </p>
        ) : (
          <div className="grid">
            {state.gpus.map((gpu) => (
              <GpuCard
                key={gpu.index}
                gpu={gpu}
                power={view.power.get(gpu.index) ?? []}
                now={now}
              />
            ))}
          </div>
        )}
      </section>
      <section aria-labelledby="models-heading">
        <h2 id="models-heading">Models</h2>
        {state.models.length === 0 ? (
          <p className="muted">
            {engineAway !== null
              ? 'No models yet: they are found when Docker answers.'
              : 'No models yet. Label a container siesta.enable=true or list it in siesta.yaml.'}
          </p>
        ) : (
          engineGroups(state).map((group) => (
            <div
              key={group.engine?.name ?? ''}
              aria-label={group.engine ? `Engine ${group.engine.name}` : undefined}
              role={group.engine ? 'group' : undefined}
            >
              {group.engine ? (
                <h3>
                  {group.engine.name}{' '}
                  <span className="muted small">
                    {group.engine.kind === 'swarm' ? 'Swarm ' : ''}
                    {group.engine.address}
                  </span>
                </h3>
              ) : null}
              {group.awayText !== null ? (
                <p className="error" role="alert">
                  {group.awayText}.
                </p>
              ) : null}
              <div className="grid">
                {group.models.map((model) => (
                  <ModelCard
                    key={model.name}
                    model={model}
                    now={now}
                    autoSleepPaused={state.autoSleepPaused}
                  />
                ))}
              </div>
            </div>
          ))
        )}
      </section>
    </div>
  );
}
