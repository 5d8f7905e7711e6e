// What the parts built before the control core report to it once it exists: background problems (ledger, lifecycle,
// GPU) and whether the Docker Engine answers. Subscriptions, so no part holds a reference that is filled in later.
import type { EngineView } from '../api/contract';

/** A background problem, by the part it came from. */
export type ProblemListener = (source: string, message: string) => void;

/** Background problems: logged at once, and passed to whoever listens (the control core, once built). */
export class ProblemFeed {
  private readonly listeners = new Set<ProblemListener>();

  constructor(private readonly log: (line: string) => void) {}

  /** Logs `logLine` (default the message) and tells the listeners the message. */
  report(source: string, message: string, logLine: string = message): void {
    this.log(logLine);
    for (const listener of [...this.listeners]) listener(source, message);
  }

  /** Tells `listener` every later problem; returns an unsubscribe function. */
  onProblem(listener: ProblemListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Whether the engine answers, for the API, the dashboard and the tray: its outages and returns as they happen. */
export class EngineFeed {
  private current: EngineView = { reachable: true, detail: null, since: null };
  private readonly listeners = new Set<(engine: EngineView) => void>();

  /** The engine's state now. */
  get(): EngineView {
    return this.current;
  }

  /** A change seen by the spec sync. */
  set(next: EngineView): void {
    this.current = next;
    for (const listener of [...this.listeners]) listener(next);
  }

  /** Tells the listeners again: one engine of several came or went (their states are read from the engine set). */
  republish(): void {
    this.set(this.current);
  }

  /** Tells `listener` every later change; returns an unsubscribe function. */
  onChange(listener: (engine: EngineView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
