// Re-creates a container with changed labels (labels cannot be changed on an existing container): the same image,
// command, env, mounts, ports, GPUs and networks, under the same name. The old one is kept aside until the new one
// exists, and put back as it was if anything fails.
import type Dockerode from 'dockerode';
import { ContainerCreateError } from './container-create';
import { engineMessage } from './image-pull';

/** The create body that reproduces an inspected container with other labels (pure). */
export function recreateOptions(
  info: Dockerode.ContainerInspectInfo,
  labels: Readonly<Record<string, string>>,
): Dockerode.ContainerCreateOptions {
  const config = info.Config;
  const networks = info.NetworkSettings.Networks;
  const mode = info.HostConfig.NetworkMode ?? 'default';
  return {
    name: info.Name.replace(/^\//, ''),
    Image: config.Image,
    Cmd: config.Cmd,
    Entrypoint: config.Entrypoint,
    Env: config.Env,
    WorkingDir: config.WorkingDir,
    User: config.User,
    ExposedPorts: config.ExposedPorts,
    Healthcheck: config.Healthcheck,
    StopSignal: (config as { StopSignal?: string }).StopSignal,
    Labels: { ...labels },
    HostConfig: info.HostConfig,
    // Custom networks keep their aliases; the default bridge and host/none modes come from HostConfig alone.
    ...(mode === 'default' || mode === 'bridge' || mode === 'host' || mode === 'none'
      ? {}
      : {
          NetworkingConfig: {
            EndpointsConfig: Object.fromEntries(
              Object.entries(networks).map(([name, net]) => [
                name,
                { Aliases: (net.Aliases as string[] | null | undefined) ?? undefined },
              ]),
            ),
          },
        }),
  };
}

/** Re-creates `name` with `labels(oldLabels)`; starts it again if it was running. Returns the new id. */
export async function recreateWithLabels(
  docker: Dockerode,
  name: string,
  labels: (old: Readonly<Record<string, string>>) => Record<string, string>,
): Promise<string> {
  let info: Dockerode.ContainerInspectInfo;
  try {
    info = await docker.getContainer(name).inspect();
  } catch (error: unknown) {
    throw new ContainerCreateError(
      'engine',
      `no container named "${name}" (${engineMessage(error)})`,
    );
  }
  const wasRunning = info.State.Running;
  const old = docker.getContainer(info.Id);
  const aside = `${info.Name.replace(/^\//, '')}-siesta-old-${Date.now()}`;
  const options = recreateOptions(info, labels(info.Config.Labels ?? {}));
  if (wasRunning) await old.stop({ t: 10 });
  await old.rename({ name: aside });
  let made: Dockerode.Container | null = null;
  try {
    made = await docker.createContainer(options);
    if (wasRunning) await made.start();
  } catch (error: unknown) {
    if (made) await made.remove({ force: true }).catch(() => undefined);
    await old.rename({ name: options.name ?? name });
    if (wasRunning) await old.start().catch(() => undefined);
    throw new ContainerCreateError(
      'engine',
      `the Docker Engine could not re-create "${name}": ${engineMessage(error)}; it was left as it was`,
    );
  }
  await old.remove({ force: true });
  return made.id;
}
