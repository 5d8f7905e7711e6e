// The dashboard's notice for a Docker Engine that does not answer, rendered as the browser gets it.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { EngineView, StateResponse } from '../../../main/core/api/contract';
import type { LiveView } from '../live-state';
import { DashboardPage } from './dashboard-page';

const UP: EngineView = { reachable: true, detail: null, since: null };

function exampleState({ engine = UP }: { engine?: EngineView } = {}): StateResponse {
  return {
    at: 0,
    engine,
    gpus: [],
    probe: {
      backend: 'none',
      gpuCount: 0,
      lastError: 'no GPU found',
      lastSampleAt: null,
      staleMs: null,
    },
    models: [],
    autoSleepPaused: false,
    savedTodayJoules: 0,
    gatewayUrl: 'http://127.0.0.1:11400',
  };
}

function view(state: LiveView['state']): LiveView {
  return { state, power: new Map(), link: 'live', error: null, settingsVersion: 0 };
}

describe('the dashboard', () => {
  it('shows a notice while Docker does not answer, and says the models come when it does', () => {
    const html = renderToStaticMarkup(
      <DashboardPage
        view={view(
          exampleState({
            engine: { reachable: false, detail: 'connect ENOENT /var/run/docker.sock', since: 0 },
          }),
        )}
      />,
    );
    expect(html).toContain('Docker is not answering');
    expect(html).toContain(
      'The Docker Engine does not answer (connect ENOENT /var/run/docker.sock); Siesta keeps trying, and wakes wait for it.',
    );
    expect(html).toContain('No models yet: they are found when Docker answers.');
  });

  it('shows no notice while it answers', () => {
    expect(renderToStaticMarkup(<DashboardPage view={view(exampleState())} />)).not.toContain(
      'Docker is not answering',
    );
  });
});
