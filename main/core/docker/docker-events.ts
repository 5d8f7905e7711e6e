// Parses the engine's `/events` stream: JSON objects one per line, split across chunks anyhow.
import { StringDecoder } from 'node:string_decoder';
import type { ContainerAction, ContainerHealth, RuntimeEvent } from './container-runtime';

/** The container event fields Siesta reads (Docker Engine API, "Monitor events"). */
interface EngineEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly status?: string;
  readonly id?: string;
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Readonly<Record<string, string>> };
  readonly time?: number;
  readonly timeNano?: number;
}

/** Attributes the engine adds beside a container's labels. */
const NON_LABEL_ATTRIBUTES = new Set([
  'name',
  'image',
  'exitCode',
  'signal',
  'execID',
  'container',
]);

/** Splits a byte stream into whole lines; keeps a partial line (and a partial UTF-8 character) for the next chunk. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  /** The complete lines in `chunk` (plus what was pending), without their newlines. */
  push(chunk: Buffer | string): string[] {
    this.rest += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines = this.rest.split('\n');
    this.rest = lines.pop() ?? '';
    return lines;
  }
}

/**
 * A RuntimeEvent for one line of the events stream, or null for a line that is not a followed container
 * action (exec_*, attach, resize, other object types, blank or unreadable lines).
 */
export function parseEngineEventLine(line: string, fallbackAt: number): RuntimeEvent | null {
  const text = line.trim();
  if (text === '') return null;
  let event: EngineEvent;
  try {
    event = JSON.parse(text) as EngineEvent;
  } catch {
    return null;
  }
  if (typeof event !== 'object' || event === null) return null;
  if (event.Type !== undefined && event.Type !== 'container') return null;
  const rawAction = event.Action ?? event.status ?? '';
  const parsed = actionOf(rawAction);
  if (!parsed) return null;
  const id = event.Actor?.ID ?? event.id ?? '';
  if (id === '') return null;
  const attributes = event.Actor?.Attributes ?? {};
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes))
    if (!NON_LABEL_ATTRIBUTES.has(key)) labels[key] = value;
  const exitCode =
    parsed.action === 'die' && attributes.exitCode !== undefined
      ? Number(attributes.exitCode)
      : null;
  const at =
    event.timeNano !== undefined
      ? Math.floor(event.timeNano / 1e6)
      : event.time !== undefined
        ? event.time * 1000
        : fallbackAt;
  return {
    kind: 'container',
    action: parsed.action,
    id,
    name: (attributes.name ?? '').replace(/^\//, ''),
    at,
    labels,
    exitCode: exitCode !== null && Number.isFinite(exitCode) ? exitCode : null,
    health: parsed.health,
  };
}

function actionOf(raw: string): { action: ContainerAction; health: ContainerHealth | null } | null {
  if (raw.startsWith('health_status')) {
    const status = raw.slice('health_status'.length).replace(/^:\s*/, '').trim();
    const health: ContainerHealth | null =
      status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : null;
    return health ? { action: 'health', health } : null;
  }
  switch (raw) {
    case 'create':
    case 'start':
    case 'kill':
    case 'die':
    case 'stop':
    case 'destroy':
    case 'oom':
      return { action: raw, health: null };
    default:
      return null;
  }
}
