// Fills a real ledger file with a week of wakes, uses and sleeps of two models, with GPU samples around each change.
import { VirtualClock } from '../../main/core/clock/virtual-clock';
import type { GpuSample } from '../../main/core/gpu/gpu-sample';
import { Ledger } from '../../main/core/ledger/ledger';
import type { LifecycleEvent } from '../../main/core/lifecycle/model-state';

const S = 1000;
const DAY = 86_400_000;

/** One model's daily routine in the seeded week. */
interface Routine {
  readonly model: string;
  /** Offset of the wake from local midnight. */
  readonly wakeOffsetMs: number;
  readonly wakeMs: number;
  readonly awakeMs: number;
  /** Power the model adds while resident. */
  readonly residentWatts: number;
  /** A doze (issue 15) at the end of its awake time, kept this long before the stop, drawing `dozedWatts`. */
  readonly doze?: { readonly dozedMs: number; readonly dozedWatts: number };
}

const ROUTINES: readonly Routine[] = [
  {
    model: 'qwen',
    wakeOffsetMs: 9 * 3_600_000,
    wakeMs: 6_000,
    awakeMs: 45 * 60_000,
    residentWatts: 38,
  },
  {
    model: 'flux',
    wakeOffsetMs: 14 * 3_600_000,
    wakeMs: 12_000,
    awakeMs: 30 * 60_000,
    residentWatts: 55,
    doze: { dozedMs: 10 * 60_000, dozedWatts: 5 },
  },
];

const BASELINE_WATTS = 21;
const WAKING_EXTRA_WATTS = 90;

/** Writes `days` days ending before today's midnight into the ledger at `path`; returns the models seeded. */
export async function seedLedgerWeek(path: string, days = 7): Promise<readonly string[]> {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const startAt = today.getTime() - days * DAY;
  const clock = new VirtualClock(startAt);
  const ledger = new Ledger({ path, clock, synchronous: 'normal' });
  const resident = new Set<string>();
  const dozed = new Set<string>();
  const waking = new Set<string>();
  const routine = (m: string): Routine | undefined => ROUTINES.find((r) => r.model === m);
  const watts = (): number =>
    BASELINE_WATTS +
    [...resident].reduce((acc, m) => acc + (routine(m)?.residentWatts ?? 0), 0) +
    [...dozed].reduce((acc, m) => acc + (routine(m)?.doze?.dozedWatts ?? 0), 0) +
    waking.size * WAKING_EXTRA_WATTS;
  const sampleAt = (at: number): GpuSample => ({
    at,
    index: 0,
    uuid: 'GPU-e2e-0',
    name: 'NVIDIA GeForce RTX 4090 (replayed)',
    vendor: 'nvidia',
    vramUsedBytes: null,
    vramTotalBytes: null,
    powerWatts: watts(),
    powerKind: 'average',
    energyJoules: null,
    powerLimitWatts: null,
    pstate: null,
    utilizationPercent: 0,
    temperatureC: null,
  });
  // The day's changes in time order, each with samples from 40 s before to 40 s after, every 2 s.
  const changes: Array<{ at: number; apply: () => LifecycleEvent }> = [];
  for (let d = 0; d < days; d++) {
    const dayAt = startAt + d * DAY;
    for (const r of ROUTINES) {
      const wakeAt = dayAt + r.wakeOffsetMs + d * 60_000;
      const readyAt = wakeAt + r.wakeMs;
      const dozeAt = readyAt + r.awakeMs;
      const sleepAt = dozeAt + (r.doze?.dozedMs ?? 0);
      changes.push({
        at: wakeAt,
        apply: () => {
          waking.add(r.model);
          return {
            kind: 'wake-requested',
            at: wakeAt,
            model: r.model,
            cause: { kind: 'request', route: 'model-field', detail: r.model },
          };
        },
      });
      changes.push({
        at: readyAt,
        apply: () => {
          waking.delete(r.model);
          resident.add(r.model);
          return { kind: 'ready', at: readyAt, model: r.model, wakeMs: r.wakeMs };
        },
      });
      const cause = { kind: 'idle', idleMs: r.awakeMs } as const;
      if (r.doze)
        changes.push({
          at: dozeAt,
          apply: () => {
            resident.delete(r.model);
            dozed.add(r.model);
            return { kind: 'doze', at: dozeAt, model: r.model, cause };
          },
        });
      changes.push({
        at: sleepAt,
        apply: () => {
          resident.delete(r.model);
          const from = dozed.delete(r.model) ? ('dozed' as const) : undefined;
          return { kind: 'sleep', at: sleepAt, model: r.model, cause, ...(from ? { from } : {}) };
        },
      });
    }
  }
  changes.sort((a, b) => a.at - b.at);
  let sampledTo = startAt;
  for (const change of changes) {
    for (let at = Math.max(sampledTo, change.at - 40 * S); at < change.at; at += 2 * S) {
      await clock.advanceTo(at);
      ledger.recordSamples([sampleAt(at)]);
    }
    await clock.advanceTo(change.at);
    ledger.recordEvent(change.apply(), { gpuIndexes: [0] });
    for (let at = change.at; at < change.at + 40 * S; at += 2 * S) {
      await clock.advanceTo(at);
      ledger.recordSamples([sampleAt(at)]);
    }
    sampledTo = change.at + 40 * S;
  }
  await clock.advanceTo(sampledTo + 5 * 60 * S);
  ledger.flush();
  ledger.close();
  return ROUTINES.map((r) => r.model);
}
