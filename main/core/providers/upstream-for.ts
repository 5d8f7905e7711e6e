// The address the gateway dials for a running model: its spec's explicit `upstream`, else the published port on the
// host of the engine that runs it (127.0.0.1 for a local engine).
import type { ContainerInfo } from '../docker/container-runtime';
import { hostPortFor } from '../docker/host-port';
import type { ModelSpec } from '../config/model-spec';

/** The upstream, or why there is none. */
export type UpstreamResult =
  | { readonly ok: true; readonly upstream: { readonly host: string; readonly port: number } }
  | { readonly ok: false; readonly problem: string };

/** Where the model in `info` is reached: `spec.upstream` overrides the engine's host and, when it has one, the port. */
export function upstreamFor(
  info: Pick<ContainerInfo, 'publishedPorts' | 'hostNetwork' | 'upstreamHost'>,
  spec: Pick<ModelSpec, 'port' | 'upstream'>,
): UpstreamResult {
  const explicit = spec.upstream ?? null;
  if (explicit !== null && explicit.port !== null)
    return { ok: true, upstream: { host: explicit.host, port: explicit.port } };
  const port = hostPortFor(
    explicit === null ? info : { ...info, upstreamHost: info.upstreamHost ?? explicit.host },
    spec.port,
  );
  if (!port.ok) return port;
  return {
    ok: true,
    upstream: { host: explicit?.host ?? info.upstreamHost ?? '127.0.0.1', port: port.hostPort },
  };
}
