// A dozed server across Siesta's own restart (issue 15), over the real engine: `siesta serve` dozes a fake vLLM server
// that keeps 4 GiB when it sleeps (the doze meter warns, over a GPU stand-in whose memory and watts follow the fake),
// then the daemon restarts. The new daemon asks the server (`GET /is_sleeping`) and takes it as dozed, not awake; what
// its last doze kept and the warning come back from the ledger; the next request wakes it through its own wake (no
// restart of the container); and the doze's saving goes on across the restart, within 3% of the stand-in's truth.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDozeDaemonRig, type DozeDaemonRig } from '../../../test/doze-daemon-rig';
import { testDocker } from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { until } from '../../../test/until';

const GIB = 1024 ** 3;
const GPU = {
  baselineWatts: 30,
  contextStepWatts: 20,
  awakeWatts: 40,
  dozedWatts: 8,
  noiseWatts: 0.5,
};

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeDocker('a dozed server found after Siesta restarts (real engine, GPU stand-in)', () => {
  let rig: DozeDaemonRig;

  beforeAll(async () => {
    rig = await startDozeDaemonRig({
      model: 'keeper',
      labels: { 'siesta.idle': '3s', 'siesta.vram': '14GiB' },
      env: { LEFTOVER_BYTES: String(4 * GIB) },
      gpu: GPU,
    });
  }, 180_000);

  afterAll(() => rig?.close(), 120_000);

  it('takes it as dozed by its own status, keeps what its doze kept and its warning, and wakes it by its own wake', async () => {
    // The GPU with the model down, for the ledger's fit, then a cold start and the doze 3 s after.
    await pause(8_000);
    expect((await rig.ask()).wakes).toBe(0);
    rig.standIn.startAccounting();
    const from = Date.now();
    const dozed = await until(
      'the doze measured, with its warning',
      () => rig.model(),
      (m) => m?.state === 'dozed' && (m.doze?.warning ?? null) !== null,
      30_000,
      100,
    );
    const kept = dozed?.doze?.keptBytes ?? NaN;
    // What the fake keeps dozed (4 GiB of its 14), as the stand-in's memory showed it a moment after the doze.
    expect(kept).toBeGreaterThan(3.5 * GIB);
    expect(kept).toBeLessThan(4.5 * GIB);
    // Past the doze's measurement window (30 s after it), so the first daemon credits it.
    await pause(35_000);
    const container = testDocker().getContainer(rig.container);
    const startedAt = (await container.inspect()).State.StartedAt;
    await rig.restart();
    expect(rig.standIn.phase()).toBe('dozed');
    // Taken as dozed (its server says /is_sleeping true), not awake; its last doze's measure back from the ledger.
    const found = await until(
      'the model found',
      () => rig.model(),
      (m) => m?.state !== 'waking',
    );
    expect(found?.state, rig.daemon().output()).toBe('dozed');
    expect(found?.doze?.keptBytes).toBe(kept);
    expect(found?.doze?.warning).toBe(dozed?.doze?.warning);
    await pause(10_000);
    // Its own wake: the same container (not restarted), the server's wake counter at 1.
    expect((await rig.ask()).wakes).toBe(1);
    expect((await container.inspect()).State.StartedAt).toBe(startedAt);
    const to = Date.now();
    const truth = rig.standIn.truth();
    const rows = await rig.historyRows(from, to);
    const dozeSaved = rows.reduce((sum, r) => sum + (r.dozeSavedJoules ?? NaN), 0);
    const uncertainty = rows.reduce((sum, r) => sum + (r.savedUncertaintyJoules ?? NaN), 0);
    const report = `doze ${dozeSaved} ± ${uncertainty}; truth ${JSON.stringify(truth)}; ${JSON.stringify(rows)}\n${rig.audit()}`;
    // The doze saved through the restart until the ready of its wake: not cut at the restart.
    expect(truth.dozeFreedJoules, report).toBeGreaterThan(1_200);
    expect(Math.abs(dozeSaved - truth.dozeFreedJoules), report).toBeLessThanOrEqual(
      Math.max(0.03 * truth.dozeFreedJoules, uncertainty),
    );
    console.info(`doze across a restart: ${report}`);
  }, 240_000);
});
