// Energy truth for dozes over the real engine (issue 15): `siesta serve`, a fake vLLM server with its sleep API in a real
// container, and a GPU stand-in (a dcgm-exporter on loopback) whose watts follow the fake's own sleep state, logging the
// true watts it served. The model wakes, dozes, stays dozed, is stopped from its doze and stays down: what the history
// API shows it saved, and the part its doze saved, are compared with the stand-in's truth.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HistoryResponseSchema, type HistoryResponse } from '../api/contract';
import {
  TEST_LABEL,
  createFakeModel,
  ensureFakeDozeImage,
  removeTestContainers,
  testDocker,
} from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { startDozeGpuStandIn, type DozeGpuStandIn } from '../../../test/doze-gpu-stand-in';
import { startDaemon, stateOf, type Daemon } from '../../../test/serve-daemon';
import { until } from '../../../test/until';

const docker = testDocker();
const MODEL = 'dozer';
const CONTAINER = `doze-energy-${process.pid}`;
// A 30 W card, a 20 W context step, the model 40 W awake and 8 W dozed: a doze frees 32 W, the stop after it 28 W more.
const SPEC = {
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
  let dir: string;
  let standIn: DozeGpuStandIn;
  let daemon: Daemon;

  const stateNow = async (): Promise<string | undefined> =>
    (await stateOf(daemon)).models.find((m) => m.name === MODEL)?.state;
  const control = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${daemon.controlUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${daemon.token}` },
      signal: AbortSignal.timeout(60_000),
    });
  const history = async (from: number, to: number): Promise<HistoryResponse> =>
    HistoryResponseSchema.parse(
      await (await control(`/api/history?from=${from}&to=${to}&bucket=day`)).json(),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'siesta-doze-energy-'));
    await createFakeModel(docker, {
      name: CONTAINER,
      image: ensureFakeDozeImage(),
      labels: {
        'siesta.enable': 'true',
        'siesta.name': MODEL,
        'siesta.health': '/health',
        'siesta.doze': 'vllm',
        'siesta.idle': '8s',
        [TEST_LABEL]: String(process.pid),
      },
      env: { WAKE_DELAY_MS: '300', NVIDIA_VISIBLE_DEVICES: '0' },
    });
    standIn = await startDozeGpuStandIn(docker, CONTAINER, SPEC);
    const config = join(dir, 'siesta.yaml');
    writeFileSync(
      config,
      ['engines:', '  home:', `    gpuMetrics: ${standIn.exporter.url}`, ''].join('\n'),
    );
    daemon = await startDaemon(join(dir, 'data'), ['--config', config]);
    await until('the model registered', stateNow, (s) => s === 'asleep');
  }, 180_000);

  afterAll(async () => {
    await daemon?.stop();
    await removeTestContainers(docker);
    await standIn?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it(
    'credits what the doze freed while dozed and after its stop, and the stop from the dozed level: within 3% of the truth',
    async () => {
      // The GPU's power with the model down, for the ledger's fit, before the first wake.
      await pause(12_000);
      const answer = await fetch(`${daemon.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
        signal: AbortSignal.timeout(60_000),
      });
      expect(answer.status, daemon.output()).toBe(200);
      standIn.startAccounting();
      const from = Date.now();
      await until('the model dozed', stateNow, (s) => s === 'dozed', 30_000, 100);
      expect(standIn.phase()).toBe('dozed');
      await pause(DOZED_MS);
      const stopped = await control(`/api/models/${MODEL}/sleep?wait=1`, { method: 'POST' });
      expect(stopped.status, await stopped.text()).toBe(200);
      await until('the model stopped', stateNow, (s) => s === 'asleep', 30_000, 100);
      await pause(DOWN_MS);
      const to = Date.now();
      const truth = standIn.truth();
      // Past the stop's measurement window (30 s after it) and the next resolve.
      await pause(35_000);
      const shown = await history(from, to);
      const rows = shown.buckets.flatMap((b) => b.models.filter((m) => m.model === MODEL));
      const saved = rows.reduce((sum, r) => sum + r.savedJoules, 0);
      const uncertainty = rows.reduce((sum, r) => sum + (r.savedUncertaintyJoules ?? NaN), 0);
      const dozeSaved = rows.reduce((sum, r) => sum + (r.dozeSavedJoules ?? NaN), 0);
      const report = `shown ${saved} ± ${uncertainty} (doze ${dozeSaved}); truth ${JSON.stringify(truth)}; ${JSON.stringify(rows)}`;
      // ~45 s dozed at 32 W and ~45 s down at 60 W: the doze alone claimed nothing before this change.
      expect(truth.savedJoules, report).toBeGreaterThan(3_500);
      expect(uncertainty, report).toBeGreaterThan(0);
      expect(Math.abs(saved - truth.savedJoules), report).toBeLessThanOrEqual(
        Math.max(0.03 * truth.savedJoules, uncertainty),
      );
      expect(Math.abs(dozeSaved - truth.dozeFreedJoules), report).toBeLessThanOrEqual(
        Math.max(0.03 * truth.dozeFreedJoules, uncertainty),
      );
      expect(shown.totals.estimated, report).toBe(false);
      expect(Math.abs(shown.totals.savedJoules - truth.savedJoules), report).toBeLessThanOrEqual(
        Math.max(0.03 * truth.savedJoules, uncertainty),
      );
    },
    5 * 60_000,
  );
});
