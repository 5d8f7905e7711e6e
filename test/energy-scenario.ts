// A `siesta serve` over real model containers sharing one GPU stand-in, for the energy tests: creates the containers,
// starts the stand-in and the daemon, wakes models through the gateway, reads the history and the ledger's credits.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HistoryResponseSchema, type HistoryResponse } from '../main/core/api/contract';
import type { SharedGpuModel, SharedGpuSpec } from '../main/core/ledger/testdata/shared-gpu';
import {
  TEST_LABEL,
  createFakeModel,
  ensureFakeModelImage,
  removeTestContainers,
  testDocker,
} from './docker-harness';
import { startDaemon, stateOf, type Daemon } from './serve-daemon';
import { startSharedGpuStandIn, type SharedGpuStandIn } from './shared-gpu-stand-in';
import { until } from './until';

/** One model of the scenario: its cost on the GPU, its idle time label and its fake server's settings. */
export interface ScenarioModel extends SharedGpuModel {
  readonly idle: string;
  readonly env: Readonly<Record<string, string>>;
}

/** A running scenario. */
export interface EnergyScenario {
  readonly daemon: Daemon;
  readonly standIn: SharedGpuStandIn;
  /** Sends one chat request to each model at once; the HTTP status of each answer, in order. */
  requestAll(names: readonly string[]): Promise<{ status: number; body: string }[]>;
  /** Each model's state now. */
  states(): Promise<Map<string, string>>;
  history(from: number, to: number): Promise<HistoryResponse>;
  /** The ledger's sleeps and wakes since `from`, to print when a figure is off. */
  audit(from: number): string;
  close(): Promise<void>;
}

/** Starts the containers (named by `containerOf`), the stand-in and the daemon, and waits for every model. */
export async function startEnergyScenario(
  spec: SharedGpuSpec,
  models: readonly ScenarioModel[],
  containerOf: (model: string) => string,
): Promise<EnergyScenario> {
  const docker = testDocker();
  const dir = mkdtempSync(join(tmpdir(), 'siesta-energy-scenario-'));
  ensureFakeModelImage();
  for (const m of models)
    await createFakeModel(docker, {
      name: containerOf(m.name),
      labels: {
        'siesta.enable': 'true',
        'siesta.name': m.name,
        'siesta.health': '/health',
        'siesta.idle': m.idle,
        [TEST_LABEL]: String(process.pid),
      },
      env: { ...m.env, NVIDIA_VISIBLE_DEVICES: '0' },
    });
  const standIn = await startSharedGpuStandIn(docker, spec, models, containerOf);
  const config = join(dir, 'siesta.yaml');
  writeFileSync(config, `engines:\n  home:\n    gpuMetrics: ${standIn.exporter.url}\n`);
  const daemon = await startDaemon(join(dir, 'data'), ['--config', config]);
  await until(
    'every model registered',
    () => stateOf(daemon),
    (s) => s.models.length === models.length,
  );
  const api = (path: string): Promise<Response> =>
    fetch(`${daemon.controlUrl}${path}`, { headers: { authorization: `Bearer ${daemon.token}` } });
  return {
    daemon,
    standIn,
    requestAll: (names) =>
      Promise.all(
        names.map((model) =>
          fetch(`${daemon.gatewayUrl}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              model,
              messages: [{ role: 'user', content: 'hi' }],
              max_tokens: 1,
            }),
            signal: AbortSignal.timeout(60_000),
          }).then(async (r) => ({ status: r.status, body: await r.text() })),
        ),
      ),
    states: async () => new Map((await stateOf(daemon)).models.map((m) => [m.name, m.state])),
    history: async (from, to) =>
      HistoryResponseSchema.parse(
        await (await api(`/api/history?from=${from}&to=${to}&bucket=day`)).json(),
      ),
    audit(from) {
      const db = new Database(join(dir, 'data', 'ledger.sqlite'), { readonly: true });
      try {
        const rows = (table: string, at: string, columns: string): unknown[] =>
          db.prepare(`SELECT ${columns} FROM ${table} WHERE ${at} >= ?`).all(from - 60_000);
        return `sleeps ${JSON.stringify(
          rows(
            'sleeps',
            'at',
            `model, at - ${from} AS t, credited_watts, credit_source, credit_uncertainty, takeover_watts, takeover_source`,
          ),
        )}\nwakes ${JSON.stringify(
          rows(
            'wakes',
            'requested_at',
            `model, requested_at - ${from} AS t, ended_at - requested_at AS ms, outcome, credited_joules, credit_source, credit_uncertainty`,
          ),
        )}`;
      } finally {
        db.close();
      }
    },
    async close() {
      await daemon.stop();
      await removeTestContainers(docker);
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
