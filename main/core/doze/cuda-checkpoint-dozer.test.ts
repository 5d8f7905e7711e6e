// The cuda-checkpoint doze's command and its refusal on a host without the binary (unit; not verified on hardware).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../config/model-spec';
import {
  cudaCheckpointArgs,
  cudaCheckpointDozer,
  cudaCheckpointRefusal,
  findOnPath,
} from './cuda-checkpoint-dozer';

const dir = mkdtempSync(join(tmpdir(), 'siesta-cuda-checkpoint-'));
const calls = join(dir, 'calls.txt');
/** A stand-in binary: logs its arguments, fails with a message when its first pid is 13. */
const binary = join(dir, 'cuda-checkpoint');
writeFileSync(
  binary,
  `#!/bin/sh\necho "$@" >> ${calls}\nif [ "$3" = 13 ]; then echo "pid 13 has no CUDA context" >&2; exit 3; fi\n`,
);
chmodSync(binary, 0o755);
const spec = {
  name: 'llm',
  container: 'llm-box',
  doze: { kind: 'cuda-checkpoint', sleepPath: '', wakePath: '', statusPath: null },
} as unknown as ModelSpec;
const upstream = { host: '127.0.0.1', port: 1 };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cuda-checkpoint doze', () => {
  it('finds the binary on PATH only where it is executable', () => {
    expect(findOnPath('cuda-checkpoint', ['/nonexistent', dir].join(delimiter))).toBe(binary);
    expect(findOnPath('cuda-checkpoint', '/nonexistent')).toBeNull();
    expect(findOnPath('calls.txt', dir)).toBeNull();
  });

  it('toggles the container’s main process for a doze and again for a wake', async () => {
    const pids: string[] = [];
    const dozer = cudaCheckpointDozer({
      binary,
      mainPid: (container) => {
        pids.push(container);
        return Promise.resolve(4242);
      },
    });
    expect(dozer.refusal(spec)).toBeNull();
    await dozer.doze(spec, upstream);
    await dozer.wake(spec, upstream);
    expect(pids).toEqual(['llm-box', 'llm-box']);
    expect(readFileSync(calls, 'utf8')).toBe('--toggle --pid 4242\n--toggle --pid 4242\n');
    expect(cudaCheckpointArgs(7)).toEqual(['--toggle', '--pid', '7']);
  });

  it('says which model, which command and what it said when the toggle fails, or when nothing runs', async () => {
    const failing = cudaCheckpointDozer({ binary, mainPid: () => Promise.resolve(13) });
    await expect(failing.doze(spec, upstream)).rejects.toThrow(
      'llm: cuda-checkpoint --toggle --pid 13 (doze) failed: exit 3: pid 13 has no CUDA context',
    );
    const stopped = cudaCheckpointDozer({ binary, mainPid: () => Promise.resolve(null) });
    await expect(stopped.wake(spec, upstream)).rejects.toThrow(
      'llm: cannot wake: its container llm-box runs no process',
    );
  });

  it('says a process found at start dozes when its state is checkpointed (cuda-checkpoint --get-state)', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'siesta-cuda-state-'));
    const stateBinary = join(stateDir, 'cuda-checkpoint');
    // Pid 1 is checkpointed, pid 2 running, pid 3 not a CUDA process (exit 1).
    writeFileSync(
      stateBinary,
      '#!/bin/sh\ncase "$3" in 1) echo checkpointed;; 2) echo running;; *) exit 1;; esac\n',
    );
    chmodSync(stateBinary, 0o755);
    const at = (pid: number | null) =>
      cudaCheckpointDozer({ binary: stateBinary, mainPid: () => Promise.resolve(pid) });
    expect(await at(1).isDozed?.(spec, upstream)).toBe(true);
    expect(await at(2).isDozed?.(spec, upstream)).toBe(false);
    expect(await at(3).isDozed?.(spec, upstream)).toBeNull();
    expect(await at(null).isDozed?.(spec, upstream)).toBeNull();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('refuses, naming the model, on a host without cuda-checkpoint; the model then stops', async () => {
    const message =
      '"llm" has siesta.doze cuda-checkpoint, but this host has no cuda-checkpoint on PATH (it comes with NVIDIA ' +
      'driver 550+); "llm" stops instead of dozing';
    expect(cudaCheckpointRefusal(spec, null)).toBe(message);
    const dozer = cudaCheckpointDozer({ binary: null, mainPid: () => Promise.resolve(1) });
    expect(dozer.refusal(spec)).toBe(message);
    await expect(dozer.doze(spec, upstream)).rejects.toThrow(message);
    expect(cudaCheckpointRefusal({ ...spec, doze: null }, null)).toBeNull();
  });
});
