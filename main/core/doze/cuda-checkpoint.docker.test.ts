// The cuda-checkpoint doze on the real engine (issue 15), without a GPU: the toggle is aimed at the container's real
// main process (a stand-in binary logs what it was asked), and a daemon on a host without the binary says so at load,
// naming the model, which then simply stops when idle. Not verified on hardware.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFakeModel, removeTestContainers, TEST_LABEL } from '../../../test/docker-harness';
import { describeDocker } from '../../../test/docker-suite';
import { until } from '../../../test/until';
import { systemClock } from '../clock/clock';
import { hostDozer } from '../compose/doze-parts';
import { specFromLabels } from '../config/spec-from-labels';
import { dockerFromEnv } from '../docker/docker-client';
import { DockerRuntime } from '../docker/docker-runtime';
import type { LifecycleEvent } from '../lifecycle/model-state';
import { startSiesta } from '../siesta';

const docker = dockerFromEnv();
const NAME = `hc-cuda-${process.pid}`;
const LABELS = { 'siesta.enable': 'true', 'siesta.doze': 'cuda-checkpoint', 'siesta.idle': '1s' };
let dir = '';

describeDocker(
  'cuda-checkpoint doze with the real engine (no GPU: the command and the refusal)',
  () => {
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'siesta-cuda-'));
    });

    afterAll(async () => {
      await removeTestContainers(docker);
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    it('toggles the container’s main process, as the engine reports it, for a doze and a wake', async () => {
      const calls = join(dir, 'calls.txt');
      const binary = join(dir, 'cuda-checkpoint');
      writeFileSync(binary, `#!/bin/sh\necho "$@" >> ${calls}\n`);
      chmodSync(binary, 0o755);
      const container = await createFakeModel(docker, { name: NAME, labels: LABELS, start: true });
      const pid = (await container.inspect()).State.Pid;
      expect(pid).toBeGreaterThan(0);
      const runtime = new DockerRuntime({ docker, managedNames: () => [] });
      const spec = specFromLabels(NAME, LABELS).spec;
      if (!spec) throw new Error('no spec');
      const dozer = hostDozer(() => null, runtime.mainPid.bind(runtime), binary);
      expect(dozer.refusal(spec)).toBeNull();
      await dozer.doze(spec, { host: '127.0.0.1', port: 1 });
      await dozer.wake(spec, { host: '127.0.0.1', port: 1 });
      expect(readFileSync(calls, 'utf8')).toBe(`--toggle --pid ${pid}\n--toggle --pid ${pid}\n`);
    });

    it('a daemon on a host without cuda-checkpoint says so at load, naming the model, and stops it when idle', async () => {
      await createFakeModel(docker, { name: NAME, labels: LABELS });
      const lines: string[] = [];
      const events: LifecycleEvent[] = [];
      const path = process.env.PATH;
      process.env.PATH = join(dir, 'empty');
      let siesta;
      try {
        siesta = await startSiesta({
          dataDir: join(dir, 'data'),
          gateway: { host: '127.0.0.1', port: 0 },
          control: { host: '127.0.0.1', port: 0 },
          docker,
          containerScope: [`${TEST_LABEL}=${process.pid}`],
          clock: systemClock(),
          log: (line) => lines.push(line),
        });
      } finally {
        process.env.PATH = path;
      }
      try {
        siesta.lifecycle.onEvent((event) => events.push(event));
        await until(
          'the load-time refusal in the log',
          () => lines,
          (all) =>
            all.some((l) =>
              l.includes(
                `"${NAME}" has siesta.doze cuda-checkpoint, but this host has no cuda-checkpoint on PATH (it comes with NVIDIA driver 550+); "${NAME}" stops instead of dozing`,
              ),
            ),
        );
        await siesta.lifecycle.wake(NAME, { kind: 'user', via: 'api' });
        await until(
          'the idle model to stop',
          () => siesta.lifecycle.get(NAME)?.state,
          (state) => state === 'asleep',
        );
        expect(events.filter((e) => e.model === NAME).map((e) => e.kind)).not.toContain('doze');
        expect((await docker.getContainer(NAME).inspect()).State.Running).toBe(false);
      } finally {
        await siesta.stop();
      }
    });
  },
);
