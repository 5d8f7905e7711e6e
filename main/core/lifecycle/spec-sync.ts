// Keeps the model specs in step with the engine: containers created, relabelled (recreated) or removed change the models.
import type { Clock, TimerHandle } from '../clock/clock';
import {
  isEngineUnreachable,
  type ContainerRuntime,
  type RuntimeEvent,
} from '../docker/container-runtime';
import { formatSpecProblem, loadModelSpecs } from '../config/load-specs';
import type { ModelSpec } from '../config/model-spec';
import type { ParsedSiestaYaml } from '../config/siesta-yaml';

/** What the sync reads and whom it tells. */
export interface SpecSyncOptions {
  readonly clock: Clock;
  readonly runtime: ContainerRuntime;
  /** The parsed siesta.yaml, or null when Siesta runs on labels alone (`setYaml` replaces it). */
  readonly yaml: ParsedSiestaYaml | null;
  /** The new specs, after every change. */
  readonly onSpecs: (specs: readonly ModelSpec[]) => void;
  /** A problem with a label or an entry (each one once, not on every rescan). */
  readonly onProblem: (line: string) => void;
  /** Whether the engine answers, each time that changes (a scan that could not reach it, an outage, its return). */
  readonly onEngine?: (engine: EngineState) => void;
  /** Events are gathered this long before one rescan. Default 250 ms. */
  readonly debounceMs?: number;
  /** While the engine does not answer, a scan is retried after this long, doubling up to 10 s. Default 1 s. */
  readonly retryMs?: number;
}

/** Whether the engine answers; while it does not, why and since when. */
export interface EngineState {
  readonly reachable: boolean;
  readonly detail: string | null;
  readonly since: number | null;
}

const ENGINE_ANSWERS: EngineState = { reachable: true, detail: null, since: null };
const MAX_RETRY_MS = 10_000;

/** What the first scan found. */
export interface SpecSyncStart {
  readonly specs: readonly ModelSpec[];
  /** Why the engine did not answer the first scan, or null when it did. */
  readonly engineAway: string | null;
}

/** Container actions that can add, change or remove a model. */
const RESCAN_ACTIONS = new Set(['create', 'destroy']);

/**
 * Scans at start, then on container create/destroy, when the engine comes back, and when siesta.yaml changes; while
 * the engine does not answer, it retries on its own too (the event stream's return alone could be missed at start).
 */
export class SpecSync {
  private yaml: ParsedSiestaYaml | null;
  private timer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private retryMs = 0;
  private engine: EngineState = ENGINE_ANSWERS;
  private unwatch: (() => void) | null = null;
  private readonly reported = new Set<string>();
  private scanning: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: SpecSyncOptions) {
    this.yaml = options.yaml;
  }

  /** Takes a re-read siesta.yaml and rescans; its problems are reported afresh. Resolves with the new specs. */
  setYaml(yaml: ParsedSiestaYaml | null): Promise<readonly ModelSpec[]> {
    this.yaml = yaml;
    this.reported.clear();
    const next = this.scanning.then(() => this.scan());
    this.scanning = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /**
   * The first scan; resolves with the specs it found. An engine that does not answer yet (Docker Desktop still
   * starting at login, a daemon started before docker.service) gives no models and `engineAway` with the reason:
   * a later scan (its retries, or the engine's `reconnected` event) finds them. Other errors reject.
   */
  async start(): Promise<SpecSyncStart> {
    this.unwatch = this.options.runtime.watch((event) => this.onEvent(event));
    try {
      return { specs: await this.scan(), engineAway: null };
    } catch (error: unknown) {
      if (!isEngineUnreachable(error)) {
        this.stop();
        throw error;
      }
      this.options.onSpecs([]);
      return { specs: [], engineAway: messageOf(error) };
    }
  }

  stop(): void {
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = null;
    for (const timer of [this.timer, this.retryTimer])
      if (timer) this.options.clock.clearTimeout(timer);
    this.timer = null;
    this.retryTimer = null;
  }

  private onEvent(event: RuntimeEvent): void {
    if (event.kind === 'disconnected') {
      this.setEngine({ reachable: false, detail: event.reason, since: event.at });
      return;
    }
    if (event.kind === 'container' && !RESCAN_ACTIONS.has(event.action)) return;
    if (this.timer) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      this.rescan();
    }, this.options.debounceMs ?? 250);
  }

  private rescan(): void {
    this.scanning = this.scanning
      .then(() => this.scan())
      .then(
        () => undefined,
        (error: unknown) => {
          // An engine that does not answer is said once through onEngine, and retried; anything else is a problem.
          if (!isEngineUnreachable(error))
            this.options.onProblem(`rescanning containers failed: ${messageOf(error)}`);
        },
      );
  }

  private setEngine(engine: EngineState): void {
    if (engine.reachable === this.engine.reachable) return;
    this.engine = engine;
    this.options.onEngine?.(engine);
  }

  private async scan(): Promise<readonly ModelSpec[]> {
    let containers: Awaited<ReturnType<ContainerRuntime['discover']>>;
    try {
      containers = await this.options.runtime.discover();
    } catch (error: unknown) {
      if (isEngineUnreachable(error) && !this.stopped) {
        this.setEngine({
          reachable: false,
          detail: messageOf(error),
          since: this.options.clock.now(),
        });
        this.retryLater();
      }
      throw error;
    }
    this.retryMs = 0;
    this.setEngine(ENGINE_ANSWERS);
    if (this.stopped) return [];
    const { specs, problems } = loadModelSpecs({ yaml: this.yaml, containers });
    for (const problem of problems) {
      const line = formatSpecProblem(problem);
      if (this.reported.has(line)) continue;
      this.reported.add(line);
      this.options.onProblem(line);
    }
    this.options.onSpecs(specs);
    return specs;
  }

  private retryLater(): void {
    if (this.retryTimer) return;
    this.retryMs = Math.min(
      MAX_RETRY_MS,
      this.retryMs === 0 ? (this.options.retryMs ?? 1_000) : this.retryMs * 2,
    );
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = null;
      this.rescan();
    }, this.retryMs);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
