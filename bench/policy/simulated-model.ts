// One simulated model container on the virtual clock: a start that takes the wake time, a stop that takes the
// stop time, and the power model's mode at every moment (the fake runtime and readiness checker sit on this).
import type { Clock } from '../../main/core/clock/clock';
import { EnergyMeter, type PowerModel } from './power-model';

/** What the simulated container is doing. */
export type SimulatedState = 'stopped' | 'loading' | 'ready' | 'stopping';

/** A container whose model loads for `wakeMs` after start and unloads for `stopMs` after stop. */
export class SimulatedModel {
  readonly meter: EnergyMeter;
  private stateNow: SimulatedState = 'stopped';
  private readyAt: number | null = null;
  private readyWaiters: (() => void)[] = [];
  private starts = 0;
  private stops = 0;

  constructor(
    private readonly clock: Clock,
    private readonly power: PowerModel,
  ) {
    this.meter = new EnergyMeter(power, clock.now());
  }

  state(): SimulatedState {
    return this.stateNow;
  }

  /** How many times the container was started and stopped. */
  counts(): { readonly starts: number; readonly stops: number } {
    return { starts: this.starts, stops: this.stops };
  }

  /** Starts the container: the model loads (drawing the wake energy) and is ready `wakeMs` later. */
  start(): void {
    if (this.stateNow === 'loading' || this.stateNow === 'ready') return;
    if (this.stateNow === 'stopping') throw new Error('simulated model: start while stopping');
    this.starts++;
    this.stateNow = 'loading';
    this.meter.set(this.clock.now(), 'waking');
    const readyAt = this.clock.now() + this.power.wakeMs;
    this.readyAt = readyAt;
    this.clock.setTimeout(() => {
      if (this.stateNow !== 'loading' || this.readyAt !== readyAt) return;
      this.stateNow = 'ready';
      this.meter.set(this.clock.now(), 'resident');
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const w of waiters) w();
    }, this.power.wakeMs);
  }

  /** Whether the model answers now. */
  isReady(): boolean {
    return this.stateNow === 'ready';
  }

  /** Resolves when the model answers (at once if it does). */
  whenReady(): Promise<void> {
    if (this.stateNow === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Stops the container; resolves `stopMs` later, when it is gone (resident power until then). */
  async stop(): Promise<void> {
    if (this.stateNow === 'stopped' || this.stateNow === 'stopping') return;
    this.stops++;
    // A stop during loading: the energy drawn so far stays spent.
    if (this.stateNow === 'loading') this.meter.set(this.clock.now(), 'resident');
    this.stateNow = 'stopping';
    this.readyAt = null;
    await this.clock.sleep(this.power.stopMs);
    this.stateNow = 'stopped';
    this.meter.set(this.clock.now(), 'off');
  }
}
