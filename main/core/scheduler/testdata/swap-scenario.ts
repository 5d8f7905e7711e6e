// Clients switching between models that cannot share the card, on the scheduler rig: what each request waited and how
// often the card swapped. The scheduler's batch tests and the swap bench (bench/swap-bench.ts) both run it.
import type { SchedulerSettings } from '../admission-plan';
import { modelSpec } from './scheduler-fixtures';
import { schedulerRig } from './scheduler-rig';

/** How the clients behave. */
export interface SwapScenario {
  /** Each client's requests, in order, repeated until the end: `['llama', 'sdxl']` alternates, `['llama']` keeps to one. */
  readonly clients: readonly (readonly string[])[];
  /** How long a request holds its model once served. */
  readonly serviceMs: number;
  /** A client's pause between one answer and its next request. */
  readonly thinkMs: number;
  readonly durationMs: number;
  readonly settings: SchedulerSettings;
}

/** What the clients saw. */
export interface SwapOutcome {
  readonly served: number;
  /** Container starts (the first model starts resident, so each is a swap on the full card). */
  readonly swaps: number;
  /** Per request: sent → served (the wait for a wake or a swap; 0 on a resident model). */
  readonly waitsMs: readonly number[];
  readonly meanWaitMs: number;
  readonly maxWaitMs: number;
  /** Sleeps of a busy or pinned model the fake lifecycle saw (must be none). */
  readonly violations: readonly string[];
}

/** Two models of 14 and 20 GiB on one 24 GiB card: never both awake. Stops take 1 s, starts 2 s. */
export async function runSwapScenario(scenario: SwapScenario): Promise<SwapOutcome> {
  const names = [...new Set(scenario.clients.flat())];
  const specs = names.map((name, i) => modelSpec(name, { vramGib: i === 0 ? 14 : 20 }));
  const { clock, lifecycle } = schedulerRig(specs, scenario.settings);
  const first = names[0];
  if (first !== undefined) lifecycle.setReady(first, clock.now() - 60 * 60_000);
  const end = clock.now() + scenario.durationMs;
  const waitsMs: number[] = [];
  const client = async (plan: readonly string[]): Promise<void> => {
    for (let i = 0; clock.now() < end; i++) {
      const model = plan[i % plan.length] ?? first ?? '';
      const sentAt = clock.now();
      await lifecycle.use(model, scenario.serviceMs);
      waitsMs.push(clock.now() - sentAt - scenario.serviceMs);
      await clock.sleep(scenario.thinkMs);
    }
  };
  // The clients start a little apart, as real ones do.
  const running = Promise.all(
    scenario.clients.map(async (plan, i) => {
      await clock.sleep(i * 137);
      await client(plan);
    }),
  );
  await clock.advance(scenario.durationMs + 10 * 60_000);
  await running;
  // The first model was resident from the start: every container start on the full card is a swap.
  const swaps = lifecycle.starts.length;
  const total = waitsMs.reduce((a, b) => a + b, 0);
  return {
    served: waitsMs.length,
    swaps,
    waitsMs,
    meanWaitMs: waitsMs.length === 0 ? 0 : total / waitsMs.length,
    maxWaitMs: waitsMs.reduce((a, b) => Math.max(a, b), 0),
    violations: lifecycle.violations,
  };
}
