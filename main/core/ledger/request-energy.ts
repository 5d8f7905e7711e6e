// Energy per request (DESIGN.md, "Energy accounting"): the GPU's energy above its idle baseline between two readings is
// shared among the requests running on that GPU in that interval, by tokens (each request's token rate times its time
// in the interval). A request's share is settled once every request it overlapped has ended and readings cover its end.
import type { GpuSample } from '../gpu/gpu-sample';

/** A request as its forwarding starts. */
export interface EnergyRequestStart {
  /** Epoch ms. */
  readonly startedAt: number;
  /** The GPUs of its model, or null/empty for "every GPU that reports". */
  readonly gpuIndexes: readonly number[] | null;
}

/** A request whose share is final. */
export interface SettledEnergy {
  readonly id: number;
  /** Joules above idle, or null when no power reading covered it. */
  readonly marginalJoules: number | null;
}

interface GpuState {
  lastAt: number;
  lastWatts: number | null;
  /** The power of the latest interval with no request running: the idle baseline. */
  idleWatts: number | null;
  kind: GpuSample['powerKind'];
}

interface OpenRequest {
  readonly id: number;
  readonly startedAt: number;
  readonly gpus: readonly number[];
  endedAt: number | null;
  tokens: number;
  joules: number;
  unknown: boolean;
  pendingSlices: number;
  /** The slices it is part of that are not shared out yet. */
  readonly slices: Slice[];
}

interface Slice {
  readonly energyJoules: number | null;
  readonly parts: { readonly request: OpenRequest; readonly overlapMs: number }[];
}

/** A request still waiting for readings this long after it ended is settled with what it has. */
const GIVE_UP_AFTER_MS = 60_000;

function overlapMs(r: OpenRequest, fromAt: number, toAt: number): number {
  return Math.max(0, Math.min(toAt, r.endedAt ?? toAt) - Math.max(fromAt, r.startedAt));
}

/** Meters requests against the GPUs' power readings; pure (times come in with the calls). */
export class RequestEnergy {
  private readonly gpus = new Map<number, GpuState>();
  private readonly open = new Map<number, OpenRequest>();
  /** Requests begun and not ended, per GPU (for the receipt's share of the time since the last reading). */
  private readonly running = new Map<number, number>();
  private slices: Slice[] = [];
  private nextId = 1;

  /** Starts metering a request; returns its id. */
  begin(start: EnergyRequestStart): number {
    const id = this.nextId++;
    const wanted = start.gpuIndexes ?? [];
    const gpus = wanted.length > 0 ? [...wanted] : [...this.gpus.keys()];
    this.open.set(id, {
      id,
      startedAt: start.startedAt,
      gpus,
      endedAt: null,
      tokens: 0,
      joules: 0,
      unknown: false,
      pendingSlices: 0,
      slices: [],
    });
    for (const g of gpus) this.running.set(g, (this.running.get(g) ?? 0) + 1);
    return id;
  }

  /**
   * The request ended at `endedAt` with `tokens` (prompt and completion); returns it when it is settled at once (no
   * GPU to meter it on). Otherwise the reading that covers its end settles it (`samples`).
   */
  end(id: number, endedAt: number, tokens: number): SettledEnergy[] {
    const r = this.open.get(id);
    if (r === undefined || r.endedAt !== null) return [];
    r.endedAt = Math.max(endedAt, r.startedAt);
    r.tokens = Math.max(0, tokens);
    for (const g of r.gpus) this.running.set(g, (this.running.get(g) ?? 1) - 1);
    if (r.gpus.length > 0) return [];
    this.open.delete(id);
    return [{ id, marginalJoules: null }];
  }

  /** Requests being metered (open or waiting for readings). */
  get pending(): number {
    return this.open.size;
  }

  /** The request's joules so far: its settled share, its even share of unsettled intervals and of the time since the last reading. */
  joulesNow(id: number, now: number): number | null {
    const r = this.open.get(id);
    if (r === undefined || r.gpus.length === 0) return null;
    let joules = r.joules;
    let known = !r.unknown;
    for (const slice of r.slices) {
      const mine = slice.parts.find((p) => p.request === r);
      if (mine === undefined) continue;
      if (slice.energyJoules === null) {
        known = false;
        continue;
      }
      const total = slice.parts.reduce((n, p) => n + p.overlapMs, 0);
      joules += total > 0 ? (slice.energyJoules * mine.overlapMs) / total : 0;
    }
    for (const g of r.gpus) {
      const gpu = this.gpus.get(g);
      if (gpu === undefined || gpu.lastWatts === null || gpu.idleWatts === null) continue;
      const running = this.running.get(g) ?? 0;
      const mineMs = overlapMs(r, gpu.lastAt, now);
      joules += (Math.max(0, gpu.lastWatts - gpu.idleWatts) * mineMs) / 1000 / Math.max(1, running);
    }
    return known || joules > 0 ? joules : null;
  }

  /**
   * Settles what can be settled at `now` without a new reading: requests that ended over a minute ago while their
   * GPU stopped reporting, as unmeasured (no reading covered their end). For a probe that went quiet.
   */
  sweep(now: number): SettledEnergy[] {
    return this.settle(now);
  }

  /**
   * One tick of readings; returns the requests settled by it. `waking` holds the GPUs on which a model is waking (or
   * `'all'`): their readings are no idle baseline (loading weights is not idling).
   */
  samples(
    samples: readonly GpuSample[],
    waking: ReadonlySet<number> | 'all' = new Set(),
  ): SettledEnergy[] {
    let at = -Infinity;
    for (const s of samples) {
      at = Math.max(at, s.at);
      this.sample(s, waking === 'all' || waking.has(s.index));
    }
    return this.settle(at);
  }

  private sample(s: GpuSample, waking: boolean): void {
    const gpu = this.gpus.get(s.index);
    if (gpu === undefined) {
      this.gpus.set(s.index, {
        lastAt: s.at,
        lastWatts: s.powerWatts,
        idleWatts: waking ? null : s.powerWatts,
        kind: s.powerKind,
      });
      return;
    }
    if (s.at <= gpu.lastAt) return;
    const fromAt = gpu.lastAt;
    const watts =
      s.powerWatts === null
        ? null
        : s.powerKind === 'instant' && gpu.lastWatts !== null
          ? (gpu.lastWatts + s.powerWatts) / 2
          : s.powerWatts;
    const parts: Slice['parts'] = [];
    for (const r of this.open.values()) {
      if (!r.gpus.includes(s.index)) continue;
      const ms = overlapMs(r, fromAt, s.at);
      if (ms > 0) parts.push({ request: r, overlapMs: ms });
    }
    if (parts.length === 0) {
      if (watts !== null && !waking) gpu.idleWatts = watts;
    } else {
      const energyJoules =
        watts === null || gpu.idleWatts === null
          ? null
          : (Math.max(0, watts - gpu.idleWatts) * (s.at - fromAt)) / 1000;
      const slice = { energyJoules, parts };
      for (const p of parts) {
        p.request.pendingSlices += 1;
        p.request.slices.push(slice);
      }
      this.slices.push(slice);
    }
    gpu.lastAt = s.at;
    gpu.lastWatts = s.powerWatts;
    gpu.kind = s.powerKind;
  }

  /** Shares out slices whose requests have all ended; returns the requests now final. */
  private settle(now: number): SettledEnergy[] {
    const kept: Slice[] = [];
    for (const slice of this.slices) {
      if (slice.parts.some((p) => p.request.endedAt === null)) {
        kept.push(slice);
        continue;
      }
      const weights = slice.parts.map((p) => {
        const r = p.request;
        const durationMs = Math.max(1, (r.endedAt ?? r.startedAt) - r.startedAt);
        return (r.tokens / durationMs) * p.overlapMs;
      });
      let total = weights.reduce((n, w) => n + w, 0);
      const byTime = total <= 0;
      if (byTime) total = slice.parts.reduce((n, p) => n + p.overlapMs, 0);
      slice.parts.forEach((p, i) => {
        const r = p.request;
        r.pendingSlices -= 1;
        r.slices.splice(r.slices.indexOf(slice), 1);
        if (slice.energyJoules === null) r.unknown = true;
        else if (total > 0)
          r.joules += (slice.energyJoules * (byTime ? p.overlapMs : (weights[i] ?? 0))) / total;
      });
    }
    this.slices = kept;
    const settled: SettledEnergy[] = [];
    for (const r of this.open.values()) {
      if (r.endedAt === null) continue;
      const ended = r.endedAt;
      const covered = r.gpus.every((g) => (this.gpus.get(g)?.lastAt ?? -Infinity) >= ended);
      const stale = now - ended > GIVE_UP_AFTER_MS;
      if (!stale && (r.pendingSlices > 0 || !covered)) continue;
      this.open.delete(r.id);
      const measured = r.gpus.length > 0 && !r.unknown && covered;
      settled.push({ id: r.id, marginalJoules: measured ? r.joules : null });
    }
    return settled;
  }
}
