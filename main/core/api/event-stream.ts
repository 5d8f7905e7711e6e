// The live event stream (`GET /api/events`): server-sent events to every connected client, heartbeats, cleanup of gone clients.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../clock/clock';
import type { ApiEvent } from './contract';

/** How the hub behaves. */
export interface EventStreamOptions {
  readonly clock: Clock;
  /** A comment line goes to every client this often, so proxies and clients see the stream alive (default 15 s). */
  readonly heartbeatMs?: number;
  /** A client that has this much unsent data is too slow and is dropped (default 4 MiB). */
  readonly maxBufferedBytes?: number;
  /** Browsers reconnect after this long when the stream breaks. */
  readonly retryMs?: number;
}

/** The connected event-stream clients. */
export class EventStreamHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeatMs: number;
  private readonly maxBufferedBytes: number;
  private readonly retryMs: number;
  private timer: TimerHandle | null = null;

  constructor(private readonly options: EventStreamOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 ** 2;
    this.retryMs = options.retryMs ?? 2_000;
  }

  /** Clients connected now. */
  get size(): number {
    return this.clients.size;
  }

  /** Turns the response into an event stream, sends `first` (the snapshot) and keeps it until the client goes. */
  add(req: IncomingMessage, res: ServerResponse, first: ApiEvent): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told otherwise.
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.write(`retry: ${this.retryMs}\n\n`);
    this.clients.add(res);
    const drop = (): void => this.remove(res);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    this.send(res, first);
    this.ensureHeartbeat();
  }

  /** Sends an event to every client. */
  broadcast(event: ApiEvent): void {
    if (this.clients.size === 0) return;
    const frame = frameOf(event);
    for (const res of [...this.clients]) this.write(res, frame);
  }

  /** Ends every stream (server shutdown). */
  closeAll(): void {
    for (const res of [...this.clients]) {
      this.remove(res);
      res.end();
    }
  }

  private send(res: ServerResponse, event: ApiEvent): void {
    this.write(res, frameOf(event));
  }

  private write(res: ServerResponse, frame: string): void {
    if (res.writableEnded || res.destroyed) {
      this.remove(res);
      return;
    }
    if (res.writableLength > this.maxBufferedBytes) {
      // Too slow to keep up: drop it; the browser reconnects and gets a fresh snapshot.
      this.remove(res);
      res.destroy();
      return;
    }
    res.write(frame);
  }

  private remove(res: ServerResponse): void {
    this.clients.delete(res);
    if (this.clients.size === 0 && this.timer) {
      this.options.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private ensureHeartbeat(): void {
    if (this.timer || this.clients.size === 0) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      for (const res of [...this.clients]) this.write(res, ': heartbeat\n\n');
      this.ensureHeartbeat();
    }, this.heartbeatMs);
  }
}

/** One SSE frame: the event as JSON on one `data:` line (JSON never holds a raw newline). */
export function frameOf(event: ApiEvent): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}
