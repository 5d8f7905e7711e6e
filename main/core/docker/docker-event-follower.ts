// Follows the engine's container events and keeps following across engine restarts: reports the outage
// once (`disconnected`), retries with a doubling delay, and reports `reconnected` when the stream is back.
import type Dockerode from 'dockerode';
import type { Clock, TimerHandle } from '../clock/clock';
import type { RuntimeEvent } from './container-runtime';
import { LineSplitter, parseEngineEventLine } from './docker-events';

/** How the follower retries. */
export interface ReconnectDelays {
  /** First retry delay; it doubles after each failed try. Default 250 ms. */
  readonly initialMs?: number;
  /** Longest delay between tries. Default 5000 ms. */
  readonly maxMs?: number;
}

interface DestroyableStream extends NodeJS.ReadableStream {
  destroy?(error?: Error): void;
}

/** An engine event type, as the events API names it. */
export type EngineEventType = 'container' | 'service' | 'node' | 'daemon';

/** Which engine events to follow and how a line becomes an event: container events unless a provider says otherwise. */
export interface EventSelection {
  /** The engine's event types, e.g. ['container', 'service'] for a Swarm manager. */
  readonly types: readonly EngineEventType[];
  readonly parse: (line: string, fallbackAt: number) => RuntimeEvent | null;
}

const CONTAINER_EVENTS: EventSelection = { types: ['container'], parse: parseEngineEventLine };

/** Starts following; returns a function that stops it, closes the stream and leaves no timer behind. */
export function followEngineEvents(
  docker: Dockerode,
  clock: Clock,
  listener: (event: RuntimeEvent) => void,
  delays: ReconnectDelays = {},
  selection: EventSelection = CONTAINER_EVENTS,
): () => void {
  const initialMs = Math.max(1, delays.initialMs ?? 250);
  const maxMs = Math.max(initialMs, delays.maxMs ?? 5000);
  let stopped = false;
  let outage = false;
  let delayMs = initialMs;
  let retryTimer: TimerHandle | null = null;
  let current: DestroyableStream | null = null;

  const deliver = (event: RuntimeEvent): void => {
    if (stopped) return;
    try {
      listener(event);
    } catch (error) {
      console.warn(`[siesta docker] an event listener threw: ${messageOf(error)}`);
    }
  };

  const lost = (reason: string): void => {
    if (stopped) return;
    if (!outage) {
      outage = true;
      deliver({ kind: 'disconnected', at: clock.now(), reason });
    }
    retryTimer = clock.setTimeout(() => {
      retryTimer = null;
      connect();
    }, delayMs);
    delayMs = Math.min(maxMs, delayMs * 2);
  };

  const attach = (stream: DestroyableStream): void => {
    current = stream;
    delayMs = initialMs;
    if (outage) {
      outage = false;
      deliver({ kind: 'reconnected', at: clock.now() });
    }
    const splitter = new LineSplitter();
    let broken = false;
    const onBroken = (reason: string): void => {
      if (broken) return;
      broken = true;
      if (current === stream) current = null;
      stream.destroy?.();
      lost(reason);
    };
    stream.on('data', (chunk: Buffer | string) => {
      for (const line of splitter.push(chunk)) {
        const event = selection.parse(line, clock.now());
        if (event) deliver(event);
      }
    });
    stream.on('end', () => onBroken('the engine closed the event stream'));
    stream.on('close', () => onBroken('the event stream was closed'));
    stream.on('error', (error: unknown) =>
      onBroken(`the event stream failed: ${messageOf(error)}`),
    );
  };

  const connect = (): void => {
    if (stopped) return;
    docker.getEvents({ filters: { type: [...selection.types] } }).then(
      (stream: DestroyableStream) => {
        if (stopped) {
          stream.on('error', () => undefined);
          stream.destroy?.();
          return;
        }
        attach(stream);
      },
      (error: unknown) => lost(`cannot reach the Docker engine: ${messageOf(error)}`),
    );
  };

  connect();
  return () => {
    if (stopped) return;
    stopped = true;
    if (retryTimer) clock.clearTimeout(retryTimer);
    retryTimer = null;
    const stream = current;
    current = null;
    stream?.destroy?.();
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
