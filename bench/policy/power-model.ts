// The simulated GPU's power: a baseline, +dP while the model is resident, and each wake's energy spread over the wake.

/** How the simulated GPU draws power for one model. */
export interface PowerModel {
  /** The GPU's power with no model resident. */
  readonly baselineWatts: number;
  /** Extra power while the model is resident (idle or serving: serving costs the same under every policy). */
  readonly dPWatts: number;
  /** Energy of one wake above the baseline, drawn evenly over `wakeMs`. */
  readonly wakeJoules: number;
  /** From start to ready. */
  readonly wakeMs: number;
  /** From stop to gone; the model stays resident meanwhile. */
  readonly stopMs: number;
}

/** Figures for a mid-size LLM on a workstation GPU: 30 W resident, a 20 s wake of 2.4 kJ (120 W above baseline). */
export const DEFAULT_POWER_MODEL: PowerModel = {
  baselineWatts: 20,
  dPWatts: 30,
  wakeJoules: 2_400,
  wakeMs: 20_000,
  stopMs: 2_000,
};

/** What the model is doing, for power. */
export type PowerMode = 'off' | 'waking' | 'resident';

/** Integrates the power model over the mode changes of one simulated model. */
export class EnergyMeter {
  private mode: PowerMode = 'off';
  private since: number;
  private baselineJoules = 0;
  private residentJoules = 0;
  private wakingJoules = 0;

  constructor(
    private readonly power: PowerModel,
    startAt: number,
  ) {
    this.since = startAt;
  }

  /** The model's mode changes at `at` (epoch ms, never earlier than the last change). */
  set(at: number, mode: PowerMode): void {
    this.accrue(at);
    this.mode = mode;
  }

  current(): PowerMode {
    return this.mode;
  }

  /** Energy used until `at`: the baseline, and the model's share above it. */
  totals(at: number): { readonly baselineJoules: number; readonly modelJoules: number } {
    this.accrue(at);
    return {
      baselineJoules: this.baselineJoules,
      modelJoules: this.residentJoules + this.wakingJoules,
    };
  }

  private accrue(at: number): void {
    if (at < this.since)
      throw new Error(`EnergyMeter: time went backwards (${at} < ${this.since})`);
    const seconds = (at - this.since) / 1_000;
    this.baselineJoules += this.power.baselineWatts * seconds;
    switch (this.mode) {
      case 'off':
        break;
      case 'waking':
        this.wakingJoules += (this.power.wakeJoules / this.power.wakeMs) * 1_000 * seconds;
        break;
      case 'resident':
        this.residentJoules += this.power.dPWatts * seconds;
        break;
    }
    this.since = at;
  }
}
