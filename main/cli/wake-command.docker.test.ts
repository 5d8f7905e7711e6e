// `siesta wake` against the real daemon (issue 15): it says which kind of wake is happening, a full start of a
// stopped container or the server's own wake from its doze, with its usual time once Siesta has learned one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createFakeModel,
  ensureFakeDozeImage,
  removeTestContainers,
  testDocker,
} from '../../test/docker-harness';
import { describeDocker } from '../../test/docker-suite';
import { CLI, startSiestaDaemon, stateOf, TSX, type SiestaDaemon } from '../../test/siesta-daemon';
import { until } from '../../test/until';

const docker = testDocker();
const CONTAINER = `cli-wake-dozy-${process.pid}`;
const MODEL = 'dozy';
let dataDir = '';
let daemon: SiestaDaemon | null = null;

function wake(): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(
    TSX,
    [CLI, 'wake', MODEL, '--control', daemon!.controlUrl, '--data-dir', dataDir],
    { encoding: 'utf8', timeout: 60_000 },
  );
}

async function dozed(): Promise<void> {
  await until(
    `${MODEL} to doze once idle`,
    async () => (await stateOf(daemon!)).models.find((m) => m.name === MODEL)?.state,
    (state) => state === 'dozed',
    30_000,
  );
}

describeDocker('siesta wake says which kind of wake it is (real daemon, real engine)', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'siesta-cli-wake-'));
    await createFakeModel(docker, {
      name: CONTAINER,
      image: ensureFakeDozeImage(),
      labels: {
        'siesta.enable': 'true',
        'siesta.name': MODEL,
        'siesta.health': '/health',
        'siesta.doze': 'vllm',
        'siesta.idle': '2s',
      },
      env: { WAKE_DELAY_MS: '300' },
    });
    daemon = await startSiestaDaemon(dataDir);
  }, 180_000);

  afterAll(async () => {
    await daemon?.stop();
    await removeTestContainers(docker);
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });

  it('a stopped model: a full start; a dozed one: its doze, and then its usual doze wake time', async () => {
    const started = wake();
    expect(started.stderr).toBe('');
    expect(started.status).toBe(0);
    expect(started.stdout).toMatch(
      new RegExp(
        `^waking ${MODEL} with a full start\\.\\.\\.\\n${MODEL} is ready after \\d+\\.\\d s\\n$`,
      ),
    );

    await dozed();
    const fromDoze = wake();
    expect(fromDoze.status).toBe(0);
    expect(fromDoze.stdout).toMatch(
      new RegExp(
        `^waking ${MODEL} from its doze \\(its server kept running\\)\\.\\.\\.\\n${MODEL} is ready after \\d+\\.\\d s\\n$`,
      ),
    );

    // Once a doze wake is in the ledger, the next one says how long it usually takes (the daemon reads it afresh
    // after a restart; a running one keeps its figure for a minute).
    await daemon!.stop();
    daemon = await startSiestaDaemon(dataDir);
    await dozed();
    const learned = wake();
    expect(learned.status).toBe(0);
    expect(learned.stdout).toMatch(
      new RegExp(
        `^waking ${MODEL} from its doze \\(its server kept running\\), usually \\d+\\.\\d s\\.\\.\\.\\n${MODEL} is ready after \\d+\\.\\d s\\n$`,
      ),
    );
  });
});
