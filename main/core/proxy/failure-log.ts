// One log line per failed wake, not one per waiting request: the requests a failure answers at once (they all waited
// on the same wake) are counted into a single line.

/** Collects the failures answered in one turn of the event loop and logs each distinct one once, with its count. */
export class FailureLog {
  private readonly pending = new Map<string, { model: string; message: string; waiters: number }>();

  constructor(private readonly log: (line: string) => void) {}

  /** Notes that a request for `model` was answered with the error `message`. */
  note(model: string, message: string): void {
    const key = `${model}\u0000${message}`;
    const entry = this.pending.get(key);
    if (entry !== undefined) {
      entry.waiters++;
      return;
    }
    if (this.pending.size === 0) setImmediate(() => this.flush());
    this.pending.set(key, { model, message, waiters: 1 });
  }

  private flush(): void {
    for (const { model, message, waiters } of this.pending.values())
      this.log(
        `gateway: ${model}: ${message} (answered to ${waiters} waiting request${waiters === 1 ? '' : 's'})`,
      );
    this.pending.clear();
  }
}
