// Builds the real Lifecycle, with the real VRAM scheduler as its admission, over a simulated model and GPU.
import type { Clock } from '../../main/core/clock/clock';
import type { ModelSpec } from '../../main/core/config/model-spec';
import type { IdlePolicy } from '../../main/core/lifecycle/lifecycle-api';
import { Lifecycle } from '../../main/core/lifecycle/lifecycle';
import { VramScheduler } from '../../main/core/scheduler/vram-scheduler';
import type { SimulatedModel } from './simulated-model';
import { SimulatedRuntime, simulatedReadiness } from './simulated-runtime';

/** What the replay hands the lifecycle. */
export interface SimulatedLifecycleDeps {
  readonly spec: ModelSpec;
  readonly clock: Clock;
  readonly model: SimulatedModel;
  readonly idlePolicy: IdlePolicy;
  /** Where the lifecycle's warnings go (an idle sleep that failed, a listener that threw). */
  readonly log: (message: string) => void;
}

/** The simulated GPU: 24 GiB, of which the model takes `spec.vramBytes` while its container runs. */
const GPU_TOTAL_BYTES = 24 * 2 ** 30;

/** A started Lifecycle that drives one simulated model. */
export async function createSimulatedLifecycle(deps: SimulatedLifecycleDeps): Promise<Lifecycle> {
  const { spec, clock, model, idlePolicy } = deps;
  let lifecycle: Lifecycle | null = null;
  const scheduler = new VramScheduler({
    clock,
    lifecycle: () => {
      if (!lifecycle)
        throw new Error(
          'simulated lifecycle: the scheduler was used before the lifecycle was built',
        );
      return lifecycle;
    },
    freeVramBytes: () =>
      GPU_TOTAL_BYTES - (model.state() === 'stopped' ? 0 : (spec.vramBytes ?? 0)),
    totalVramBytes: () => GPU_TOTAL_BYTES,
    learnedVramBytes: () => null,
    settings: () => ({ vramMarginBytes: 2 ** 30, minResidencyMs: 60_000 }),
  });
  lifecycle = new Lifecycle({
    clock,
    runtime: new SimulatedRuntime(clock, spec.container, model, spec.port ?? 8000),
    readiness: simulatedReadiness(model),
    admission: scheduler,
    idlePolicy,
    log: deps.log,
  });
  lifecycle.setSpecs([spec]);
  await lifecycle.start();
  return lifecycle;
}
