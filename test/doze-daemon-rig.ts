// `siesta serve` over one fake-doze container (a fake vLLM server) and the doze GPU stand-in, for the doze ledger tests:
// a request through the gateway, the model's view, the history API, and a restart of the daemon on the same data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  HistoryResponseSchema,
  type HistoryModelRow,
  type ModelView,
} from '../main/core/api/contract';
import {
  TEST_LABEL,
  createFakeModel,
  ensureFakeDozeImage,
  removeTestContainers,
  testDocker,
} from './docker-harness';
import { startDozeGpuStandIn, type DozeGpuSpec, type DozeGpuStandIn } from './doze-gpu-stand-in';
import { startDaemon, stateOf, type Daemon } from './serve-daemon';
import { until } from './until';

/** A running rig. */
export interface DozeDaemonRig {
  readonly container: string;
  readonly standIn: DozeGpuStandIn;
  daemon(): Daemon;
  /** The model's view in `/api/state`. */
  model(): Promise<ModelView | undefined>;
  /** A chat request through the gateway: the fake's answer (its doze wakes so far), or a thrown error naming the status. */
  ask(): Promise<{ model: string; wakes: number }>;
  /** The model's history rows in [from, to), by day. */
  historyRows(from: number, to: number): Promise<HistoryModelRow[]>;
  /** The ledger's sleep rows (level, credit and its source), to read when a figure is off. */
  audit(): string;
  /** Stops the daemon (containers are left as they are) and starts a new one on the same data. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Creates the container (`labels` beside the test's own, vLLM's doze), the stand-in and the daemon, the model asleep. */
export async function startDozeDaemonRig(options: {
  readonly model: string;
  readonly labels: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly gpu: DozeGpuSpec;
}): Promise<DozeDaemonRig> {
  const docker = testDocker();
  const { model } = options;
  const container = `doze-${model}-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'siesta-doze-rig-'));
  await createFakeModel(docker, {
    name: container,
    image: ensureFakeDozeImage(),
    labels: {
      'siesta.enable': 'true',
      'siesta.name': model,
      'siesta.health': '/health',
      'siesta.doze': 'vllm',
      ...options.labels,
      [TEST_LABEL]: String(process.pid),
    },
    env: { WAKE_DELAY_MS: '300', NVIDIA_VISIBLE_DEVICES: '0', ...options.env },
  });
  const standIn = await startDozeGpuStandIn(docker, container, options.gpu);
  const config = join(dir, 'siesta.yaml');
  writeFileSync(config, `engines:\n  home:\n    gpuMetrics: ${standIn.exporter.url}\n`);
  const start = (): Promise<Daemon> => startDaemon(join(dir, 'data'), ['--config', config]);
  let daemon: Daemon | null = await start();
  const live = (): Daemon => {
    if (!daemon) throw new Error('the daemon is not running');
    return daemon;
  };
  const control = async (path: string): Promise<unknown> =>
    (
      await fetch(`${live().controlUrl}${path}`, {
        headers: { authorization: `Bearer ${live().token}` },
        signal: AbortSignal.timeout(30_000),
      })
    ).json();
  const rig: DozeDaemonRig = {
    container,
    standIn,
    daemon: live,
    model: async () => (await stateOf(live())).models.find((m) => m.name === model),
    async ask() {
      const answer = await fetch(`${live().gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        signal: AbortSignal.timeout(60_000),
      });
      if (answer.status !== 200)
        throw new Error(`HTTP ${answer.status}: ${await answer.text()}\n${live().output()}`);
      return (await answer.json()) as { model: string; wakes: number };
    },
    async historyRows(from, to) {
      const history = HistoryResponseSchema.parse(
        await control(`/api/history?from=${from}&to=${to}&bucket=day`),
      );
      return history.buckets.flatMap((b) => b.models.filter((m) => m.model === model));
    },
    audit() {
      const db = new Database(join(dir, 'data', 'ledger.sqlite'), { readonly: true });
      try {
        const rows = db
          .prepare(
            'SELECT level, at, ended_at - at AS ms, credited_watts AS w, credit_source AS src, credit_uncertainty AS u, dropped_watts AS dropped FROM sleeps',
          )
          .all();
        const measures = db.prepare('SELECT * FROM doze_measures').all();
        return `sleeps ${JSON.stringify(rows)}\ndoze measures ${JSON.stringify(measures)}`;
      } finally {
        db.close();
      }
    },
    async restart() {
      await live().stop();
      daemon = null;
      daemon = await start();
    },
    async close() {
      await daemon?.stop();
      await removeTestContainers(docker);
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await until(
    'the model registered',
    () => rig.model(),
    (m) => m?.state === 'asleep',
  );
  return rig;
}
