// `siesta add NAME --template T --model ID`: sizes the model for this machine's GPUs (as the running daemon sees them),
// pulls the image with a live per-layer bar, creates the container through the Engine, and with --wake waits for the
// daemon to pick it up and wakes it, showing the first wake's progress.
import type Dockerode from 'dockerode';
import { StateResponseSchema, type StateResponse } from '../core/api/contract';
import { dockerFor, resolveDockerEndpoint } from '../core/docker/docker-client';
import type { PullProgress } from '../core/docker/image-pull';
import { addModel, type PullPolicy } from '../core/manage/add-model';
import { AddModelError } from '../core/manage/add-model-error';
import { planAddModel, type AddModelRequest } from '../core/manage/add-plan';
import { gpuCapacities } from '../core/sizing/gpu-capacity';
import { CliError } from './cli-error';
import { formatBytes } from '../core/client/format';
import type { CliCommandOptions } from './cli-options';
import type { ControlClient } from '../core/client/control-client';
import { cliClient } from './control-client';
import { OutputLine } from './output-line';
import { sizingLines } from './sizing-table';
import { runWake } from './wake-command';

/** What `siesta add` was asked. */
export interface AddCommandInput {
  readonly request: AddModelRequest;
  readonly pull: PullPolicy;
  /** Only print the sizing and the plan; create nothing. */
  readonly dryRun: boolean;
  /** Wake it once the daemon has it. */
  readonly wake: boolean;
  /** Default: the engine the docker CLI would use. */
  readonly docker?: Dockerode;
}

function pullBar(progress: PullProgress, width = 24): { tty: string; plain: string } {
  const done = progress.layers.filter((l) => l.done).length;
  const share = progress.totalBytes > 0 ? progress.currentBytes / progress.totalBytes : 0;
  const filled = Math.round(Math.min(1, share) * width);
  const layers = `${done}/${progress.layers.length} layers`;
  return {
    tty: `pulling ${progress.image} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${formatBytes(progress.currentBytes)} / ${formatBytes(progress.totalBytes)}, ${layers}`,
    // A pipe gets a line per layer finished and per quarter downloaded, not one per stream message.
    plain:
      progress.layers.length === 0
        ? `pulling ${progress.image}: asking the registry`
        : `pulling ${progress.image}: ${layers} done, ${Math.floor(share * 4) * 25}% of the known bytes`,
  };
}

async function daemonState(
  options: CliCommandOptions,
): Promise<{ client: ControlClient; state: StateResponse } | string> {
  try {
    const client = cliClient(options);
    return { client, state: await client.json('GET', '/api/state', StateResponseSchema) };
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Runs `siesta add`; returns the container id (null on a dry run). */
export async function runAdd(
  input: AddCommandInput,
  options: CliCommandOptions,
): Promise<string | null> {
  const out = new OutputLine(options.out);
  const daemon = await daemonState(options);
  const gpus = typeof daemon === 'string' ? [] : gpuCapacities(daemon.state.gpus);
  if (typeof daemon === 'string') {
    if (input.wake) throw new CliError(`--wake needs a running Siesta: ${daemon}`);
    out.line(
      `No running Siesta answered (${daemon}); the GPUs are unknown, so the fit is not checked.`,
    );
  } else if (gpus.length === 0) {
    out.line('The running Siesta sees no GPU: the model runs without one (--gpu none).');
  }
  const docker = input.docker ?? dockerFor(resolveDockerEndpoint());
  const modelNames = typeof daemon === 'string' ? [] : daemon.state.models.map((m) => m.name);
  let containerId: string | null = null;
  try {
    if (input.dryRun) {
      const plan = planAddModel(input.request, gpus);
      for (const line of plan.sizing ? sizingLines(plan.sizing, plan, gpus.length) : [])
        out.line(line);
      out.line(
        `Would create container "${plan.name}" from ${plan.image} (dry run: nothing was made).`,
      );
      return null;
    }
    const result = await addModel(docker, input.request, {
      gpus,
      modelNames,
      pull: input.pull,
      onProgress: (p) => {
        if (p.step === 'planned') {
          if (p.plan.sizing)
            for (const line of sizingLines(p.plan.sizing, p.plan, gpus.length)) out.line(line);
          else
            out.line(
              `The size of "${p.plan.modelId || p.plan.template.title}" is unknown (give --params, e.g. 8B), so the fit is not checked.`,
            );
        } else if (p.step === 'pull') {
          const bar = pullBar(p.progress);
          out.progress(bar.tty, bar.plain);
        } else if (p.step === 'image-ready') {
          out.line(
            p.pulled
              ? `Pulled ${input.request.image ?? 'the image'}.`
              : 'The image is already here.',
          );
        }
      },
    });
    containerId = result.containerId;
    out.line(
      `Created container "${result.plan.name}" (asleep); it wakes on its first request through Siesta's gateway.`,
    );
  } catch (error: unknown) {
    if (error instanceof AddModelError) throw new CliError(error.message);
    throw error;
  }
  if (input.wake && typeof daemon !== 'string') {
    const name = input.request.name;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const state = await daemon.client.json('GET', '/api/state', StateResponseSchema);
      if (state.models.some((m) => m.name === name)) break;
      if (Date.now() > deadline)
        throw new CliError(
          `the running Siesta did not pick up "${name}" within 15 s (is it started with --only-label?)`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await runWake(name, options);
  }
  return containerId;
}
