// A scale that Swarm refuses as "update out of sequence" (the service changed between Siesta's read and its write) is
// read again and retried, as `docker service scale` does; any other refusal is said at once, naming the service.
import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { SwarmRuntime } from './swarm-runtime';

const OUT_OF_SEQUENCE =
  '(HTTP code 500) server error - rpc error: code = Unknown desc = update out of sequence';

/** An engine API stand-in holding one service whose version moves on by itself, and the updates it was sent. */
function swarmWith(refusals: string[]) {
  let version = 10;
  const updates: { replicas: number; version: number }[] = [];
  const service = () => ({
    ID: 'svc1',
    Version: { Index: version },
    Spec: {
      Name: 'chat',
      Labels: { 'siesta.enable': 'true' },
      Mode: { Replicated: { Replicas: 0 } },
    },
  });
  const docker = {
    getService: () => ({
      inspect: () => Promise.resolve(service()),
      update: (body: { Mode: { Replicated: { Replicas: number } }; version: number }) => {
        updates.push({ replicas: body.Mode.Replicated.Replicas, version: body.version });
        const refusal = refusals.shift();
        if (refusal !== undefined) {
          version += 1; // someone else updated it meanwhile
          return Promise.reject(Object.assign(new Error(refusal), { statusCode: 500 }));
        }
        return Promise.resolve({});
      },
    }),
  } as unknown as Dockerode;
  return { runtime: new SwarmRuntime({ docker, managedNames: () => [] }), updates };
}

describe('scaling a Swarm service', () => {
  it('reads the service again and retries when Swarm says the update is out of sequence', async () => {
    const { runtime, updates } = swarmWith([OUT_OF_SEQUENCE]);
    await runtime.start('chat');
    expect(updates).toEqual([
      { replicas: 1, version: 10 },
      { replicas: 1, version: 11 },
    ]);
  });

  it('gives up after three tries, and says any other refusal at once, naming the service', async () => {
    const stale = swarmWith([OUT_OF_SEQUENCE, OUT_OF_SEQUENCE, OUT_OF_SEQUENCE]);
    await expect(stale.runtime.start('chat')).rejects.toThrow(
      `Docker Swarm: could not scale service "chat" to 1: ${OUT_OF_SEQUENCE}`,
    );
    expect(stale.updates).toHaveLength(3);
    const refused = swarmWith(['no suitable node']);
    await expect(refused.runtime.start('chat')).rejects.toThrow(
      'Docker Swarm: could not scale service "chat" to 1: no suitable node',
    );
    expect(refused.updates).toHaveLength(1);
  });
});
