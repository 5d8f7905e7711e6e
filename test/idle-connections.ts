// Holds many idle TCP connections to one server, as a careless or hostile client would, for the connection-cap tests.
// Usage: tsx idle-connections.ts HOST PORT LOCAL_ADDRESS COUNT. Prints a JSON line of counts every 250 ms; SIGTERM ends it.
import { connect, type Socket } from 'node:net';

const [host, portText, localAddress, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const counts = {
  attempted: 0,
  opened: 0,
  closed: 0,
  refused503: 0,
  errors: 0,
  firstError: null as string | null,
  done: false,
};
const sockets = new Set<Socket>();

function openOne(): Promise<void> {
  return new Promise((resolve) => {
    counts.attempted++;
    const socket = connect({ host: host ?? '127.0.0.1', port, localAddress });
    sockets.add(socket);
    let answer = '';
    socket.on('connect', () => {
      counts.opened++;
      resolve();
    });
    socket.on('data', (chunk: Buffer) => {
      if (answer.length < 64) answer += chunk.toString('latin1');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      counts.errors++;
      counts.firstError ??= error.code ?? error.message;
      resolve();
    });
    socket.on('close', () => {
      counts.closed++;
      if (answer.startsWith('HTTP/1.1 503')) counts.refused503++;
      sockets.delete(socket);
    });
  });
}

async function main(): Promise<void> {
  const report = setInterval(
    () => process.stdout.write(`${JSON.stringify({ ...counts, open: sockets.size })}\n`),
    250,
  );
  // In batches, so the server's listen backlog is not what refuses them.
  for (let done = 0; done < count;) {
    const batch = Math.min(250, count - done);
    await Promise.all(Array.from({ length: batch }, openOne));
    done += batch;
  }
  // Refused connections are closed by the server a moment after they open: let those closes arrive first.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  counts.done = true;
  process.on('SIGTERM', () => {
    clearInterval(report);
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  });
}
void main();
