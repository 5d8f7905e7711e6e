// Energy saved and used over the real engine: `siesta serve`, four real model containers on one GPU stand-in with a
// context step (a dcgm-exporter on loopback whose watts follow which containers run and answer, knowing the truth):
// three models woken together and idling out 4, 12 and 20 s after, and one whose server dies while loading (once).
// What the history API shows per model and for the GPU is compared with the stand-in's truth.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HistoryResponse } from '../api/contract';
import type { SharedGpuTruth, SharedGpuUsedTruth } from './testdata/shared-gpu';
import { describeDocker } from '../../../test/docker-suite';
import { startEnergyScenario, type EnergyScenario } from '../../../test/energy-scenario';
import { until } from '../../../test/until';

const container = (model: string): string => `used-${model}-${process.pid}`;
/** A 30 W card whose first context costs 20 W more; "broken" loads at 40 W and dies before it answers. */
const SPEC = { baselineWatts: 30, contextStepWatts: 20, noiseWatts: 0.5 };
const MODELS = [
  {
    name: 'big',
    residentWatts: 60,
    loadingWatts: 120,
    takesContext: true,
    idle: '20s',
    env: { START_DELAY_MS: '1600' },
  },
  {
    name: 'mid',
    residentWatts: 25,
    loadingWatts: 50,
    takesContext: true,
    idle: '12s',
    env: { START_DELAY_MS: '1200' },
  },
  {
    name: 'small',
    residentWatts: 0,
    loadingWatts: 0,
    takesContext: false,
    idle: '4s',
    env: { START_DELAY_MS: '900' },
  },
  {
    name: 'broken',
    residentWatts: 0,
    loadingWatts: 40,
    takesContext: false,
    idle: '4s',
    env: { START_DELAY_MS: '60000', CRASH_AFTER_MS: '1500' },
  },
] as const;
type Name = (typeof MODELS)[number]['name'];
// Awake about 22 s, asleep about 53 s. Each resident set lasts several 1 Hz readings, so the fit can tell each
// model's watts apart (docs/energy.md, "Answering only what the samples identify").
const CYCLE_MS = 75_000;
const CYCLES = 2;

interface Shown {
  saved: number;
  savedSigma: number;
  used: number;
  usedSigma: number;
}

/** Each model's figures summed over the buckets. */
function perModel(shown: HistoryResponse): Map<string, Shown> {
  const out = new Map<string, Shown>();
  for (const bucket of shown.buckets)
    for (const row of bucket.models) {
      const s = out.get(row.model) ?? { saved: 0, savedSigma: 0, used: 0, usedSigma: 0 };
      out.set(row.model, {
        saved: s.saved + row.savedJoules,
        savedSigma: s.savedSigma + (row.savedUncertaintyJoules ?? NaN),
        used: s.used + (row.usedJoules ?? NaN),
        usedSigma: s.usedSigma + (row.usedUncertaintyJoules ?? NaN),
      });
    }
  return out;
}

/** A model's true energy used: awake plus waking. */
function trueUsed(used: SharedGpuUsedTruth, model: Name): number {
  return (used.awakeJoulesByModel.get(model) ?? 0) + (used.wakingJoulesByModel.get(model) ?? 0);
}

describeDocker(
  'energy saved and used with three models, a context step and a failing wake (real engine, GPU stand-in)',
  () => {
    let scenario: EnergyScenario;

    const allDown = async (): Promise<boolean> =>
      [...(await scenario.states())].every(
        ([name, state]) => state === 'asleep' || (name === 'broken' && state === 'failed'),
      );
    /** Requests every model at once ("broken" only in `withBroken` rounds): it alone fails. */
    const wakeAll = async (withBroken: boolean): Promise<void> => {
      const names = MODELS.map((m) => m.name).filter((n) => withBroken || n !== 'broken');
      const answers = await scenario.requestAll(names);
      const report = `${answers.map((a) => a.body).join(' | ')}\n${scenario.daemon.output()}`;
      expect(
        answers.map((a) => a.status === 200),
        report,
      ).toEqual(names.map((n) => n !== 'broken'));
    };

    interface Run {
      readonly from: number;
      readonly to: number;
      readonly shown: HistoryResponse;
      readonly byModel: Map<string, Shown>;
      readonly truth: SharedGpuTruth;
      readonly used: SharedGpuUsedTruth;
      readonly report: string;
    }
    let run: Run;

    beforeAll(async () => {
      scenario = await startEnergyScenario(SPEC, MODELS, container);
      // Two rounds first, so the fit has seen every resident set and the readings and the ledger start from every
      // model down.
      for (let round = 0; round < 2; round += 1) {
        await wakeAll(false);
        await until('all down after a first round', allDown, Boolean, 60_000, 200);
      }
      scenario.standIn.gpu.startAccounting();
      const from = Date.now();
      for (let cycle = 0; cycle < CYCLES; cycle += 1) {
        const cycleStart = Date.now();
        // The failing wake in the last round, beside the others' loading and sleeps.
        await wakeAll(cycle === CYCLES - 1);
        await until('all down', allDown, Boolean, 60_000, 200);
        await new Promise((resolve) => setTimeout(resolve, cycleStart + CYCLE_MS - Date.now()));
      }
      const to = Date.now();
      const truth = scenario.standIn.gpu.truth();
      const used = scenario.standIn.gpu.usedTruth();
      // Past every sleep's measurement window (30 s after it), the next resolve and the samples' flush.
      await new Promise((resolve) => setTimeout(resolve, 35_000));
      const shown = await scenario.history(from, to);
      const byModel = perModel(shown);
      const report = `shown ${JSON.stringify([...byModel])} gpu ${JSON.stringify(shown.gpus)}; saved truth ${JSON.stringify([...truth.savedJoulesByModel])} total ${truth.savedJoules}; used truth ${JSON.stringify(MODELS.map((m) => [m.name, trueUsed(used, m.name)]))} gpu ${used.gpuJoules} baseline ${used.baselineJoules}\n${scenario.audit(from)}`;
      run = { from, to, shown, byModel, truth, used, report };
    }, 8 * 60_000);

    afterAll(async () => {
      await scenario?.close();
    }, 120_000);

    it('measures what the GPU drew from its energy counter, and its models and its baseline add up to it', () => {
      const { shown, byModel, used, report, from, to } = run;
      expect(shown.totals.failedWakes, report).toBe(1);
      expect(shown.gpus?.length, report).toBe(1);
      const gpu = shown.gpus?.[0];
      const modelsUsed = [...byModel.values()].reduce((sum, s) => sum + s.used, 0);
      expect(gpu?.modelsUsedJoules ?? NaN, report).toBeCloseTo(modelsUsed, 3);
      expect((gpu?.modelsUsedJoules ?? NaN) + (gpu?.baselineJoules ?? NaN), report).toBeCloseTo(
        gpu?.measuredJoules ?? NaN,
        3,
      );
      expect(gpu?.coveredHours ?? 0, report).toBeGreaterThan(0.98 * ((to - from) / 3_600_000));
      // The stand-in serves its exact energy as DCGM's counter: what the ledger integrates is what it drew.
      expect(Math.abs((gpu?.measuredJoules ?? NaN) - used.gpuJoules), report).toBeLessThanOrEqual(
        0.005 * used.gpuJoules,
      );
    });

    it('credits each model its saving and its energy used within 3% of the truth or its range, the sum within 1%, the zero-watt model ~0', () => {
      const { shown, byModel, truth, used, report } = run;
      expect(shown.totals.estimated, report).toBe(false);
      for (const m of ['big', 'mid', 'broken'] as const) {
        const expected = truth.savedJoulesByModel.get(m) ?? NaN;
        const s = byModel.get(m);
        expect(Math.abs((s?.saved ?? NaN) - expected), `${m} saved: ${report}`).toBeLessThanOrEqual(
          Math.max(0.03 * Math.abs(expected), s?.savedSigma ?? 0),
        );
        const expectedUsed = trueUsed(used, m);
        expect(
          Math.abs((s?.used ?? NaN) - expectedUsed),
          `${m} used: ${report}`,
        ).toBeLessThanOrEqual(Math.max(0.03 * expectedUsed, s?.usedSigma ?? 0));
      }
      expect(Math.abs(byModel.get('small')?.saved ?? 0), report).toBeLessThanOrEqual(
        0.02 * truth.savedJoules,
      );
      expect(Math.abs(byModel.get('small')?.used ?? 0), report).toBeLessThanOrEqual(
        0.02 * used.gpuJoules,
      );
      expect(
        Math.abs(shown.totals.savedJoules - truth.savedJoules),
        `sum saved: ${report}`,
      ).toBeLessThanOrEqual(0.01 * truth.savedJoules);
      const baseline = shown.gpus?.[0]?.baselineJoules ?? NaN;
      expect(Math.abs(baseline - used.baselineJoules), `baseline: ${report}`).toBeLessThanOrEqual(
        0.03 * used.baselineJoules,
      );
    });
  },
);
