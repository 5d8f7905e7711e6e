// Caps on open connections to one server, in all and per client address: a connection beyond a cap gets a 503 and is
// closed before any HTTP parsing, so idle or stalled clients cannot take every file descriptor (the control API and
// Docker calls need some too).
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** The caps in force (read at each new connection, so settings changes apply at once). */
export interface ConnectionCaps {
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
}

/** How often, at most, a refusal is logged; refusals in between are counted into the next line. */
const LOG_EVERY_MS = 60_000;

/** Counts one server's open connections and refuses those beyond its caps. */
export class ConnectionLimits {
  private open = 0;
  private readonly perClient = new Map<string, number>();
  private refusedSinceLog = 0;
  private lastLogAt = -Infinity;

  constructor(
    /** What the server is, for the 503 and the log line ("the gateway", "the control API"). */
    private readonly what: string,
    private readonly caps: () => ConnectionCaps,
    private readonly log: (line: string) => void,
  ) {}

  /** Connections open now. */
  openConnections(): number {
    return this.open;
  }

  /** Puts the caps in front of `server`'s HTTP connection handling. */
  guard(server: Server): void {
    // Node's own 'connection' listener starts the HTTP parser: call it only for admitted connections.
    const parsers = server.listeners('connection') as Array<(socket: Socket) => void>;
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      if (!this.admit(socket)) return;
      for (const parse of parsers) parse.call(server, socket);
    });
  }

  /** Counts `socket` in, or answers it 503 and closes it; true when admitted. */
  admit(socket: Socket): boolean {
    const client = socket.remoteAddress ?? '';
    const caps = this.caps();
    const fromClient = this.perClient.get(client) ?? 0;
    const full =
      this.open >= caps.maxConnections
        ? `${this.open} connections are open, the most ${this.what} takes (maxConnections)`
        : fromClient >= caps.maxConnectionsPerClient
          ? `${fromClient} connections from ${client} are open, the most ${this.what} takes from one client (maxConnectionsPerClient)`
          : null;
    if (full !== null) {
      this.refuse(socket, client, full);
      return false;
    }
    this.open++;
    this.perClient.set(client, fromClient + 1);
    socket.once('close', () => {
      this.open--;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left <= 0) this.perClient.delete(client);
      else this.perClient.set(client, left);
    });
    return true;
  }

  private refuse(socket: Socket, client: string, why: string): void {
    this.refusedSinceLog++;
    const now = Date.now();
    if (now - this.lastLogAt >= LOG_EVERY_MS) {
      const more = this.refusedSinceLog - 1;
      this.log(
        `${this.what}: refused a connection from ${client} with 503: ${why}` +
          (more > 0 ? ` (and ${more} more since the last such line)` : ''),
      );
      this.lastLogAt = now;
      this.refusedSinceLog = 0;
    }
    socket.on('error', () => socket.destroy());
    const body = JSON.stringify({
      error: {
        message: `Siesta refused the connection: ${why}; try again shortly.`,
        type: 'server_error',
        code: 'too_many_connections',
      },
    });
    const answer =
      'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    // Closed as soon as the answer is handed to the kernel: a refused connection holds no descriptor for long.
    socket.end(answer, () => socket.destroy());
    setTimeout(() => socket.destroy(), 1_000).unref();
  }
}
