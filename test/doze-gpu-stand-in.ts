// A GPU stand-in for the doze ledger tests (issue 15), served as a dcgm-exporter on loopback: one fake-doze container on
// it, whose watts follow what the fake server itself says (GET /fake/state: awake or dozed; no answer: down), polled
// every 25 ms; its memory is what the fake says it holds (its weights awake, its leftover dozed) plus a 400 MiB
// context while it runs. It logs every true watt it served and integrates the true saving: what the GPU would have drawn with
// the model awake all along minus what it drew, and the part of that while the model was dozed.
import type Docker from 'dockerode';
import { startDcgmExporterStandIn, type DcgmExporterStandIn } from './dcgm-exporter-stand-in';

/** The card and the model's watts in each state. */
export interface DozeGpuSpec {
  readonly baselineWatts: number;
  /** Paid while the model's process holds a context (awake or dozed). */
  readonly contextStepWatts: number;
  readonly awakeWatts: number;
  readonly dozedWatts: number;
  /** Peak of the deterministic noise added to each reading. */
  readonly noiseWatts: number;
}

/** What the model is doing, as the stand-in last saw it. */
export type DozePhase = 'down' | 'awake' | 'dozed';

/** One reading served: the true watts behind the noisy one. */
export interface DozeGpuReading {
  readonly at: number;
  readonly phase: DozePhase;
  readonly trueWatts: number;
  readonly reportedWatts: number;
}

/** A running stand-in. */
export interface DozeGpuStandIn {
  readonly exporter: DcgmExporterStandIn;
  readonly log: DozeGpuReading[];
  phase(): DozePhase;
  /** Starts integrating the truth from now. */
  startAccounting(): void;
  /**
   * The true saving (joules) since `startAccounting`, and what the dozes freed (awake less dozed watts) from each doze
   * until the model was awake again, through the stop that followed it.
   */
  truth(): { savedJoules: number; dozeFreedJoules: number };
  close(): Promise<void>;
}

const POLL_MS = 25;

/** The true watts of the GPU with the model in `phase`. */
export function dozeGpuWatts(spec: DozeGpuSpec, phase: DozePhase): number {
  if (phase === 'down') return spec.baselineWatts;
  return (
    spec.baselineWatts +
    spec.contextStepWatts +
    (phase === 'awake' ? spec.awakeWatts : spec.dozedWatts)
  );
}

/** Starts the stand-in over the container `container` (its port 8000 published on loopback). */
export async function startDozeGpuStandIn(
  docker: Docker,
  container: string,
  spec: DozeGpuSpec,
): Promise<DozeGpuStandIn> {
  let phase: DozePhase = 'down';
  let heldBytes = 0;
  let port: string | null = null;
  let lastInspectAt = 0;
  let accountedAt: number | null = null;
  // Whether the model dozed since it was last awake (its doze's freed watts still saved while it is down).
  let dozedSinceAwake = false;
  const truth = { savedJoules: 0, dozeFreedJoules: 0 };
  const settle = (now: number): void => {
    if (accountedAt === null) return;
    const awake = dozeGpuWatts(spec, 'awake');
    const seconds = (now - accountedAt) / 1000;
    truth.savedJoules += (awake - dozeGpuWatts(spec, phase)) * seconds;
    if (dozedSinceAwake) truth.dozeFreedJoules += (awake - dozeGpuWatts(spec, 'dozed')) * seconds;
    accountedAt = now;
  };
  const setPhase = (next: DozePhase): void => {
    if (next === phase) return;
    settle(Date.now());
    phase = next;
    if (next === 'awake') dozedSinceAwake = false;
    if (next === 'dozed') dozedSinceAwake = true;
  };
  // A new port each start: inspected again (at most every 100 ms) while the server does not answer.
  const seen = async (): Promise<DozePhase> => {
    if (port === null && Date.now() - lastInspectAt >= 100) {
      lastInspectAt = Date.now();
      const info = await docker
        .getContainer(container)
        .inspect()
        .catch(() => null);
      port = info?.State.Running
        ? (info.NetworkSettings.Ports['8000/tcp']?.[0]?.HostPort ?? null)
        : null;
    }
    if (port === null) return 'down';
    const state = await fetch(`http://127.0.0.1:${port}/fake/state`, {
      signal: AbortSignal.timeout(500),
    }).then(
      (r) => (r.ok ? (r.json() as Promise<{ dozed: boolean; usedBytes: number }>) : null),
      () => null,
    );
    if (state === null) port = null;
    heldBytes = state?.usedBytes ?? 0;
    return state === null ? 'down' : state.dozed ? 'dozed' : 'awake';
  };
  let stopped = false;
  const poll = async (): Promise<void> => {
    while (!stopped) {
      setPhase(await seen());
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  const polling = poll();
  const log: DozeGpuReading[] = [];
  let tick = 0;
  const exporter = await startDcgmExporterStandIn(() => {
    tick += 1;
    const trueWatts = dozeGpuWatts(spec, phase);
    const reportedWatts = trueWatts + (tick % 2 === 0 ? spec.noiseWatts : -spec.noiseWatts);
    log.push({ at: Date.now(), phase, trueWatts, reportedWatts });
    const usedMib = phase === 'down' ? 0 : 400 + heldBytes / 1024 ** 2;
    return Promise.resolve({ powerWatts: reportedWatts, fbUsedMib: usedMib });
  });
  return {
    exporter,
    log,
    phase: () => phase,
    startAccounting() {
      accountedAt = Date.now();
    },
    truth() {
      settle(Date.now());
      return { ...truth };
    },
    async close() {
      stopped = true;
      await polling;
      await exporter.close();
    },
  };
}
