// Measures each doze with the GPU probe (issue 15): a fresh reading just before the doze call, another once it is
// dozed, and the verdict of judgeDoze (what it freed, what it kept, its watts). The scheduler counts a dozed model's VRAM as free
// only once measured, and what it kept as held; a doze that freed too little is reported and made a stop when the
// room is needed.
import type { Clock } from '../clock/clock';
import type { ModelSpec } from '../config/model-spec';
import type { Dozer, LifecycleApi } from '../lifecycle/lifecycle-api';
import type { LifecycleEvent, ModelStatus } from '../lifecycle/model-state';
import { judgeDoze, type DozeVerdict } from './doze-check';

/** One GPU's used VRAM and power in the latest sample. */
export interface GpuReading {
  readonly usedBytes: number | null;
  readonly powerWatts: number | null;
}

/** What the meter is built from. */
export interface DozeMeterOptions {
  readonly clock: Clock;
  /** The latest reading of a GPU, or null without one. */
  readonly reading: (gpuIndex: number) => GpuReading | null;
  /** Takes a fresh reading where the probe can; absent: the meter waits `settleMs` for the next tick. */
  readonly readNow?: () => Promise<void>;
  /** What the model holds awake (declared or learned VRAM), or null when unknown. */
  readonly heldBytes: (model: ModelSpec) => number | null;
  /** Without `readNow`, how long after the doze the reading is taken. Default 1.5 s (the probe ticks each second). */
  readonly settleMs?: number;
  /**
   * With `readNow`, how long after the doze call returned the fresh reading is taken: the GPU frees the memory and
   * lowers its power over a moment, and a stand-in or exporter follows the server a moment later. Default 1 s.
   */
  readonly settleAfterMs?: number;
  /** Where a doze that freed too little is said. */
  readonly report?: (line: string) => void;
  /** Where each model's last measure is kept across restarts (the ledger); absent: in memory only. */
  readonly store?: {
    load(): ReadonlyMap<string, DozeMeasure>;
    save(model: string, measure: DozeMeasure): void;
  };
}

/** The measured verdict of a model's last doze; `measured` false when the GPU gave no reading to judge by. */
export interface DozeMeasure extends DozeVerdict {
  readonly at: number;
  readonly measured: boolean;
}

interface Before {
  readonly gpus: readonly number[];
  readonly usedBytes: number | null;
  readonly powerWatts: number | null;
}

/** What the meter follows of the lifecycle. */
export type MeteredLifecycle = Pick<LifecycleApi, 'get' | 'onChange' | 'onEvent'>;

/** The doze meter: `wrap` the dozer the lifecycle gets, then `attach` it to that lifecycle before it starts. */
export class DozeMeter {
  private lifecycle: MeteredLifecycle | null = null;
  private readonly before = new Map<string, Before>();
  private readonly pending = new Set<string>();
  private readonly measures = new Map<string, DozeMeasure>();
  private readonly listeners = new Set<(model: string, measure: DozeMeasure) => void>();

  constructor(private readonly options: DozeMeterOptions) {
    // The last measures before a restart: a dozed model found at start keeps what it kept, and its warning.
    for (const [model, measure] of options.store?.load() ?? []) this.measures.set(model, measure);
  }

  /** The dozer with a fresh GPU reading taken just before each doze call (the "before" of the verdict). */
  wrap(inner: Dozer): Dozer {
    return {
      refusal: (model) => inner.refusal(model),
      doze: async (model, upstream) => {
        await this.fresh();
        const indexes = this.lifecycle?.get(model.name)?.gpuIndexes ?? [];
        const gpus = indexes.length > 0 ? indexes : [0];
        this.before.set(model.name, { gpus, ...this.sum(gpus) });
        await inner.doze(model, upstream);
      },
      wake: (model, upstream) => inner.wake(model, upstream),
      ...(inner.isDozed ? { isDozed: inner.isDozed.bind(inner) } : {}),
    };
  }

  /** Follows the lifecycle; returns a function that detaches. */
  attach(lifecycle: MeteredLifecycle): () => void {
    this.lifecycle = lifecycle;
    const offChange = lifecycle.onChange((status) => this.onStatus(status));
    const offEvent = lifecycle.onEvent((event) => this.onEvent(event));
    return () => {
      offChange();
      offEvent();
    };
  }

  /**
   * What a dozed model still holds, for the scheduler: bytes once measured; null when it could not be measured
   * (count its whole need); undefined while its doze is being measured (its memory is still coming back).
   */
  keptBytes(model: string): number | null | undefined {
    if (this.pending.has(model)) return undefined;
    const measure = this.measures.get(model);
    return measure?.measured ? measure.keptBytes : null;
  }

  /** The last doze's measure of a model, or null before its first. */
  measureOf(model: string): DozeMeasure | null {
    return this.measures.get(model) ?? null;
  }

  /** Whether making room may doze this model rather than stop it: not when its last doze freed too little. */
  mayDozeForRoom(model: string): boolean {
    const measure = this.measures.get(model);
    return measure === undefined || !measure.measured || measure.enough;
  }

  /** Called with each new measure. Returns an unsubscribe function. */
  onMeasure(listener: (model: string, measure: DozeMeasure) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onStatus(status: ModelStatus): void {
    if (status.state !== 'dozing' && status.state !== 'dozed') this.before.delete(status.spec.name);
  }

  private onEvent(event: LifecycleEvent): void {
    if (event.kind !== 'doze') return;
    const before = this.before.get(event.model);
    this.pending.add(event.model);
    void this.judge(event.model, before).finally(() => this.pending.delete(event.model));
  }

  /** A fresh reading: the probe's own, or the next tick's. */
  private async fresh(): Promise<void> {
    const { readNow, clock, settleMs } = this.options;
    try {
      if (readNow) await readNow();
      else await new Promise<void>((r) => clock.setTimeout(r, settleMs ?? 1_500));
    } catch {
      // No fresh reading: the latest one is judged.
    }
  }

  private async judge(model: string, before: Before | undefined): Promise<void> {
    const { clock, readNow, settleAfterMs } = this.options;
    if (readNow) await new Promise<void>((r) => clock.setTimeout(r, settleAfterMs ?? 1_000));
    await this.fresh();
    const spec = this.lifecycle?.get(model)?.spec;
    const gpus = before?.gpus ?? [0];
    const after = this.sum(gpus);
    const measured = before?.usedBytes != null && after.usedBytes !== null;
    const verdict = judgeDoze(
      {
        model,
        gpuIndex: gpus[0] ?? 0,
        usedBeforeBytes: before?.usedBytes ?? 0,
        usedAfterBytes: after.usedBytes ?? 0,
        powerBeforeWatts: before?.powerWatts ?? null,
        powerAfterWatts: after.powerWatts,
      },
      spec ? this.options.heldBytes(spec) : null,
    );
    const measure: DozeMeasure = measured
      ? { ...verdict, at: clock.now(), measured }
      : { ...verdict, at: clock.now(), measured, enough: true, warning: null };
    this.measures.set(model, measure);
    this.options.store?.save(model, measure);
    if (measure.warning) this.options.report?.(measure.warning);
    for (const listener of [...this.listeners]) listener(model, measure);
  }

  private sum(gpus: readonly number[]): { usedBytes: number | null; powerWatts: number | null } {
    let usedBytes: number | null = 0;
    let powerWatts: number | null = 0;
    for (const g of gpus) {
      const r = this.options.reading(g);
      usedBytes = usedBytes === null || r?.usedBytes == null ? null : usedBytes + r.usedBytes;
      powerWatts = powerWatts === null || r?.powerWatts == null ? null : powerWatts + r.powerWatts;
    }
    return { usedBytes, powerWatts };
  }
}
