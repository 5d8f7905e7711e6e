// Prometheus metrics (`GET /metrics`) on prom-client's own Registry: GPUs, model states, wakes, requests in flight, energy saved.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiEvent, StateResponse } from './contract';
import { ModelStateSchema } from './contract';

/** Buckets of the wake-time histogram, seconds: from a warm container (0.1 s) to a large model loading (10 min). */
export const WAKE_SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

/** Buckets of the energy-per-request histogram, joules: from a short answer on a small card to a long one on a big one. */
export const REQUEST_JOULES_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** A forwarded request as the metrics count it (issue 16). */
export interface MeteredRequest {
  readonly model: string;
  readonly status: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly marginalJoules: number | null;
}

/** The metrics. Gauges are read from `state()` at each scrape; counters and the histogram count the events they are fed. */
export class ApiMetrics {
  /** This module's registry (never prom-client's global one, so two servers in one process do not collide). */
  readonly registry = new Registry();
  private readonly gpuVramUsed: Gauge;
  private readonly gpuVramTotal: Gauge;
  private readonly gpuPower: Gauge;
  private readonly modelState: Gauge;
  private readonly modelInFlight: Gauge;
  private readonly modelVram: Gauge;
  private readonly modelSaved: Gauge;
  private readonly savedToday: Gauge;
  private readonly autoSleepPaused: Gauge;
  private readonly wakes: Counter;
  private readonly wakeFailures: Counter;
  private readonly evictions: Counter;
  private readonly wakeSeconds: Histogram;
  private readonly requests: Counter;
  private readonly tokens: Counter;
  private readonly requestJoules: Histogram;

  constructor(private readonly state: () => StateResponse) {
    const registers = [this.registry];
    const gpuLabels = ['gpu', 'name', 'uuid'] as const;
    this.gpuVramUsed = new Gauge({
      name: 'siesta_gpu_vram_used_bytes',
      help: 'VRAM in use on the GPU',
      labelNames: gpuLabels,
      registers,
    });
    this.gpuVramTotal = new Gauge({
      name: 'siesta_gpu_vram_total_bytes',
      help: 'VRAM of the GPU',
      labelNames: gpuLabels,
      registers,
    });
    this.gpuPower = new Gauge({
      name: 'siesta_gpu_power_watts',
      help: 'Power draw of the GPU at the last sample',
      labelNames: gpuLabels,
      registers,
    });
    this.modelState = new Gauge({
      name: 'siesta_model_state',
      help: '1 for the state the model is in, 0 for the others',
      labelNames: ['model', 'state'],
      registers,
    });
    this.modelInFlight = new Gauge({
      name: 'siesta_model_in_flight_requests',
      help: 'Requests, streams and WebSockets open on the model',
      labelNames: ['model'],
      registers,
    });
    this.modelVram = new Gauge({
      name: 'siesta_model_vram_bytes',
      help: 'VRAM the model needs (declared or measured)',
      labelNames: ['model'],
      registers,
    });
    this.modelSaved = new Gauge({
      name: 'siesta_model_energy_saved_joules',
      help: 'Net energy sleeping the model saved so far (may be negative)',
      labelNames: ['model'],
      registers,
    });
    this.savedToday = new Gauge({
      name: 'siesta_energy_saved_today_joules',
      help: 'Net energy saved today by all models',
      registers,
    });
    this.autoSleepPaused = new Gauge({
      name: 'siesta_auto_sleep_paused',
      help: '1 while every idle timer is paused',
      registers,
    });
    this.wakes = new Counter({
      name: 'siesta_model_wakes_total',
      help: 'Wakes started since Siesta started',
      labelNames: ['model'],
      registers,
    });
    this.wakeFailures = new Counter({
      name: 'siesta_model_wake_failures_total',
      help: 'Wakes that failed since Siesta started',
      labelNames: ['model'],
      registers,
    });
    this.evictions = new Counter({
      name: 'siesta_model_evictions_total',
      help: 'Times the model was put to sleep to make room for another',
      labelNames: ['model'],
      registers,
    });
    this.wakeSeconds = new Histogram({
      name: 'siesta_model_wake_seconds',
      help: 'Time from wake request to ready',
      labelNames: ['model'],
      buckets: WAKE_SECONDS_BUCKETS,
      registers,
    });
    this.requests = new Counter({
      name: 'siesta_requests_total',
      help: 'Requests forwarded to the model, by the status code the model answered (0: none)',
      labelNames: ['model', 'status'],
      registers,
    });
    this.tokens = new Counter({
      name: 'siesta_tokens_total',
      help: 'Tokens of forwarded requests (as the model reported them, else estimated)',
      labelNames: ['model', 'kind'],
      registers,
    });
    this.requestJoules = new Histogram({
      name: 'siesta_request_energy_joules',
      help: 'GPU energy above idle per request (marginal), shared among concurrent requests by tokens',
      labelNames: ['model'],
      buckets: REQUEST_JOULES_BUCKETS,
      registers,
    });
  }

  /** Counts a request once its energy is settled. */
  observeRequest(r: MeteredRequest): void {
    this.requests.inc({ model: r.model, status: String(r.status) });
    this.tokens.inc({ model: r.model, kind: 'prompt' }, r.promptTokens);
    this.tokens.inc({ model: r.model, kind: 'completion' }, r.completionTokens);
    if (r.marginalJoules !== null) this.requestJoules.observe({ model: r.model }, r.marginalJoules);
  }

  /** Adds a gauge read from `read()` at each scrape (the gateway's figures, which the control core does not hold). */
  addReading(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Counts a live event (wakes, failures, evictions, wake times). */
  observe(event: ApiEvent): void {
    switch (event.type) {
      case 'wake-requested':
        this.wakes.inc({ model: event.model });
        return;
      case 'wake-ready':
        this.wakeSeconds.observe({ model: event.model }, event.wakeMs / 1000);
        return;
      case 'wake-failed':
        this.wakeFailures.inc({ model: event.model });
        return;
      case 'evicted':
        this.evictions.inc({ model: event.model });
        return;
      default:
        return;
    }
  }

  /** The Prometheus text format, with the gauges read from the state now. */
  async render(): Promise<string> {
    this.refresh(this.state());
    return this.registry.metrics();
  }

  /** The Content-Type of `render()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private refresh(state: StateResponse): void {
    for (const g of [
      this.gpuVramUsed,
      this.gpuVramTotal,
      this.gpuPower,
      this.modelState,
      this.modelInFlight,
      this.modelVram,
      this.modelSaved,
    ])
      g.reset();
    for (const gpu of state.gpus) {
      const labels = { gpu: String(gpu.index), name: gpu.name, uuid: gpu.uuid };
      if (gpu.vramUsedBytes !== null) this.gpuVramUsed.set(labels, gpu.vramUsedBytes);
      if (gpu.vramTotalBytes !== null) this.gpuVramTotal.set(labels, gpu.vramTotalBytes);
      if (gpu.powerWatts !== null) this.gpuPower.set(labels, gpu.powerWatts);
    }
    for (const model of state.models) {
      for (const s of ModelStateSchema.options)
        this.modelState.set({ model: model.name, state: s }, model.state === s ? 1 : 0);
      this.modelInFlight.set({ model: model.name }, model.inFlight);
      if (model.vramBytes !== null) this.modelVram.set({ model: model.name }, model.vramBytes);
      this.modelSaved.set({ model: model.name }, model.savedJoules);
    }
    this.savedToday.set(state.savedTodayJoules);
    this.autoSleepPaused.set(state.autoSleepPaused ? 1 : 0);
  }
}
