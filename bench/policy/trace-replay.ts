// Replays a request trace through the lifecycle on a virtual clock, with a simulated model and GPU power model,
// under one keep-alive policy, and measures energy, cold starts and the latency they add.
import { VirtualClock } from '../../main/core/clock/virtual-clock';
import type { KeepAlivePolicyName, ModelSpec } from '../../main/core/config/model-spec';
import type { IdlePolicy } from '../../main/core/lifecycle/lifecycle-api';
import type { EnergyStatsSource } from '../../main/core/policy/energy-stats';
import { KeepAlivePolicies } from '../../main/core/policy/keep-alive-policies';
import {
  keepAliveSettings,
  type KeepAliveSettings,
} from '../../main/core/policy/keep-alive-settings';
import { policySpec } from '../../main/core/policy/testdata/policy-fixtures';
import { OracleIdlePolicy } from './oracle-policy';
import { percentile } from './percentiles';
import { DEFAULT_POWER_MODEL, type PowerModel } from './power-model';
import type { ReplayResult } from './replay-result';
import { createSimulatedLifecycle } from './simulated-lifecycle';
import { SimulatedModel } from './simulated-model';
import type { Trace } from './trace';

/** Which policy a replay runs: one of the model's spec policies (through `KeepAlivePolicies`), or the offline optimum. */
export type ReplayPolicy =
  | {
      readonly kind: 'spec';
      readonly label: string;
      readonly policy: KeepAlivePolicyName;
      readonly idleMs: number;
    }
  | { readonly kind: 'oracle'; readonly label: string };

/** Arguments of `replayTrace`. */
export interface ReplayOptions {
  readonly trace: Trace;
  readonly policy: ReplayPolicy;
  readonly power?: PowerModel;
  readonly settings?: Partial<KeepAliveSettings>;
  /** How long after the last request ends (plus one wake) the window goes on. Default 1 h. */
  readonly tailMs?: number;
}

/** A replay's measurements and, for spec policies, the composite that decided (to read its decisions and gaps). */
export interface Replay {
  readonly result: ReplayResult;
  readonly policies: KeepAlivePolicies | null;
  readonly spec: ModelSpec;
}

const MODEL = 'model';

/** Replays `trace` under `policy` and measures it. */
export async function replayTrace(options: ReplayOptions): Promise<Replay> {
  const { trace, policy } = options;
  const power = options.power ?? DEFAULT_POWER_MODEL;
  const settings = keepAliveSettings(options.settings);
  const tailMs = options.tailMs ?? 3_600_000;
  const clock = new VirtualClock(trace.startAt);
  const model = new SimulatedModel(clock, power);
  const spec = policySpec(MODEL, policy.kind === 'spec' ? policy.policy : 'fixed', {
    idleMs: policy.kind === 'spec' ? policy.idleMs : 600_000,
    vramBytes: 16 * 2 ** 30,
    // The replay's wakes never time out: a cold start waits as long as the model takes.
    wakeTimeoutMs: 24 * 3_600_000,
  });

  // The ledger's figures, as it would learn them: known once the first wake has been measured.
  let wakesMeasured = 0;
  const energyStats: EnergyStatsSource = {
    energyStatsFor: () =>
      wakesMeasured === 0
        ? null
        : {
            dPWatts: power.dPWatts,
            wakeJoules: power.wakeJoules,
            wakeMs: power.wakeMs,
            count: wakesMeasured,
          },
  };

  const arrivalsAt = trace.requests.map((r) => trace.startAt + r.offsetMs);
  let policies: KeepAlivePolicies | null = null;
  let idlePolicy: IdlePolicy;
  if (policy.kind === 'spec') {
    policies = new KeepAlivePolicies({ clock, energyStats, settings });
    idlePolicy = policies;
  } else {
    idlePolicy = new OracleIdlePolicy(arrivalsAt, {
      dPWatts: power.dPWatts,
      wakeJoules: power.wakeJoules,
      coldStartCostJoules: settings.coldStartCostJoules,
    });
  }

  const problems: string[] = [];
  const lifecycle = await createSimulatedLifecycle({
    spec,
    clock,
    model,
    idlePolicy,
    log: (m) => problems.push(m),
  });
  let coldStarts = 0;
  let prewarms = 0;
  let prewarmsUsed = 0;
  // A pre-warm is used when a request arrives before the model sleeps again.
  let prewarmPending = false;
  lifecycle.onEvent((event) => {
    if (event.kind === 'ready') wakesMeasured++;
    if (event.kind === 'sleep') prewarmPending = false;
    if (event.kind === 'wake-requested') {
      if (event.cause.kind === 'request') coldStarts++;
      else if (event.cause.kind === 'prewarm') {
        prewarms++;
        prewarmPending = true;
      }
    }
  });
  if (policies) {
    policies.attach(lifecycle);
    policies.onPrewarm((decision) => {
      lifecycle.wake(MODEL, { kind: 'prewarm', detail: decision.detail }).catch(() => undefined);
    });
  }

  const addedMs: number[] = [];
  let failures = 0;
  let lastEndAt = trace.startAt;
  for (let i = 0; i < trace.requests.length; i++) {
    const request = trace.requests[i] as Trace['requests'][number];
    const arrivedAt = arrivalsAt[i] as number;
    await clock.advanceTo(arrivedAt);
    if (prewarmPending) {
      prewarmsUsed++;
      prewarmPending = false;
    }
    lastEndAt = Math.max(lastEndAt, arrivedAt + request.serviceMs);
    lifecycle
      .acquire(MODEL, { cause: { kind: 'request', route: 'port', detail: trace.name } })
      .then(
        (lease) => {
          addedMs.push(clock.now() - arrivedAt);
          clock.setTimeout(() => lease.release(), request.serviceMs);
        },
        () => {
          failures++;
        },
      );
  }
  const windowEndAt = lastEndAt + power.wakeMs + tailMs;
  await clock.advanceTo(windowEndAt);
  policies?.dispose();
  await lifecycle.stop();

  const { baselineJoules, modelJoules } = model.meter.totals(windowEndAt);
  const windowMs = windowEndAt - trace.startAt;
  addedMs.sort((a, b) => a - b);
  const result: ReplayResult = {
    trace: trace.name,
    policy: policy.label,
    requests: trace.requests.length,
    windowMs,
    energyJoules: baselineJoules + modelJoules,
    modelJoules,
    alwaysOnJoules: ((power.baselineWatts + power.dPWatts) * windowMs) / 1_000,
    coldStarts,
    prewarms,
    prewarmsUsed,
    problems,
    failures: failures + (trace.requests.length - addedMs.length - failures),
    addedLatency: {
      p50Ms: percentile(addedMs, 50),
      p95Ms: percentile(addedMs, 95),
      p99Ms: percentile(addedMs, 99),
      maxMs: addedMs[addedMs.length - 1] ?? 0,
      meanMs: addedMs.length ? addedMs.reduce((s, v) => s + v, 0) / addedMs.length : 0,
    },
  };
  return { result, policies, spec };
}
