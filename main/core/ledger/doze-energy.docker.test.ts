// Energy truth for dozes over the real engine (issue 15): `siesta serve`, a fake vLLM server with its sleep API in a real
// container, and a GPU stand-in (a dcgm-exporter on loopback) whose watts follow the fake's own sleep state, logging the
// true watts it served. The model wakes, dozes, stays dozed, is stopped from its doze and stays down: what the history
// API shows it saved, and the part its doze saved, are compared with the stand-in's truth.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDozeDaemonRig, type DozeDaemonRig } from '../../../test/doze-daemon-rig';
import { describeDocker } from '../../../test/docker-suite';
import { until } from '../../../test/until';

const MODEL = 'dozer';
// A 30 W card, a 20 W context step, the model 40 W awake and 8 W dozed: a doze frees 32 W, the stop after it 28 W more.
const GPU = {
  baselineWatts: 30,
  contextStepWatts: 20,
  awakeWatts: 40,
  dozedWatts: 8,
  noiseWatts: 0.5,
};
const DOZED_MS = 45_000;
const DOWN_MS = 45_000;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeDocker('energy truth for a doze and the stop after it (real engine, GPU stand-in)', () => {
  let rig: DozeDaemonRig;

  beforeAll(async () => {
    rig = await startDozeDaemonRig({ model: MODEL, labels: { 'siesta.idle': '8s' }, gpu: GPU });
  }, 180_000);

  afterAll(() => rig?.close(), 120_000);

  it(
    'credits what the doze freed while dozed and after its stop, and the stop from the dozed level: within 3% of the truth',
    async () => {
      // The GPU's power with the model down, for the ledger's fit, before the first wake.
      await pause(12_000);
      await rig.ask();
      rig.standIn.startAccounting();
      const from = Date.now();
      await until(
        'the model dozed',
        () => rig.model(),
        (m) => m?.state === 'dozed',
        30_000,
        100,
      );
      expect(rig.standIn.phase()).toBe('dozed');
      await pause(DOZED_MS);
      const daemon = rig.daemon();
      const stopped = await fetch(`${daemon.controlUrl}/api/models/${MODEL}/sleep?wait=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${daemon.token}` },
        signal: AbortSignal.timeout(60_000),
      });
      expect(stopped.status, await stopped.text()).toBe(200);
      await until(
        'the model stopped',
        () => rig.model(),
        (m) => m?.state === 'asleep',
        30_000,
        100,
      );
      await pause(DOWN_MS);
      const to = Date.now();
      const truth = rig.standIn.truth();
      // Past the stop's measurement window (30 s after it) and the next resolve.
      await pause(35_000);
      const rows = await rig.historyRows(from, to);
      const saved = rows.reduce((sum, r) => sum + r.savedJoules, 0);
      const uncertainty = rows.reduce((sum, r) => sum + (r.savedUncertaintyJoules ?? NaN), 0);
      const dozeSaved = rows.reduce((sum, r) => sum + (r.dozeSavedJoules ?? NaN), 0);
      const report = `shown ${saved} ± ${uncertainty} (doze ${dozeSaved}); truth ${JSON.stringify(truth)}; ${JSON.stringify(rows)}\n${rig.audit()}`;
      // ~45 s dozed at 32 W and ~45 s down at 60 W: the doze alone claimed nothing before this change.
      expect(truth.savedJoules, report).toBeGreaterThan(3_500);
      expect(uncertainty, report).toBeGreaterThan(0);
      expect(Math.abs(saved - truth.savedJoules), report).toBeLessThanOrEqual(
        Math.max(0.03 * truth.savedJoules, uncertainty),
      );
      expect(Math.abs(dozeSaved - truth.dozeFreedJoules), report).toBeLessThanOrEqual(
        Math.max(0.03 * truth.dozeFreedJoules, uncertainty),
      );
      expect(
        rows.some((r) => r.estimated),
        report,
      ).toBe(false);
      console.info(`doze energy truth: ${report}`);
    },
    5 * 60_000,
  );
});
