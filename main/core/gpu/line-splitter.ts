// Turns a stream of text chunks into whole lines: a line may arrive split across chunks, and end in LF or CRLF.

/** Feeds chunks in, calls `onLine` once per complete line (without its line ending). */
export interface LineSplitter {
  push(chunk: string): void;
  /** The partial line still waiting for its ending. */
  pending(): string;
  /** Emits what is left as a last line (when the stream ends without a final newline). */
  end(): void;
}

/** Creates a splitter. Both `\n` and `\r\n` end a line (nvidia-smi.exe writes CRLF). */
export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  let buffer = '';
  const emit = (raw: string): void => onLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
  return {
    push(chunk) {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        emit(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    },
    pending: () => buffer,
    end() {
      if (buffer !== '') emit(buffer);
      buffer = '';
    },
  };
}
