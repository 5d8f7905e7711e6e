// Starts the real Siesta (the composition root `startSiesta`) for a browser test on a fresh data dir, with the real
// Docker Engine, the built dashboard, and a replayed GPU whose power follows which models are resident.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { systemClock } from '../../main/core/clock/clock';
import { ReplayProbe } from '../../main/core/gpu/replay-probe';
import { ensureManagedYaml } from '../../main/core/manage/managed-yaml-file';
import { ledgerPathIn } from '../../main/core/ledger/ledger-database';
import type { Lifecycle } from '../../main/core/lifecycle/lifecycle';
import type { SettingsStore } from '../../main/core/settings/settings-store';
import { startSiesta, type RunningSiesta } from '../../main/core/siesta';
import { TEST_LABEL, testDocker } from '../../test/docker-harness';
import { ensureRendererBuilt } from './build-renderer';
import { seedLedgerWeek } from './seed-ledger';
import { seedMonthRequests } from './seed-requests';
import { SyntheticGpu } from './synthetic-gpu';

/** The control API's addresses, as the tests use them. */
export interface E2eControl {
  readonly url: string;
  loginUrl(): string;
}

/** A running Siesta and its data dir. */
export interface E2eServer {
  readonly server: E2eControl;
  readonly siesta: RunningSiesta;
  /** The settings file of the running Siesta, read back as the dashboard saved it. */
  readonly settings: SettingsStore;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** What to run. */
export interface E2eServerOptions {
  /** The engine whose labelled containers Siesta manages (default the test engine). */
  readonly docker?: Docker;
  /** Seed the ledger with a week of history first. */
  readonly seedWeek?: boolean;
  /** Seed the ledger with this month's requests (e2e/support/seed-requests.ts). */
  readonly seedMonthRequests?: boolean;
  readonly samplePeriodMs?: number;
}

/** Builds the renderer if needed and starts Siesta with both ports on random loopback ports. */
export async function startE2eServer(options: E2eServerOptions = {}): Promise<E2eServer> {
  const rendererDir = ensureRendererBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'siesta-e2e-'));
  if (options.seedWeek) await seedLedgerWeek(ledgerPathIn(dataDir));
  if (options.seedMonthRequests) seedMonthRequests(ledgerPathIn(dataDir));
  const clock = systemClock();
  let lifecycle: Lifecycle | null = null;
  const count = (state: string): number =>
    lifecycle?.list().filter((m) => m.state === state).length ?? 0;
  const gpu = new SyntheticGpu(clock, () => ({
    resident: count('ready'),
    waking: count('waking'),
  }));
  const probe = new ReplayProbe({
    clock,
    intervalMs: options.samplePeriodMs ?? 500,
    script: () => [gpu.sample()],
  });
  const siesta = await startSiesta({
    dataDir,
    // The siesta.yaml in the data folder, as `siesta serve` and the app load it (the model forms write it).
    configPath: ensureManagedYaml(dataDir),
    gateway: { host: '127.0.0.1', port: 0 },
    control: { host: '127.0.0.1', port: 0 },
    rendererDir,
    docker: options.docker ?? testDocker(),
    // Only this test file's containers: other files run beside it on the same engine.
    containerScope: [`${TEST_LABEL}=${process.pid}`],
    gpuProbe: probe,
    clock,
    log: () => undefined,
  });
  lifecycle = siesta.lifecycle;
  return {
    server: { url: siesta.controlUrl, loginUrl: () => siesta.loginUrl },
    siesta,
    settings: siesta.settings,
    dataDir,
    async close() {
      await siesta.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
