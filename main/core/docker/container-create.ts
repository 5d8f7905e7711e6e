// Creates a model's container through the Engine API: labels, GPU device request, the model-cache volume, a loopback
// published port and (when asked) a Docker healthcheck. A create that fails removes what it made (the volume too).
import { createServer } from 'node:net';
import type Dockerode from 'dockerode';
import { isEngineUnreachable } from './container-runtime';
import { engineMessage } from './image-pull';

/** Everything a model's container is made of. */
export interface ContainerBlueprint {
  readonly name: string;
  readonly image: string;
  /** Replaces the image's entrypoint when set. */
  readonly entrypoint?: readonly string[];
  readonly cmd: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly containerPort: number;
  /** The host port on 127.0.0.1, or null for one the Engine picks. */
  readonly hostPort: number | null;
  /** GPUs: none, every one, or the listed indexes. */
  readonly gpus: 'none' | 'all' | readonly number[];
  readonly cacheVolume: string;
  readonly cacheMountPath: string;
  readonly shmBytes: number | null;
  /** A `CMD` healthcheck, or null for none. */
  readonly healthcheck: readonly string[] | null;
}

/** The Engine's create body for a blueprint (pure). */
export function containerCreateOptions(
  blueprint: ContainerBlueprint,
): Dockerode.ContainerCreateOptions {
  const port = `${blueprint.containerPort}/tcp`;
  const gpus = blueprint.gpus;
  return {
    name: blueprint.name,
    Image: blueprint.image,
    ...(blueprint.entrypoint ? { Entrypoint: [...blueprint.entrypoint] } : {}),
    ...(blueprint.cmd.length > 0 ? { Cmd: [...blueprint.cmd] } : {}),
    Env: Object.entries(blueprint.env).map(([key, value]) => `${key}=${value}`),
    Labels: { ...blueprint.labels },
    ExposedPorts: { [port]: {} },
    ...(blueprint.healthcheck
      ? {
          Healthcheck: {
            Test: ['CMD', ...blueprint.healthcheck],
            Interval: 2e9,
            Timeout: 2e9,
            Retries: 3,
            StartPeriod: 0,
          },
        }
      : {}),
    HostConfig: {
      // Loopback only (DESIGN.md, "Security"): clients reach the model through Siesta's gateway.
      PortBindings: {
        [port]: [
          {
            HostIp: '127.0.0.1',
            HostPort: blueprint.hostPort === null ? '' : String(blueprint.hostPort),
          },
        ],
      },
      Mounts: [{ Type: 'volume', Source: blueprint.cacheVolume, Target: blueprint.cacheMountPath }],
      ...(gpus === 'none'
        ? {}
        : {
            DeviceRequests: [
              gpus === 'all'
                ? { Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }
                : { Driver: 'nvidia', DeviceIDs: gpus.map(String), Capabilities: [['gpu']] },
            ],
          }),
      ...(blueprint.shmBytes === null ? {} : { ShmSize: blueprint.shmBytes }),
    },
  };
}

/** Why a container could not be made. */
export class ContainerCreateError extends Error {
  constructor(
    readonly reason: 'name-taken' | 'port-taken' | 'engine',
    message: string,
  ) {
    super(message);
    this.name = 'ContainerCreateError';
  }
}

/** Whether a TCP port on 127.0.0.1 can be bound now (nothing, a container's proxy included, holds it). */
export async function loopbackPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

/** Throws `ContainerCreateError` when the name or the host port is taken; creates nothing. */
export async function checkBlueprint(
  docker: Dockerode,
  blueprint: ContainerBlueprint,
): Promise<void> {
  const existing = await docker
    .getContainer(blueprint.name)
    .inspect()
    .then(
      () => true,
      (error: unknown) => {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        // An engine that is away is told apart by the caller (isEngineUnreachable); anything else is named here.
        if (isEngineUnreachable(error)) throw error;
        throw new ContainerCreateError(
          'engine',
          `the Docker Engine did not answer: ${engineMessage(error)}`,
        );
      },
    );
  if (existing)
    throw new ContainerCreateError(
      'name-taken',
      `a container named "${blueprint.name}" already exists (adopt it instead, or choose another name)`,
    );
  if (blueprint.hostPort !== null && !(await loopbackPortFree(blueprint.hostPort)))
    throw new ContainerCreateError(
      'port-taken',
      `127.0.0.1:${blueprint.hostPort} is already in use; leave the port empty and the Engine picks a free one`,
    );
}

/** Creates the container (and its cache volume when absent); on failure removes what it made. Returns the id. */
export async function createContainer(
  docker: Dockerode,
  blueprint: ContainerBlueprint,
): Promise<string> {
  let madeVolume = false;
  try {
    const volumeExists = await docker
      .getVolume(blueprint.cacheVolume)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (!volumeExists) {
      await docker.createVolume({
        Name: blueprint.cacheVolume,
        Labels: { 'siesta-template.cache': 'true' },
      });
      madeVolume = true;
    }
    const container = await docker.createContainer(containerCreateOptions(blueprint));
    return container.id;
  } catch (error: unknown) {
    if (madeVolume)
      await docker
        .getVolume(blueprint.cacheVolume)
        .remove()
        .catch(() => undefined);
    if (error instanceof ContainerCreateError) throw error;
    const status = (error as { statusCode?: number }).statusCode;
    throw new ContainerCreateError(
      status === 409 ? 'name-taken' : 'engine',
      status === 409
        ? `a container named "${blueprint.name}" already exists`
        : `the Docker Engine refused to create "${blueprint.name}": ${engineMessage(error)}`,
    );
  }
}
