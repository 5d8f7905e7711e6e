// A dozed server across Siesta's own restart (issue 15), over the real engine: `siesta serve` dozes a fake vLLM server
// that keeps 4 GiB when it sleeps (the doze meter warns, over a GPU stand-in whose memory and watts follow the fake),
// then the daemon restarts. The new daemon asks the server (`GET /is_sleeping`) and takes it as dozed, not awake; what
// its last doze kept and the warning come back from the ledger; the next request wakes it through its own wake (no
// restart of the container); and the doze's saving goes on across the restart, within 3% of the stand-in's truth.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HistoryResponseSchema, type ModelView } from '../api/contract';
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
const MODEL = 'keeper';
const CONTAINER = `doze-restart-${process.pid}`;
const GIB = 1024 ** 3;
const SPEC = {
  baselineWatts: 30,
  contextStepWatts: 20,
  awakeWatts: 40,
  dozedWatts: 8,
  noiseWatts: 0.5,
};

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeDocker('a dozed server found after Siesta restarts (real engine, GPU stand-in)', () => {
  let dir: string;
  let config: string;
  let standIn: DozeGpuStandIn;
  let daemon: Daemon | null = null;

  const live = (): Daemon => {
    if (!daemon) throw new Error('no daemon');
    return daemon;
  };
  const modelNow = async (): Promise<ModelView | undefined> =>
    (await stateOf(live())).models.find((m) => m.name === MODEL);
  const ask = async (): Promise<{ model: string; wakes: number }> => {
    const answer = await fetch(`${live().gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      signal: AbortSignal.timeout(60_000),
    });
    expect(answer.status, live().output()).toBe(200);
    return (await answer.json()) as { model: string; wakes: number };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'siesta-doze-restart-'));
    await createFakeModel(docker, {
      name: CONTAINER,
      image: ensureFakeDozeImage(),
      labels: {
        'siesta.enable': 'true',
        'siesta.name': MODEL,
        'siesta.health': '/health',
        'siesta.doze': 'vllm',
        'siesta.idle': '3s',
        'siesta.vram': '14GiB',
        [TEST_LABEL]: String(process.pid),
      },
      env: {
        WAKE_DELAY_MS: '300',
        LEFTOVER_BYTES: String(4 * GIB),
        NVIDIA_VISIBLE_DEVICES: '0',
      },
    });
    standIn = await startDozeGpuStandIn(docker, CONTAINER, SPEC);
    config = join(dir, 'siesta.yaml');
    writeFileSync(
      config,
      ['engines:', '  home:', `    gpuMetrics: ${standIn.exporter.url}`, ''].join('\n'),
    );
    daemon = await startDaemon(join(dir, 'data'), ['--config', config]);
    await until('the model registered', modelNow, (m) => m?.state === 'asleep');
  }, 180_000);

  afterAll(async () => {
    await daemon?.stop();
    await removeTestContainers(docker);
    await standIn?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('takes it as dozed by its own status, keeps what its doze kept and its warning, and wakes it by its own wake', async () => {
    // The GPU with the model down, for the ledger's fit, then a cold start and the doze 3 s after.
    await pause(8_000);
    expect((await ask()).wakes).toBe(0);
    standIn.startAccounting();
    const from = Date.now();
    const dozed = await until(
      'the doze measured, with its warning',
      modelNow,
      (m) => m?.state === 'dozed' && (m.doze?.warning ?? null) !== null,
      30_000,
      100,
    );
    const kept = dozed?.doze?.keptBytes ?? NaN;
    expect(kept).toBeGreaterThan(3 * GIB);
    // Past the doze's measurement window (30 s after it), so the first daemon credits it.
    await pause(35_000);
    const startedAt = (await docker.getContainer(CONTAINER).inspect()).State.StartedAt;
    await live().stop();
    daemon = null;
    expect(standIn.phase()).toBe('dozed');

    daemon = await startDaemon(join(dir, 'data'), ['--config', config]);
    const found = await until('the model found', modelNow, (m) => m?.state !== undefined);
    // Taken as dozed (its server says /is_sleeping true), not awake; its last doze's measure back from the ledger.
    const settled = await until(
      'the model taken as dozed',
      modelNow,
      (m) => m?.state !== 'waking',
      30_000,
      100,
    );
    expect(settled?.state, `${JSON.stringify(found)}\n${live().output()}`).toBe('dozed');
    expect(settled?.doze?.keptBytes).toBe(kept);
    expect(settled?.doze?.warning).toBe(dozed?.doze?.warning);
    await pause(10_000);
    // Its own wake: the same container (not restarted), the server's wake counter at 1.
    expect((await ask()).wakes).toBe(1);
    expect((await docker.getContainer(CONTAINER).inspect()).State.StartedAt).toBe(startedAt);
    const to = Date.now();
    const truth = standIn.truth();
    const history = HistoryResponseSchema.parse(
      await (
        await fetch(`${live().controlUrl}/api/history?from=${from}&to=${to}&bucket=day`, {
          headers: { authorization: `Bearer ${live().token}` },
        })
      ).json(),
    );
    const rows = history.buckets.flatMap((b) => b.models.filter((m) => m.model === MODEL));
    const dozeSaved = rows.reduce((sum, r) => sum + (r.dozeSavedJoules ?? NaN), 0);
    const uncertainty = rows.reduce((sum, r) => sum + (r.savedUncertaintyJoules ?? NaN), 0);
    const report = `doze ${dozeSaved} ± ${uncertainty}; truth ${JSON.stringify(truth)}; ${JSON.stringify(rows)}`;
    // The doze saved through the restart until the ready of its wake: not cut at the restart.
    expect(truth.dozeFreedJoules, report).toBeGreaterThan(1_500);
    expect(Math.abs(dozeSaved - truth.dozeFreedJoules), report).toBeLessThanOrEqual(
      Math.max(0.03 * truth.dozeFreedJoules, uncertainty),
    );
  }, 240_000);
});
