// Reads server-sent events from a fetch body: one `data` payload at a time (comments and `retry:` lines skipped).

/** The `data` payloads of an event stream, in order; `next()` gives null when the stream ends. */
export function readServerSentEvents(body: ReadableStream<Uint8Array>): {
  next(): Promise<string | null>;
} {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const match = /\r?\n\r?\n/.exec(buffer);
        if (match) {
          const frame = buffer.slice(0, match.index);
          buffer = buffer.slice(match.index + match[0].length);
          const data = frame
            .split(/\r?\n/)
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).replace(/^ /, ''));
          if (data.length > 0) return data.join('\n');
          continue;
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}
