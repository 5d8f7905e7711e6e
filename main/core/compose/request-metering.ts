// The gateway's request accounting as Siesta runs it: each forwarded request metered against its model's GPUs (the
// probe's samples come in through `samples`), and written to the ledger once its energy is settled.
import type { Clock } from '../clock/clock';
import type { GpuSample } from '../gpu/gpu-sample';
import type { Ledger } from '../ledger/ledger';
import type { LifecycleApi } from '../lifecycle/lifecycle-api';
import { RequestEnergy } from '../ledger/request-energy';
import type { SettledEnergy } from '../ledger/request-energy';
import type { RequestRow } from '../ledger/request-store';
import type {
  AccountedRequest,
  RequestAccounting,
  RequestOutcome,
  RequestStart,
} from '../proxy/request-accounting';

/** How often a finished request also sweeps up requests whose GPU stopped reporting. */
const SWEEP_EVERY_MS = 10_000;

/** What the metering needs. */
export interface RequestMeteringOptions {
  readonly clock: Clock;
  readonly ledger: Ledger;
  /** A model's GPUs now, or null when unknown (then every GPU that reports). */
  readonly gpuIndexesOf: (model: string) => readonly number[] | null;
  /** The GPUs on which a model is waking now, or 'all' when one is waking on GPUs unknown. Default: none. */
  readonly wakingGpus?: () => ReadonlySet<number> | 'all';
}

/** The GPUs of the models waking now; 'all' when a waking model's GPUs are not known. */
export function wakingGpusOf(
  models: readonly { readonly state: string; readonly gpuIndexes: readonly number[] }[],
): ReadonlySet<number> | 'all' {
  const gpus = new Set<number>();
  for (const m of models) {
    if (m.state !== 'waking') continue;
    if (m.gpuIndexes.length === 0) return 'all';
    for (const g of m.gpuIndexes) gpus.add(g);
  }
  return gpus;
}

/** Meters the gateway's requests and writes them to the ledger. */
export class RequestMetering implements RequestAccounting {
  private readonly energy = new RequestEnergy();
  private readonly ended = new Map<number, Omit<RequestRow, 'marginalJoules'>>();
  private readonly listeners = new Set<(row: RequestRow) => void>();
  private sweptAt = 0;

  constructor(private readonly o: RequestMeteringOptions) {}

  begin(start: RequestStart): AccountedRequest {
    const id = this.energy.begin({
      startedAt: start.startedAt,
      gpuIndexes: this.o.gpuIndexesOf(start.model),
    });
    return {
      joulesNow: () => this.energy.joulesNow(id, this.o.clock.now()),
      finish: (outcome: RequestOutcome) => {
        const { tokens } = outcome;
        this.ended.set(id, {
          at: start.startedAt,
          model: start.model,
          client: start.client,
          status: outcome.status,
          complete: outcome.complete,
          promptTokens: tokens.promptTokens,
          completionTokens: tokens.completionTokens,
          estimated: tokens.estimated,
          firstByteMs: outcome.firstByteAt === null ? null : outcome.firstByteAt - start.startedAt,
          durationMs: outcome.endedAt - start.startedAt,
        });
        this.store(
          this.energy.end(id, outcome.endedAt, tokens.promptTokens + tokens.completionTokens),
        );
        // Readings settle requests; when the probe went quiet, the requests still waiting are settled here.
        if (outcome.endedAt - this.sweptAt >= SWEEP_EVERY_MS) {
          this.sweptAt = outcome.endedAt;
          this.store(this.energy.sweep(outcome.endedAt));
        }
      },
    };
  }

  /** One tick of the GPU probe. */
  samples(samples: readonly GpuSample[]): void {
    this.store(this.energy.samples(samples, this.o.wakingGpus?.() ?? new Set()));
  }

  /** Calls `listener` with each request once it is written (for `/metrics`); returns the unsubscribe. */
  onRequest(listener: (row: RequestRow) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private store(settled: readonly SettledEnergy[]): void {
    if (settled.length === 0) return;
    const rows: RequestRow[] = [];
    for (const s of settled) {
      const row = this.ended.get(s.id);
      if (row === undefined) continue;
      this.ended.delete(s.id);
      rows.push({ ...row, marginalJoules: s.marginalJoules });
    }
    this.o.ledger.requests.record(rows);
    for (const row of rows) for (const listener of this.listeners) listener(row);
  }
}

/** The metering of Siesta's lifecycle: each model's GPUs, and which GPUs a wake is loading. */
export function lifecycleMetering(
  clock: Clock,
  ledger: Ledger,
  lifecycle: LifecycleApi,
): RequestMetering {
  return new RequestMetering({
    clock,
    ledger,
    gpuIndexesOf: (model) => lifecycle.get(model)?.gpuIndexes ?? null,
    wakingGpus: () => wakingGpusOf(lifecycle.list()),
  });
}
