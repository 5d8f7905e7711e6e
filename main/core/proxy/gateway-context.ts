// What the gateway's request handlers share: the lifecycle, the clock, the current settings, the connection pools,
// and how names of models are looked up.
import type { Clock } from '../clock/clock';
import type { LifecycleApi } from '../lifecycle/lifecycle-api';
import type { GatewaySettings } from './gateway-settings';
import type { FailureLog } from './failure-log';
import type { NoWakeRules } from './no-wake';
import type { RequestAccounting } from './request-accounting';
import type { OllamaDirectory } from './ollama-directory';
import type { RoutingBodyBudget } from './routing-body-budget';
import type { UpstreamAgents } from './upstream-agents';

/** The handlers' view of the gateway. */
export interface GatewayContext {
  readonly lifecycle: LifecycleApi;
  readonly clock: Clock;
  settings(): GatewaySettings;
  noWake(): NoWakeRules;
  readonly agents: UpstreamAgents;
  /** Memory held by routing bodies, all requests together. */
  readonly routingBudget: RoutingBodyBudget;
  /** How long wakes of a model usually take, or null when unknown. */
  readonly wakeEstimateMs: (model: string) => number | null;
  readonly log: (line: string) => void;
  /** Failed waits, logged once per failure with the number of requests it answered. */
  readonly failures: FailureLog;
  /** `modelNamed` on this lifecycle, built once (not a closure per request). */
  readonly modelNamed: (name: string) => string | undefined;
  /** Whether a lower-cased host label is a registered model (`NAME.localhost`), built once. */
  readonly isModelName: (lowerCaseName: string) => boolean;
  /** The Ollama servers' models (issue 19), or null when Siesta runs without the catalog. */
  readonly ollama: OllamaDirectory | null;
  /** Each forwarded request's tokens and energy (issue 16), or null when nothing counts them. */
  readonly accounting: RequestAccounting | null;
}

/** How a request arrived: on a model's dedicated port, or on the main port. */
export interface Arrival {
  readonly dedicatedModel: string | null;
  readonly localPort: number;
}

/** The registered model with exactly this name. */
export function modelNamed(lifecycle: LifecycleApi, name: string): string | undefined {
  return lifecycle.get(name)?.spec.name;
}

/** The registered model whose name matches case-insensitively (host names are lower-cased). */
export function modelNamedIgnoringCase(
  lifecycle: LifecycleApi,
  lowerCaseName: string,
): string | undefined {
  const exact = lifecycle.get(lowerCaseName);
  if (exact !== undefined) return exact.spec.name;
  return lifecycle.list().find((s) => s.spec.name.toLowerCase() === lowerCaseName)?.spec.name;
}
