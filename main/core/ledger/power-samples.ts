// The ledger's power samples: inserted with their minute and hour roll-ups, pruned by retention, and how far each
// GPU's readings reach (whether a measurement window is covered yet, and which GPUs there are).
import type { Reading } from './measure';
import type { PowerSeries, SampleRow } from './power-store';
import type { PowerStore } from './power-store';
import type { GpuSet } from './residency';
import { MINUTE_MS } from './rollup';
import type { RetentionSettings } from './ledger-types';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Power samples in and out, and the latest sample of each GPU. */
export class PowerSamples {
  private readonly latestSampleAt = new Map<number, number>();

  constructor(
    private readonly power: PowerStore,
    private readonly retention: RetentionSettings,
    /** Readings further apart than this are a gap, not a line (the measurement's `maxGapMs`). */
    private readonly maxGapMs: number,
  ) {
    for (const gpu of power.knownGpus())
      this.latestSampleAt.set(gpu.gpuIndex, gpu.latestAt ?? -Infinity);
  }

  /** Inserts samples and rolls up the minutes they close; inside the caller's transaction. */
  insert(rows: readonly SampleRow[], now: number): void {
    if (rows.length === 0) return;
    this.power.insertSamples(rows);
    const firstAt = new Map<number, number>();
    for (const r of rows) {
      if (!firstAt.has(r.gpuIndex)) firstAt.set(r.gpuIndex, r.at);
      if (r.at > (this.latestSampleAt.get(r.gpuIndex) ?? -Infinity))
        this.latestSampleAt.set(r.gpuIndex, r.at);
    }
    for (const [gpu, first] of firstAt) {
      this.power.startProgress(gpu, first);
      const latest = this.latestSampleAt.get(gpu) ?? first;
      const closedThroughAt = Math.floor(latest / MINUTE_MS) * MINUTE_MS;
      const before = this.power.progress(gpu)?.minutesThroughAt ?? closedThroughAt;
      if (closedThroughAt <= before) continue;
      this.power.rollUpRaw(gpu, closedThroughAt, Math.min(this.maxGapMs, MINUTE_MS));
      this.power.pruneRaw(gpu, now - this.retention.rawRetentionDays * DAY_MS);
      if (
        this.retention.minuteRetentionDays !== null &&
        Math.floor(before / HOUR_MS) !== Math.floor(closedThroughAt / HOUR_MS)
      ) {
        this.power.pruneMinutes(now - this.retention.minuteRetentionDays * DAY_MS);
      }
    }
  }

  /** The only GPU the samples show, or null when there are none or several. */
  onlyGpu(): readonly number[] | null {
    return this.latestSampleAt.size === 1 ? [...this.latestSampleAt.keys()] : null;
  }

  /** The GPUs to read for a set: the set, or every GPU with samples when it is unknown. */
  gpusToRead(gpus: GpuSet): readonly number[] {
    return gpus ?? [...this.latestSampleAt.keys()];
  }

  /** Whether every GPU's samples reach `at`. */
  covered(gpus: readonly number[], at: number): boolean {
    return gpus.length > 0 && gpus.every((g) => (this.latestSampleAt.get(g) ?? -Infinity) >= at);
  }

  /** Each GPU's readings in [fromAt, toAt]. */
  readingsOf(gpus: readonly number[], fromAt: number, toAt: number): Map<number, Reading[]> {
    return new Map(gpus.map((g) => [g, this.power.readings(g, fromAt, toAt)]));
  }

  /** A GPU's power over [from, to) in about `maxPoints` points. */
  series(gpuIndex: number, from: number, to: number, maxPoints: number, now: number): PowerSeries {
    const rawKeptFromAt = now - this.retention.rawRetentionDays * DAY_MS;
    return this.power.series(gpuIndex, from, to, maxPoints, rawKeptFromAt);
  }
}
