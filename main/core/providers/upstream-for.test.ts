// Where the gateway dials a model: 127.0.0.1 for a local engine, the engine's host for a remote one (only bindings
// reachable there count), or the spec's explicit upstream.
import { describe, expect, it } from 'vitest';
import type { PublishedPort } from '../docker/container-runtime';
import { upstreamFor } from './upstream-for';

const published = (hostIp: string, hostPort: number, containerPort = 8000): PublishedPort => ({
  containerPort,
  protocol: 'tcp',
  hostIp,
  hostPort,
});
const noSpec = { port: null, upstream: null };

describe('the upstream of a model', () => {
  it('dials a local engine’s container on 127.0.0.1', () => {
    expect(
      upstreamFor({ publishedPorts: [published('127.0.0.1', 41000)], hostNetwork: false }, noSpec),
    ).toEqual({
      ok: true,
      upstream: { host: '127.0.0.1', port: 41000 },
    });
  });

  it('dials a remote engine’s container on that engine’s host, where a loopback binding cannot be reached', () => {
    const remote = { hostNetwork: false, upstreamHost: '10.0.0.12' };
    expect(
      upstreamFor({ ...remote, publishedPorts: [published('0.0.0.0', 41000)] }, noSpec),
    ).toEqual({
      ok: true,
      upstream: { host: '10.0.0.12', port: 41000 },
    });
    expect(
      upstreamFor({ ...remote, publishedPorts: [published('127.0.0.1', 41000)] }, noSpec),
    ).toEqual({
      ok: false,
      problem: 'the container publishes no TCP port on 10.0.0.12',
    });
    expect(
      upstreamFor(
        { ...remote, publishedPorts: [published('0.0.0.0', 41000), published('10.0.0.12', 41001)] },
        noSpec,
      ),
    ).toEqual({
      ok: true,
      upstream: { host: '10.0.0.12', port: 41001 },
    });
  });

  it('takes the spec’s upstream host with the published port, or its host and port as they are', () => {
    const info = {
      hostNetwork: false,
      upstreamHost: '10.0.0.12',
      publishedPorts: [published('0.0.0.0', 41000)],
    };
    expect(upstreamFor(info, { port: null, upstream: { host: 'gpu2.lan', port: null } })).toEqual({
      ok: true,
      upstream: { host: 'gpu2.lan', port: 41000 },
    });
    expect(
      upstreamFor(
        { ...info, publishedPorts: [] },
        { port: null, upstream: { host: 'lb.lan', port: 9000 } },
      ),
    ).toEqual({
      ok: true,
      upstream: { host: 'lb.lan', port: 9000 },
    });
  });
});
