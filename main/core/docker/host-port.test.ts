// Which host port reaches a container's server: published on loopback, or the spec's port on the host's network.
import { describe, expect, it } from 'vitest';
import type { PublishedPort } from './container-runtime';
import { hostPortFor } from './host-port';

function published(containerPort: number, hostPort: number, hostIp = '127.0.0.1'): PublishedPort {
  return { containerPort, protocol: 'tcp', hostIp, hostPort };
}

describe('the host port of a model server', () => {
  it('takes the loopback binding of the spec port, else the only published port', () => {
    const ports = [published(8000, 41000, '0.0.0.0'), published(8000, 41001)];
    expect(hostPortFor({ publishedPorts: ports, hostNetwork: false }, 8000)).toEqual({
      ok: true,
      hostPort: 41001,
    });
    expect(hostPortFor({ publishedPorts: ports, hostNetwork: false }, null)).toEqual({
      ok: true,
      hostPort: 41001,
    });
    expect(hostPortFor({ publishedPorts: [], hostNetwork: false }, 8000)).toEqual({
      ok: false,
      problem: 'container port 8000/tcp is not published on 127.0.0.1',
    });
  });

  it("uses the spec's port itself for a container on the host's network, and asks for it when there is none", () => {
    expect(hostPortFor({ publishedPorts: [], hostNetwork: true }, 8080)).toEqual({
      ok: true,
      hostPort: 8080,
    });
    expect(hostPortFor({ publishedPorts: [], hostNetwork: true }, null)).toEqual({
      ok: false,
      problem:
        "the container uses the host's network (network_mode: host), so it publishes no port: set siesta.port to the port its server listens on",
    });
  });
});
