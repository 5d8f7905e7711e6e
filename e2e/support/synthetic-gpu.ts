// A GPU for browser tests: samples whose power follows which models are resident and waking (no real GPU on CI).
import type { Clock, TimerHandle } from '../../main/core/clock/clock';
import type { GpuSample } from '../../main/core/gpu/gpu-sample';

/** What the GPU draws: a floor, a step per resident model, extra while a model wakes. */
export interface SyntheticGpuSpec {
  readonly name: string;
  readonly vramTotalBytes: number;
  readonly baselineWatts: number;
  readonly residentWatts: number;
  readonly wakingWatts: number;
  readonly vramPerModelBytes: number;
}

/** The default: a 24 GiB card idling at 22 W, each resident model +35 W, a wake +90 W. */
export const SYNTHETIC_RTX: SyntheticGpuSpec = {
  name: 'NVIDIA GeForce RTX 4090 (replayed)',
  vramTotalBytes: 24 * 1024 ** 3,
  baselineWatts: 22,
  residentWatts: 35,
  wakingWatts: 90,
  vramPerModelBytes: 9 * 1024 ** 3,
};

/** Ticks samples every `periodMs` from a function telling how many models are resident and waking. */
export class SyntheticGpu {
  private timer: TimerHandle | null = null;
  private tick = 0;

  constructor(
    private readonly clock: Clock,
    private readonly residency: () => { readonly resident: number; readonly waking: number },
    private readonly spec: SyntheticGpuSpec = SYNTHETIC_RTX,
  ) {}

  /** One reading now. */
  sample(): GpuSample {
    const { resident, waking } = this.residency();
    // A small deterministic ripple so the sparkline shows a line, not a flat bar.
    const ripple = ((this.tick++ % 7) - 3) * 0.4;
    return {
      at: this.clock.now(),
      index: 0,
      uuid: 'GPU-e2e-0',
      name: this.spec.name,
      vendor: 'nvidia',
      vramUsedBytes: 400 * 1024 ** 2 + (resident + waking) * this.spec.vramPerModelBytes,
      vramTotalBytes: this.spec.vramTotalBytes,
      powerWatts:
        this.spec.baselineWatts +
        resident * this.spec.residentWatts +
        waking * this.spec.wakingWatts +
        ripple,
      powerKind: 'average',
      energyJoules: null,
      powerLimitWatts: 450,
      pstate: resident + waking > 0 ? 'P2' : 'P8',
      utilizationPercent: waking > 0 ? 35 : 0,
      temperatureC: 41,
    };
  }

  /** Starts ticking. */
  start(periodMs: number, onSamples: (samples: readonly GpuSample[]) => void): void {
    const tick = (): void => {
      onSamples([this.sample()]);
      this.timer = this.clock.setTimeout(tick, periodMs);
    };
    tick();
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
