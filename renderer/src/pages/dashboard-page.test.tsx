// The dashboard's notice for a Docker Engine that does not answer, rendered as the browser gets it.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { EngineView, ModelView, StateResponse } from '../../../main/core/api/contract';
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

function asleepModel(name: string, engine: string): ModelView {
  return {
    name,
    container: name,
    models: [name],
    state: 'asleep',
    inFlight: 0,
    pinned: false,
    group: null,
    listenPort: null,
    vramBytes: null,
    vramSource: 'unknown',
    gpuIndexes: [],
    lastUsedAt: null,
    sleepAt: null,
    idle: { policy: 'fixed', idleMs: 600_000, reason: 'fixed 10 min' },
    wakeStartedAt: null,
    wakeDetail: null,
    readyAt: null,
    wakeEstimateMs: null,
    failure: null,
    savedJoules: 0,
    savedIsEstimate: false,
    engine,
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
    expect(html).toContain('connect ENOENT /var/run/docker.sock.');
    expect(html).toContain(
      'The gateway, the dashboard and the energy ledger run; Siesta keeps trying, finds the models when Docker answers, and wakes wait for it.',
    );
    expect(html).toContain('Start Docker (sudo systemctl start docker, or open Docker Desktop)');
    expect(html).toContain('No models yet: they are found when Docker answers.');
  });

  it('says no GPU was found, that models still run with estimated figures, and what to install', () => {
    const html = renderToStaticMarkup(<DashboardPage view={view(exampleState())} />);
    expect(html).toContain('<h2 id="gpu-heading">No GPU found</h2>');
    expect(html).toContain('energy figures are estimates');
    expect(html).toContain('For an NVIDIA card install its driver');
    expect(html).toContain('None: see above.');
  });

  it('shows energy saved today with its uncertainty as a range', () => {
    const state: StateResponse = {
      ...exampleState(),
      savedTodayJoules: 1_512_000,
      savedTodayUncertaintyJoules: 43_200,
    };
    expect(renderToStaticMarkup(<DashboardPage view={view(state)} />)).toContain(
      '0.420 kWh ± 0.012',
    );
  });

  it('shows no notice while it answers', () => {
    expect(renderToStaticMarkup(<DashboardPage view={view(exampleState())} />)).not.toContain(
      'Docker is not answering',
    );
  });

  it('groups the models by engine when there are several, and says which engine does not answer', () => {
    const state: StateResponse = {
      ...exampleState(),
      models: [asleepModel('qwen', 'home'), asleepModel('whisper', 'gpu2')],
      engines: [
        {
          name: 'home',
          kind: 'docker',
          address: 'unix:///var/run/docker.sock',
          reachable: true,
          detail: null,
          since: null,
        },
        {
          name: 'gpu2',
          kind: 'docker',
          address: 'tcp://10.0.0.12:2376',
          reachable: false,
          detail: 'connect ETIMEDOUT',
          since: 0,
        },
      ],
    };
    const html = renderToStaticMarkup(<DashboardPage view={view(state)} />);
    expect(html).toContain('aria-label="Engine home"');
    expect(html).toContain('aria-label="Engine gpu2"');
    expect(html).toContain(
      'Engine &quot;gpu2&quot; (tcp://10.0.0.12:2376) does not answer (connect ETIMEDOUT); its models cannot wake until it does.',
    );
    expect(html).not.toContain('Docker is not answering');
  });
});
