// Writes the CLI's output: a live, redrawn progress line on a terminal; plain lines, once per change, elsewhere.
import type { Writable } from 'node:stream';

/** A progress line that a TTY redraws in place and a pipe gets once per distinct text. */
export class OutputLine {
  readonly tty: boolean;
  private shown = '';
  private live = false;

  constructor(private readonly out: NodeJS.WritableStream | Writable) {
    this.tty = (out as { isTTY?: boolean }).isTTY === true;
  }

  /** Shows the progress text (a TTY redraws; elsewhere only `plain` is printed, when it changes). */
  progress(ttyText: string, plain: string): void {
    if (this.tty) {
      this.out.write(`\r\x1b[2K${ttyText}`);
      this.live = true;
      return;
    }
    if (plain !== this.shown) {
      this.out.write(`${plain}\n`);
      this.shown = plain;
    }
  }

  /** Prints a final line (ending a live one first). */
  line(text: string): void {
    if (this.live) this.out.write('\r\x1b[2K');
    this.live = false;
    this.out.write(`${text}\n`);
  }
}
