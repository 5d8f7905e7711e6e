// A reference for the gateway benchmark: the smallest keep-alive reverse proxy Node's `http` module allows (no checks,
// no routing, no lifecycle), so the table shows how much of the gap to nginx is Node itself and how much is Siesta.
// Run: `node --import tsx bench/gateway/plain-node-proxy.ts` with BENCH_UPSTREAM_PORT and BENCH_PREFIX (`/bench`).
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstreamPort = Number(process.env.BENCH_UPSTREAM_PORT);
const prefix = process.env.BENCH_PREFIX ?? '/bench';
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

const server = createServer({ noDelay: true }, (req, res) => {
  const url = req.url ?? '/';
  const upstream = request(
    {
      host: '127.0.0.1',
      port: upstreamPort,
      method: req.method,
      path: url.startsWith(`${prefix}/`) ? url.slice(prefix.length) : url,
      headers: req.headers,
      agent,
    },
    (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () =>
  console.log(`plain proxy listening on ${(server.address() as AddressInfo).port}`),
);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
