// Keeps the model specs in step with the engine: containers created, relabelled (recreated) or removed change the models.
import type { Clock, TimerHandle } from '../clock/clock';
import { isEngineUnreachable, type ContainerRuntime, type RuntimeEvent } from '../docker/container-runtime';
import { formatSpecProblem, loadModelSpecs } from './load-specs';
import type { ModelSpec } from './model-spec';
import type { ParsedSiestaYaml } from './siesta-yaml';

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
  /** Events are gathered this long before one rescan. Default 250 ms. */
  readonly debounceMs?: number;
}

/** What the first scan found. */
export interface SpecSyncStart {
  readonly specs: readonly ModelSpec[];
  /** Why the engine did not answer the first scan, or null when it did. */
  readonly engineAway: string | null;
}

/** Container actions that can add, change or remove a model. */
const RESCAN_ACTIONS = new Set(['create', 'destroy']);

/** Scans at start, then on container create/destroy, when the engine comes back, and when siesta.yaml changes. */
export class SpecSync {
  private yaml: ParsedSiestaYaml | null;
  private timer: TimerHandle | null = null;
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
   * the engine's `reconnected` event brings the scan that finds them. Other errors reject.
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
      return { specs: [], engineAway: error instanceof Error ? error.message : String(error) };
    }
  }

  stop(): void {
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = null;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private onEvent(event: RuntimeEvent): void {
    if (event.kind === 'disconnected') return;
    if (event.kind === 'container' && !RESCAN_ACTIONS.has(event.action)) return;
    if (this.timer) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      this.scanning = this.scanning
        .then(() => this.scan())
        .then(
          () => undefined,
          (error: unknown) =>
            this.options.onProblem(
              `rescanning containers failed: ${error instanceof Error ? error.message : String(error)}`,
            ),
        );
    }, this.options.debounceMs ?? 250);
  }

  private async scan(): Promise<readonly ModelSpec[]> {
    const containers = await this.options.runtime.discover();
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
}
