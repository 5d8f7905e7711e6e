// Adds a model: checks the request (plan), the name and port, pulls the image with per-layer progress when the Engine
// lacks it, then creates the labelled container, asleep until its first request. Nothing is left half-made on failure.
import type Dockerode from 'dockerode';
import {
  ContainerCreateError,
  checkBlueprint,
  createContainer,
  type ContainerBlueprint,
} from '../docker/container-create';
import { isEngineUnreachable } from '../docker/container-runtime';
import { hasImage, ImagePullError, pullImage, type PullProgress } from '../docker/image-pull';
import type { GpuCapacity } from '../sizing/vram-estimate';
import { AddModelError } from './add-model-error';
import { planAddModel, type AddModelPlan, type AddModelRequest } from './add-plan';

/** What adding a model reports while it works. */
export type AddModelProgress =
  | { readonly step: 'planned'; readonly plan: AddModelPlan }
  | { readonly step: 'pull'; readonly progress: PullProgress }
  | { readonly step: 'image-ready'; readonly pulled: boolean }
  | { readonly step: 'created'; readonly containerId: string };

/** When to pull: only when the Engine lacks the image (default), always, or never. */
export type PullPolicy = 'missing' | 'always' | 'never';

/** What adding needs besides the request. */
export interface AddModelOptions {
  /** The GPUs as the daemon sees them (empty when none or unknown). */
  readonly gpus: readonly GpuCapacity[];
  /** Names of the models Siesta already has (labels and siesta.yaml). */
  readonly modelNames: readonly string[];
  readonly pull?: PullPolicy;
  readonly onProgress?: (progress: AddModelProgress) => void;
}

/** The made container. */
export interface AddModelResult {
  readonly plan: AddModelPlan;
  readonly containerId: string;
}

/** The container a plan makes. */
export function blueprintOf(plan: AddModelPlan): ContainerBlueprint {
  return {
    name: plan.name,
    image: plan.image,
    ...(plan.launch.entrypoint ? { entrypoint: plan.launch.entrypoint } : {}),
    cmd: plan.launch.cmd,
    env: plan.launch.env,
    labels: plan.labels,
    containerPort: plan.template.containerPort,
    hostPort: plan.hostPort,
    gpus: plan.gpu.kind === 'index' ? [plan.gpu.index] : plan.gpu.kind,
    cacheVolume: plan.cacheVolume,
    cacheMountPath: plan.template.cacheMountPath,
    shmBytes: plan.template.shmBytes,
    healthcheck: plan.launch.healthcheck ?? null,
  };
}

/** Adds a model; rejects with `AddModelError` (code, field, sentence) and leaves nothing behind. */
export async function addModel(
  docker: Dockerode,
  request: AddModelRequest,
  options: AddModelOptions,
): Promise<AddModelResult> {
  const plan = planAddModel(request, options.gpus);
  const report = options.onProgress ?? (() => undefined);
  if (options.modelNames.includes(plan.name))
    throw new AddModelError(
      'name-taken',
      'name',
      `Siesta already has a model named "${plan.name}"; choose another name`,
    );
  report({ step: 'planned', plan });
  const blueprint = blueprintOf(plan);
  try {
    await checkBlueprint(docker, blueprint);
    const policy = options.pull ?? 'missing';
    const present = policy === 'always' ? false : await hasImage(docker, plan.image);
    if (!present && policy === 'never')
      throw new AddModelError(
        'image-missing',
        'image',
        `the Docker Engine has no image ${plan.image} and pulling was turned off`,
      );
    if (!present)
      await pullImage(docker, plan.image, (progress) => report({ step: 'pull', progress }));
    report({ step: 'image-ready', pulled: !present });
    const containerId = await createContainer(docker, blueprint);
    report({ step: 'created', containerId });
    return { plan, containerId };
  } catch (error: unknown) {
    if (isEngineUnreachable(error))
      throw new AddModelError(
        'engine',
        null,
        `the Docker Engine does not answer (${error instanceof Error ? error.message : String(error)}); start Docker (or set DOCKER_HOST to where it listens) and add the model again`,
      );
    if (error instanceof ContainerCreateError)
      throw new AddModelError(
        error.reason,
        error.reason === 'port-taken' ? 'hostPort' : error.reason === 'name-taken' ? 'name' : null,
        error.message,
      );
    if (error instanceof ImagePullError)
      throw new AddModelError('pull-failed', 'image', error.message);
    throw error;
  }
}
