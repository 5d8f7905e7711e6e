// A real local HTTP server standing in for a model container in the gateway's unit tests: it tells who it is, echoes
// and streams, serves a web page, holds or breaks connections on request, and echoes WebSocket frames.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';

/** What the upstream saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

/** A running upstream. */
export interface UpstreamServer {
  readonly name: string;
  readonly port: number;
  readonly seen: SeenRequest[];
  /** Responses whose connection closed before they were finished (the gateway aborted them). */
  aborted(): number;
  /** Resolves the held `/hold` responses. */
  releaseHeld(): void;
  close(): Promise<void>;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(data),
    ...headers,
  });
  res.end(data);
}

/**
 * Starts an upstream for model `name` on a free loopback port (or `port`). Routes: `/whoami`, `POST /echo` (streams the
 * body back), `/sse?count=&delay=` (SSE tokens `tok0 tok1 ...`), `/hold` (headers now, body when `releaseHeld()`),
 * `/break` (headers and a chunk, then the socket is destroyed), `/` (HTML), `/favicon.ico`, `POST /v1/chat/completions` (JSON), and
 * a WebSocket echo (`echo:<text>`).
 */
export async function startUpstream(name: string, port = 0): Promise<UpstreamServer> {
  const seen: SeenRequest[] = [];
  const held: ServerResponse[] = [];
  const sockets = new Set<Socket>();
  let aborted = 0;
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.on('close', () => {
      if (!res.writableFinished) aborted++;
    });
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/whoami':
        return json(
          res,
          200,
          { model: name, method: req.method, url: req.url, headers: req.headers },
          {
            'access-control-allow-origin': '*',
          },
        );
      case '/echo':
        res.writeHead(200, {
          'content-type': req.headers['content-type'] ?? 'application/octet-stream',
        });
        req.pipe(res);
        return;
      case '/sse': {
        const count = Number(url.searchParams.get('count') ?? '3');
        const delayMs = Number(url.searchParams.get('delay') ?? '5');
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        let i = 0;
        const timer = setInterval(() => {
          if (i >= count) {
            clearInterval(timer);
            res.end('data: [DONE]\n\n');
            return;
          }
          res.write(`data: tok${i++}\n\n`);
        }, delayMs);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/hold':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('held\n');
        held.push(res);
        return;
      case '/break':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial\n');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      case '/':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><title>${name}</title><h1>${name} web UI</h1>`);
        return;
      case '/favicon.ico':
        // A web UI has an icon; browsers fetch it by themselves after the page.
        res.writeHead(204, { 'content-type': 'image/x-icon' });
        res.end();
        return;
      case '/v1/chat/completions': {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () =>
          json(res, 200, { served_by: name, body: Buffer.concat(chunks).toString('utf8') }),
        );
        return;
      }
      default:
        return json(res, 404, { error: `no route ${url.pathname}`, model: name, url: req.url });
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if ((req.url ?? '').startsWith('/refuse')) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nno ws\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) =>
        ws.send(
          isBinary
            ? data
            : `echo:${(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8')}`,
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    name,
    port: (server.address() as AddressInfo).port,
    seen,
    aborted: () => aborted,
    releaseHeld() {
      for (const res of held.splice(0)) res.end('released\n');
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        for (const res of held.splice(0)) res.destroy();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
