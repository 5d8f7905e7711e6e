// A GPU reading at each end of a wake and at each sleep or doze, off the probe's 1 s schedule: the ledger's integral of
// a wake then starts and ends on a reading, so with an energy counter it is exact rather than cut inside an interval.
import type { GpuProbe } from '../gpu/gpu-sample';
import type { LifecycleEvent } from '../lifecycle/model-state';

/** The events whose moment a measurement starts or ends at. */
const EDGES: ReadonlySet<LifecycleEvent['kind']> = new Set([
  'wake-requested',
  'ready',
  'failed',
  'doze',
  'sleep',
]);

/** A listener for the lifecycle's events that takes a reading at each edge; a probe that cannot read at will is left alone. */
export function readingsAtEdges(
  probe: Pick<GpuProbe, 'readNow'>,
  log: (line: string) => void,
): (event: LifecycleEvent) => void {
  let failures = 0;
  return (event) => {
    if (!probe.readNow || !EDGES.has(event.kind)) return;
    probe.readNow().then(
      () => {
        failures = 0;
      },
      (error: unknown) => {
        // Said once per run of failures: the next tick reads anyway, so a failed edge costs precision, not a figure.
        if (failures++ === 0)
          log(
            `a GPU reading at a ${event.kind} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
      },
    );
  };
}
