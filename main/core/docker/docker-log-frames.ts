// Reads the engine's log answer: 8-byte framed stdout/stderr for ordinary containers, raw bytes for TTY ones.
// Frame format: https://docs.docker.com/engine/api/v1.41/#tag/Container/operation/ContainerAttach

const HEADER_BYTES = 8;

/**
 * The log bytes without Docker's frame headers, in the order the engine sent them. A TTY container's
 * log has no frames and is returned as is; a truncated last frame keeps what arrived.
 */
export function demultiplexDockerLog(data: Buffer, tty: boolean): Buffer {
  if (tty || !looksFramed(data)) return data;
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const size = data.readUInt32BE(offset + 4);
    const start = offset + HEADER_BYTES;
    parts.push(data.subarray(start, Math.min(start + size, data.length)));
    offset = start + size;
  }
  return Buffer.concat(parts);
}

/** The last `count` lines of log text, oldest first, without a trailing empty line or carriage returns. */
export function lastLines(text: string, count: number): string[] {
  if (count <= 0) return [];
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-count);
}

/** A framed log starts with a stream byte of 0-2 and three zero bytes. */
function looksFramed(data: Buffer): boolean {
  if (data.length < HEADER_BYTES) return false;
  const stream = data[0] ?? 255;
  return stream <= 2 && data[1] === 0 && data[2] === 0 && data[3] === 0;
}
