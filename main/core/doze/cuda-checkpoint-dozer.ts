// The `cuda-checkpoint` doze (issue 15): `cuda-checkpoint --toggle --pid PID` on the container's main process, run on
// the host, moves its GPU state to host RAM and back (NVIDIA driver 550+). Not yet verified on hardware.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ModelSpec } from '../config/model-spec';
import type { Dozer } from '../lifecycle/lifecycle-api';
import type { CommandResult } from '../gpu/run-command';
import { runCommand } from '../gpu/run-command';

/** The command's name, looked up on PATH. */
export const CUDA_CHECKPOINT_COMMAND = 'cuda-checkpoint';

/** The full path of `command` on `pathList` (PATH's form), or null when no entry has it executable. */
export function findOnPath(command: string, pathList: string | undefined): string | null {
  for (const dir of (pathList ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The arguments of one toggle (a doze and a wake are the same call: it flips the process's state). */
export function cudaCheckpointArgs(pid: number): string[] {
  return ['--toggle', '--pid', String(pid)];
}

/** Why `model` cannot doze by cuda-checkpoint on this host (the binary is missing), or null when it can. */
export function cudaCheckpointRefusal(model: ModelSpec, binary: string | null): string | null {
  if (model.doze?.kind !== 'cuda-checkpoint' || binary !== null) return null;
  return (
    `"${model.name}" has siesta.doze cuda-checkpoint, but this host has no ${CUDA_CHECKPOINT_COMMAND} on PATH ` +
    `(it comes with NVIDIA driver 550+); "${model.name}" stops instead of dozing`
  );
}

/** At load: why a model's cuda-checkpoint doze cannot work here (no binary on this host's PATH), or null. */
export function cudaCheckpointLoadProblem(model: ModelSpec): string | null {
  if (model.doze?.kind !== 'cuda-checkpoint') return null;
  return cudaCheckpointRefusal(model, findOnPath(CUDA_CHECKPOINT_COMMAND, process.env.PATH));
}

/** The arguments that ask a process's state (`running`, `checkpointed`, ...). */
export function cudaCheckpointStateArgs(pid: number): string[] {
  return ['--get-state', '--pid', String(pid)];
}

/** What the cuda-checkpoint dozer is built with. */
export interface CudaCheckpointDozerOptions {
  /** The binary's path (`findOnPath`), or null when the host has none. */
  readonly binary: string | null;
  /** The host PID of a container's main process, or null when it is not running. */
  readonly mainPid: (container: string) => Promise<number | null>;
  /** Runs the command; default `runCommand` (60 s: a wake copies the GPU state back). */
  readonly run?: (command: string, args: readonly string[]) => Promise<CommandResult>;
}

/** A Dozer for models whose doze is `cuda-checkpoint`. */
export function cudaCheckpointDozer(options: CudaCheckpointDozerOptions): Dozer {
  const run = options.run ?? ((c, a) => runCommand(c, a, { timeoutMs: 60_000 }));
  const toggle = async (model: ModelSpec, what: string): Promise<void> => {
    const binary = options.binary;
    if (binary === null) throw new Error(cudaCheckpointRefusal(model, binary) ?? model.name);
    const pid = await options.mainPid(model.container);
    if (pid === null || pid <= 0)
      throw new Error(
        `${model.name}: cannot ${what}: its container ${model.container} runs no process`,
      );
    const result = await run(binary, cudaCheckpointArgs(pid));
    if (result.code !== 0)
      throw new Error(
        `${model.name}: ${CUDA_CHECKPOINT_COMMAND} ${cudaCheckpointArgs(pid).join(' ')} (${what}) failed: ` +
          (result.failure ??
            `exit ${String(result.code)}: ${(result.stderr || result.stdout).trim().slice(0, 200)}`),
      );
  };
  return {
    refusal: (model) => cudaCheckpointRefusal(model, options.binary),
    doze: (model) => toggle(model, 'doze'),
    wake: (model) => toggle(model, 'wake'),
    // `checkpointed`: its GPU state is in host RAM, as after a doze.
    isDozed: async (model) => {
      const pid = options.binary === null ? null : await options.mainPid(model.container);
      if (options.binary === null || pid === null || pid <= 0) return null;
      const result = await run(options.binary, cudaCheckpointStateArgs(pid));
      return result.code === 0 ? /checkpointed/i.test(result.stdout) : null;
    },
  };
}
