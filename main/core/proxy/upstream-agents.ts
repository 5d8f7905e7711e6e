// One keep-alive HTTP agent per upstream (host:port), so requests to a model reuse their connections.
import { Agent } from 'node:http';
import type { Upstream } from '../lifecycle/model-state';

/** Idle connections are closed before a typical server's keep-alive timeout (Node and uvicorn: 5 s) to avoid reusing one the server is closing. */
const FREE_SOCKET_TIMEOUT_MS = 4_000;

/** The gateway's upstream connection pools. */
export class UpstreamAgents {
  private readonly agents = new Map<string, Agent>();

  /** The agent for one upstream. */
  agentFor(upstream: Upstream): Agent {
    const key = `${upstream.host}:${upstream.port}`;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      agent = new Agent({
        keepAlive: true,
        // Set once per connection here (Node's default too), not per request: SSE tokens must not wait for Nagle.
        noDelay: true,
        keepAliveMsecs: 1_000,
        maxSockets: Infinity,
        maxFreeSockets: 1_024,
        scheduling: 'lifo',
        timeout: FREE_SOCKET_TIMEOUT_MS,
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Closes every pooled connection (a model went to sleep, or the gateway stops). */
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /** Drops the pool of one upstream (its container stopped; its port may be reused). */
  forget(upstream: Upstream): void {
    const key = `${upstream.host}:${upstream.port}`;
    this.agents.get(key)?.destroy();
    this.agents.delete(key);
  }
}
