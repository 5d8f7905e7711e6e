// Which host port reaches a container's model server, from the ports it publishes: on 127.0.0.1 for a local engine,
// on the engine's host for a remote one.
import type { ContainerInfo } from './container-runtime';

/** The host port, or why none fits. */
export type HostPortResult =
  | { readonly ok: true; readonly hostPort: number }
  | { readonly ok: false; readonly problem: string };

/** Host addresses a loopback client reaches: 127.0.0.1 itself or every IPv4 address. */
const loopbackReachable = new Set(['127.0.0.1', '0.0.0.0', '']);
/** Host addresses a client on another machine reaches: every address (IPv4 or both families). */
const everyAddress = new Set(['0.0.0.0', '', '::']);

/**
 * The host port for `containerPort` (the spec's `port`), or for the only published TCP port when it
 * is null. Only bindings reachable where Siesta dials count (127.0.0.1, or a remote engine's `upstreamHost`); the
 * address itself wins over 0.0.0.0. A container on the host's network publishes nothing: its server listens on the
 * spec's port of the host itself.
 */
export function hostPortFor(
  container: Pick<ContainerInfo, 'publishedPorts' | 'hostNetwork' | 'upstreamHost'>,
  containerPort: number | null,
): HostPortResult {
  if (container.hostNetwork) {
    if (containerPort !== null) return { ok: true, hostPort: containerPort };
    return {
      ok: false,
      problem:
        "the container uses the host's network (network_mode: host), so it publishes no port: set siesta.port to the port its server listens on",
    };
  }
  const dialled = container.upstreamHost ?? '127.0.0.1';
  const reachableOn = (hostIp: string): boolean =>
    container.upstreamHost === undefined
      ? loopbackReachable.has(hostIp)
      : hostIp === dialled || everyAddress.has(hostIp);
  const reachable = container.publishedPorts.filter(
    (p) => p.protocol === 'tcp' && reachableOn(p.hostIp) && p.hostPort > 0,
  );
  if (containerPort !== null) {
    const matches = reachable.filter((p) => p.containerPort === containerPort);
    const best = matches.find((p) => p.hostIp === dialled) ?? matches[0];
    if (best) return { ok: true, hostPort: best.hostPort };
    return {
      ok: false,
      problem: `container port ${containerPort}/tcp is not published on ${dialled}`,
    };
  }
  const containerPorts = [...new Set(reachable.map((p) => p.containerPort))];
  if (containerPorts.length === 1) {
    const best = reachable.find((p) => p.hostIp === dialled) ?? reachable[0];
    if (best) return { ok: true, hostPort: best.hostPort };
  }
  if (containerPorts.length === 0)
    return { ok: false, problem: `the container publishes no TCP port on ${dialled}` };
  return {
    ok: false,
    problem: `the container publishes several ports (${containerPorts.sort((a, b) => a - b).join(', ')}): set siesta.port to the one that serves the model`,
  };
}
