// Reads a Swarm manager's event stream as workload events: a task container's events become its service's, and the
// creation or removal of a service is a `create` or `destroy` (the models are scanned again).
import type { RuntimeEvent } from '../docker/container-runtime';
import { parseEngineEventLine } from '../docker/docker-events';

const SERVICE_ID = 'com.docker.swarm.service.id';
const SERVICE_NAME = 'com.docker.swarm.service.name';

/** The workload event of one events line, or null for a line that concerns no service. */
export function parseSwarmEventLine(line: string, fallbackAt: number): RuntimeEvent | null {
  let raw: {
    Type?: string;
    Action?: string;
    Actor?: { ID?: string; Attributes?: Record<string, string> };
    time?: number;
  };
  try {
    raw = JSON.parse(line) as typeof raw;
  } catch {
    return null;
  }
  if (raw.Type === 'service') {
    const action = raw.Action === 'create' ? 'create' : raw.Action === 'remove' ? 'destroy' : null;
    const id = raw.Actor?.ID ?? '';
    if (action === null || id === '') return null;
    const at = raw.time === undefined ? fallbackAt : raw.time * 1000;
    return {
      kind: 'container',
      action,
      id,
      name: raw.Actor?.Attributes?.name ?? '',
      at,
      labels: {},
      exitCode: null,
      health: null,
    };
  }
  const event = parseEngineEventLine(line, fallbackAt);
  if (event === null || event.kind !== 'container') return null;
  const serviceId = event.labels[SERVICE_ID];
  if (serviceId === undefined) return null;
  // A task container's own create and destroy are not a model's: only the service's are.
  if (event.action === 'create' || event.action === 'destroy') return null;
  return { ...event, id: serviceId, name: event.labels[SERVICE_NAME] ?? '' };
}
