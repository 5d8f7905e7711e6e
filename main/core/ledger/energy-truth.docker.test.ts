// Energy truth over the real engine: `siesta serve`, two real model containers on one GPU stand-in (a dcgm-exporter on
// loopback whose watts follow which containers run and answer, logging every true watt it reported). The issue's
// setup: a 30 W card, "big" adds 60 W resident (120 W loading), "small" adds nothing; woken together, small idles out
// 4 s after, big 12 s after. What the history API shows per model is compared with the stand-in's log.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HistoryResponseSchema, type HistoryResponse } from '../api/contract';
import {
  TEST_LABEL,
  createFakeModel,
  ensureFakeModelImage,
  removeTestContainers,
  testDocker,
} from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { startDaemon, stateOf, type Daemon } from '../../../test/serve-daemon';
import { startSharedGpuStandIn, type SharedGpuStandIn } from '../../../test/shared-gpu-stand-in';
import { until } from '../../../test/until';

const docker = testDocker();
const container = (model: string): string => `energy-${model}-${process.pid}`;
const MODELS = [
  { name: 'big', residentWatts: 60, loadingWatts: 120, takesContext: true },
  { name: 'small', residentWatts: 0, loadingWatts: 0, takesContext: false },
] as const;
const IDLE = { big: '12s', small: '4s' } as const;
const START_DELAY_MS = { big: 1_600, small: 900 } as const;
// Each cycle as in the issue: awake ~12 s, asleep ~75 s.
const CYCLE_MS = 88_000;
const CYCLES = 3;

/** The sleeps' and wakes' credits since `from`, to read when a figure is off. */
function ledgerAudit(path: string, from: number): string {
  const db = new Database(path, { readonly: true });
  try {
    const sleeps = db
      .prepare(
        'SELECT model, at - ? AS at, credited_watts AS w, credit_source AS src, credit_uncertainty AS u, takeover_watts AS tw, takeover_source AS tsrc FROM sleeps WHERE at >= ?',
      )
      .all(from, from - 60_000);
    const wakes = db
      .prepare(
        'SELECT model, requested_at - ? AS at, credited_joules AS j, credit_source AS src, credit_uncertainty AS u FROM wakes WHERE requested_at >= ?',
      )
      .all(from, from - 60_000);
    return `sleeps ${JSON.stringify(sleeps)}\nwakes ${JSON.stringify(wakes)}`;
  } finally {
    db.close();
  }
}

describeDocker('energy truth with two models on one GPU (real engine, GPU stand-in)', () => {
  let dir: string;
  let standIn: SharedGpuStandIn;
  let daemon: Daemon;

  const allAsleep = async (): Promise<boolean> =>
    (await stateOf(daemon)).models.every((m) => m.state === 'asleep');
  const wakeBoth = async (): Promise<void> => {
    // Both at once, as Open WebUI does with its chat and embedding models; each request ends at once.
    const answers = await Promise.all(
      MODELS.map((m) =>
        fetch(`${daemon.gatewayUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: m.name,
            messages: [{ role: 'user', content: 'hi' }],
            max_tokens: 1,
          }),
          signal: AbortSignal.timeout(60_000),
        }),
      ),
    );
    const bodies = await Promise.all(answers.map((a) => a.text()));
    expect(
      answers.map((a) => a.status),
      `${bodies.join(' | ')}\n${daemon.output()}`,
    ).toEqual([200, 200]);
  };
  const history = async (from: number, to: number): Promise<HistoryResponse> => {
    const response = await fetch(
      `${daemon.controlUrl}/api/history?from=${from}&to=${to}&bucket=day`,
      { headers: { authorization: `Bearer ${daemon.token}` } },
    );
    return HistoryResponseSchema.parse(await response.json());
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'siesta-energy-truth-'));
    ensureFakeModelImage();
    for (const m of MODELS)
      await createFakeModel(docker, {
        name: container(m.name),
        labels: {
          'siesta.enable': 'true',
          'siesta.name': m.name,
          'siesta.health': '/health',
          'siesta.idle': IDLE[m.name],
          [TEST_LABEL]: String(process.pid),
        },
        env: { START_DELAY_MS: String(START_DELAY_MS[m.name]), NVIDIA_VISIBLE_DEVICES: '0' },
      });
    standIn = await startSharedGpuStandIn(
      docker,
      { baselineWatts: 30, contextStepWatts: 0, noiseWatts: 0.5 },
      MODELS,
      container,
    );
    const config = join(dir, 'siesta.yaml');
    writeFileSync(
      config,
      ['engines:', '  home:', `    gpuMetrics: ${standIn.exporter.url}`, ''].join('\n'),
    );
    daemon = await startDaemon(join(dir, 'data'), ['--config', config]);
    await until(
      'both models registered',
      () => stateOf(daemon),
      (s) => s.models.length === 2,
    );
  }, 180_000);

  afterAll(async () => {
    await daemon?.stop();
    await removeTestContainers(docker);
    await standIn?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it(
    'credits staggered sleeps and simultaneous wakes so the models add up to what the GPU saved; the zero-watt model gets ~0',
    async () => {
      // A first wake and sleep, so the GPU's readings and the ledger both start from both models asleep.
      await wakeBoth();
      await until('both asleep after the first wake', allAsleep, Boolean, 60_000, 200);
      standIn.gpu.startAccounting();
      const from = Date.now();
      for (let cycle = 0; cycle < CYCLES; cycle += 1) {
        const cycleStart = Date.now();
        await wakeBoth();
        await until('both asleep', allAsleep, Boolean, 60_000, 200);
        await new Promise((resolve) => setTimeout(resolve, cycleStart + CYCLE_MS - Date.now()));
      }
      const to = Date.now();
      const truth = standIn.gpu.truth();
      // Past every sleep's measurement window (30 s after it) and the next resolve.
      await new Promise((resolve) => setTimeout(resolve, 35_000));
      const shown = await history(from, to);
      const byModel = new Map<string, { saved: number; uncertainty: number }>();
      for (const bucket of shown.buckets)
        for (const row of bucket.models) {
          const sum = byModel.get(row.model) ?? { saved: 0, uncertainty: 0 };
          byModel.set(row.model, {
            saved: sum.saved + row.savedJoules,
            uncertainty: sum.uncertainty + (row.savedUncertaintyJoules ?? NaN),
          });
        }
      const trueBig = truth.savedJoulesByModel.get('big') ?? NaN;
      const audit = ledgerAudit(join(dir, 'data', 'ledger.sqlite'), from);
      const report = `shown ${JSON.stringify([...byModel])} total ${shown.totals.savedJoules} ± ${shown.totals.savedUncertaintyJoules}; truth ${JSON.stringify([...truth.savedJoulesByModel])} total ${truth.savedJoules}\n${audit}`;
      // Three cycles of ~75 s asleep at 60 W.
      expect(truth.savedJoules, report).toBeGreaterThan(12_000);
      const big = byModel.get('big');
      const small = byModel.get('small') ?? { saved: 0, uncertainty: 0 };
      // Every figure carries its range: a few percent here, where every reading was measured.
      expect(big?.uncertainty, report).toBeGreaterThan(0);
      expect(big?.uncertainty, report).toBeLessThan(0.1 * trueBig);
      expect(shown.totals.savedUncertaintyJoules, report).toBeGreaterThan(0);
      // Within 3% of the truth or the figure's own uncertainty, whichever is larger.
      expect(Math.abs((big?.saved ?? NaN) - trueBig), `big: ${report}`).toBeLessThanOrEqual(
        Math.max(0.03 * Math.abs(trueBig), big?.uncertainty ?? 0),
      );
      expect(Math.abs(small.saved), `small: ${report}`).toBeLessThanOrEqual(
        0.02 * truth.savedJoules,
      );
      expect(
        Math.abs(shown.totals.savedJoules - truth.savedJoules),
        `sum: ${report}`,
      ).toBeLessThanOrEqual(0.01 * truth.savedJoules);
      expect(shown.totals.estimated, report).toBe(false);
    },
    9 * 60_000,
  );
});
