// The container runtime Siesta drives: the one engine the docker CLI would use, or siesta.yaml's `engines:` (several
// engines, Swarm managers) joined into one provider.
import type Dockerode from 'dockerode';
import type { Clock } from '../clock/clock';
import { yamlContainerNames } from '../config/load-specs';
import type { ContainerRuntime } from '../docker/container-runtime';
import { dockerFor, resolveDockerEndpoint } from '../docker/docker-client';
import { DockerRuntime } from '../docker/docker-runtime';
import {
  buildEngineSet,
  engineStatusLine,
  type EngineSetParts,
} from '../providers/build-engine-set';
import type { EngineSetRuntime } from '../providers/engine-set';
import type { ConfigInForce } from './config-reloader';
import type { EngineFeed } from './core-feeds';
import type { SiestaOptions } from './siesta-types';

/** The engine as the docker CLI finds it (DOCKER_HOST, its current context, the platform default), named in messages. */
export function buildRuntime(
  root: {
    readonly options: SiestaOptions;
    readonly clock: Clock;
    readonly log: (line: string) => void;
  },
  config: ConfigInForce,
  engine: EngineFeed,
): {
  runtime: ContainerRuntime;
  engineAddress: string;
  engineSet: EngineSetRuntime | null;
  /** What the engine set was built with, for applying a changed `engines:` later. */
  setParts: EngineSetParts;
  docker: Dockerode;
} {
  const { options } = root;
  let docker = options.docker;
  let engineAddress = 'the engine Siesta was given';
  if (!docker) {
    const endpoint = resolveDockerEndpoint();
    docker = dockerFor(endpoint);
    engineAddress = `${endpoint.address}, ${endpoint.source}`;
  }
  const managedNames = (): readonly string[] => {
    const yaml = config.get();
    return yaml ? yamlContainerNames(yaml) : [];
  };
  // siesta.yaml's `engines:` (several engines, Swarm managers): one provider over them all; else the one engine.
  const engines = config.get()?.engines ?? [];
  const setParts: EngineSetParts = {
    clock: root.clock,
    managedNames,
    scope: options.containerScope,
    onStatus: (status) => {
      root.log(engineStatusLine(status));
      engine.republish();
    },
  };
  const engineSet =
    engines.length > 0 && !options.docker ? buildEngineSet(engines, setParts) : null;
  if (engineSet) {
    engineAddress = engineSet
      .statuses()
      .map((e) => `${e.name} (${e.kind}) ${e.address}`)
      .join('; ');
  }
  const runtime: ContainerRuntime =
    engineSet ??
    new DockerRuntime({ docker, managedNames, scope: options.containerScope, clock: root.clock });
  return { runtime, engineAddress, engineSet, setParts, docker };
}
