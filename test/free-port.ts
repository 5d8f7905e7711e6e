// A loopback TCP port that was free a moment ago, for servers a test or a benchmark starts on a known port.
import { createServer } from 'node:net';

/** Asks the kernel for a free port on 127.0.0.1 and releases it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
