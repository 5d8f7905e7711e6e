// The client side's one reader of server-sent events: splits a byte stream into messages (the WHATWG "event stream
// interpretation", data and event fields), for the tray, the CLI and the dashboard in Electron (a browser has EventSource).

/** One complete server-sent event. */
export interface SseMessage {
  /** The `event:` field; `message` when absent. */
  readonly event: string;
  /** The `data:` lines joined with newlines. */
  readonly data: string;
}

/**
 * An incremental parser: feed it text chunks as they arrive (split anywhere, even inside a line
 * or a CRLF) and it returns the messages completed so far. Comments (heartbeats) and `retry:`
 * and `id:` fields are skipped; a message without data is not dispatched (as in browsers).
 */
export class SseParser {
  private buffer = '';
  private dataLines: string[] = [];
  private eventName = '';

  /** Parses a chunk; returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone CR at the very end may be the first half of a CRLF: wait for the next chunk.
      if (match === null || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.line(line);
      if (message !== null) messages.push(message);
    }
    return messages;
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      const message =
        this.dataLines.length > 0
          ? { event: this.eventName || 'message', data: this.dataLines.join('\n') }
          : null;
      this.dataLines = [];
      this.eventName = '';
      return message;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
    return null;
  }
}

/** The messages of an event-stream body (a fetch response's), in order; `next()` gives null at its end. */
export function sseMessages(body: ReadableStream<Uint8Array>): {
  next(): Promise<SseMessage | null>;
} {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const ready: SseMessage[] = [];
  return {
    async next() {
      for (;;) {
        const message = ready.shift();
        if (message !== undefined) return message;
        const { value, done } = await reader.read();
        if (done) return null;
        ready.push(...parser.push(decoder.decode(value, { stream: true })));
      }
    },
  };
}
