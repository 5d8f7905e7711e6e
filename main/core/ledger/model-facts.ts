// What the ledger knows of each model between events: whether it is resident, on which GPUs, its declared idle watts,
// and the facts stored with each event (was it resident, which others shared its GPUs, were they busy).
import type { LifecycleEvent } from '../lifecycle/model-state';
import type { EventFacts } from './event-store';
import type { EventHint, LedgerOptions, ModelInfo } from './ledger-types';
import type { PowerSamples } from './power-samples';
import type { GpuSet } from './residency';
import { ResidencyMap } from './residency';

/** The lookups the composition root hands the ledger (see `LedgerOptions`). */
export type ModelLookups = Pick<LedgerOptions, 'gpuIndexesOf' | 'idleWattsOf' | 'inFlightOf'>;

/** Every model seen, its residency and spec facts. */
export class ModelFacts {
  /** Every model the ledger has an event of, or has been told of. */
  readonly known = new Set<string>();
  readonly residency = new ResidencyMap();
  private readonly info = new Map<string, ModelInfo>();

  constructor(
    private readonly lookups: ModelLookups,
    private readonly samples: PowerSamples,
  ) {}

  /** Merges a model's spec facts: declared idle watts and GPUs. */
  setInfo(model: string, info: ModelInfo): void {
    this.info.set(model, { ...this.info.get(model), ...info });
  }

  /** The facts stored with an event. */
  factsOf(event: LifecycleEvent, hint: EventHint | undefined): EventFacts {
    const gpuIndexes = this.gpusOf(event.model, hint);
    const others = this.residency.othersOn(event.model, gpuIndexes);
    const inFlightOf = hint?.inFlightOf ?? this.lookups.inFlightOf;
    return {
      gpuIndexes,
      wasResident: this.residency.of(event.model) !== 'down',
      others: others.map((o) => o.name),
      othersActive: others.some(
        (o) => o.residency === 'waking' || (inFlightOf ? inFlightOf(o.name) > 0 : false),
      ),
    };
  }

  /** The model's GPUs: the hint, its spec info, the resolver, the only GPU there is, or unknown (null: all GPUs). */
  gpusOf(model: string, hint: EventHint | undefined): GpuSet {
    const candidates = [
      hint?.gpuIndexes,
      this.info.get(model)?.gpuIndexes,
      this.lookups.gpuIndexesOf?.(model) ?? undefined,
    ];
    for (const c of candidates) if (c && c.length > 0) return [...new Set(c)].sort((a, b) => a - b);
    return this.samples.onlyGpu();
  }

  /** The model's declared idle watts (spec info, else the lookup), used only where no GPU reading exists. */
  idleWattsOf(model: string): number | null {
    const info = this.info.get(model);
    if (info && info.idleWatts !== undefined && info.idleWatts !== null) return info.idleWatts;
    return this.lookups.idleWattsOf?.(model) ?? null;
  }
}
