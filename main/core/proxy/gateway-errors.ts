// Every error the gateway answers itself, each with its HTTP status, OpenAI type and code, and a message a user can act on.
import { WakeError } from '../lifecycle/lifecycle-api';
import type { Upstream } from '../lifecycle/model-state';
import { assertNever } from '../shared/assert-never';
import type { GatewayError } from './openai-errors';
import type { NoWakeReason } from './no-wake';

function known(models: readonly string[]): string {
  return models.length === 0 ? 'no models are registered' : `known models: ${models.join(', ')}`;
}

/** 403: the `Host` is not one the gateway answers (DNS rebinding). */
export function hostRefused(reason: string): GatewayError {
  return {
    status: 403,
    type: 'permission_error',
    code: 'host_not_allowed',
    message: `Siesta refused the request: ${reason}.`,
  };
}

/** 400: not exactly one well-formed `Host` header. */
export function hostMalformed(reason: string): GatewayError {
  return {
    status: 400,
    type: 'invalid_request_error',
    code: 'bad_host',
    message: `Siesta refused the request: ${reason}.`,
    headers: { connection: 'close' },
  };
}

/** 403: a page of another site tried to use the gateway. */
export function originRefused(origin: string): GatewayError {
  return {
    status: 403,
    type: 'permission_error',
    code: 'origin_not_allowed',
    message: `Siesta refused a cross-site request from ${origin}; add it to the gateway's CORS origins to allow it.`,
  };
}

/** 404: no model matches; lists the OpenAI model names a client can use. */
export function unknownModel(asked: string | null, models: readonly string[]): GatewayError {
  const what =
    asked === null
      ? 'The request names no model (use a model port, MODEL.localhost, the path /MODEL/, or the "model" field of a POST /v1/ body)'
      : `The model "${asked}" does not exist`;
  return {
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: `${what}; ${known(models)}.`,
  };
}

/** 413: a body too large to read for its `model` field. */
export function bodyTooLarge(limitBytes: number): GatewayError {
  return {
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `The request body is larger than ${limitBytes} bytes, the most Siesta reads to find its "model" field; send it to the model's own port, MODEL.localhost or /MODEL/ instead.`,
    headers: { connection: 'close' },
  };
}

/** 400: a request the gateway will not forward as it is (a body where its method may carry none). */
export function requestRefused(why: string): GatewayError {
  return {
    status: 400,
    type: 'invalid_request_error',
    code: 'bad_request',
    message: `Siesta refused the request: ${why}.`,
    headers: { connection: 'close' },
  };
}

/** 503: the routing bodies held in memory, all requests together, are at their budget now. */
export function routingBudgetFull(budgetBytes: number): GatewayError {
  return {
    status: 503,
    type: 'server_error',
    code: 'gateway_busy',
    message: `Siesta is holding ${budgetBytes} bytes of other requests' bodies (its budget, maxBufferedRoutingBytes) to read their "model" fields; retry shortly, or send large bodies to the model's own port, MODEL.localhost or /MODEL/, which stream without buffering.`,
    headers: { 'retry-after': '1' },
  };
}

/** 400: not a WebSocket upgrade (h2c and others are not proxied). */
export function upgradeRefused(protocol: string): GatewayError {
  return {
    status: 400,
    type: 'invalid_request_error',
    code: 'bad_request',
    message: `Siesta proxies only WebSocket upgrades, not "${protocol}"; send the request without Upgrade.`,
  };
}

/** 502: the model was ready but its server refused the connection, even after retrying. */
export function upstreamUnreachable(
  model: string,
  upstream: Upstream,
  reason: string,
): GatewayError {
  return {
    status: 502,
    type: 'server_error',
    code: 'upstream_unreachable',
    message: `The model "${model}" is running but its server at ${upstream.host}:${upstream.port} did not answer (${reason}).`,
  };
}

/** 503: a monitor or a no-wake path asked for a sleeping model. */
export function asleepNoWake(model: string, reason: NoWakeReason): GatewayError {
  const why =
    reason.kind === 'path'
      ? `requests to ${reason.path} never wake a model`
      : `requests from this client (matching "${reason.pattern}") never wake a model`;
  return {
    status: 503,
    type: 'server_error',
    code: 'model_asleep',
    message: `The model "${model}" is asleep; ${why}.`,
    headers: { 'retry-after': '60' },
  };
}

/** 503: the model is being put to sleep right now. */
export function modelStopping(model: string): GatewayError {
  return {
    status: 503,
    type: 'server_error',
    code: 'model_stopping',
    message: `The model "${model}" is going to sleep; try again in a few seconds.`,
    headers: { 'retry-after': '5' },
  };
}

/**
 * The answer to a failed `acquire`, or null when the client is gone ('aborted'): unknown 404, failed 503 with the
 * reason and last log line, timeout 504 with Retry-After, never-fits 507 (it cannot be fixed by retrying), stopping 503.
 */
export function wakeErrorResponse(
  error: WakeError,
  models: readonly string[],
): GatewayError | null {
  const lastLine =
    error.logLines.length > 0 ? error.logLines[error.logLines.length - 1] : undefined;
  const log = lastLine === undefined ? '' : ` Last log line: ${lastLine}`;
  switch (error.code) {
    case 'unknown-model':
      return unknownModel(error.model, models);
    case 'failed':
      return {
        status: 503,
        type: 'server_error',
        code: 'model_wake_failed',
        message: `${error.sentence()}${log}`,
      };
    case 'timeout':
      return {
        status: 504,
        type: 'server_error',
        code: 'model_wake_timeout',
        message: `${error.sentence()}${log}`,
        headers: { 'retry-after': '30' },
      };
    case 'never-fits':
      return {
        status: 507,
        type: 'server_error',
        code: 'model_never_fits',
        message: error.sentence(),
      };
    case 'stopping':
      return modelStopping(error.model);
    case 'aborted':
      return null;
    default:
      return assertNever(error.code);
  }
}

/** Any error from `acquire`: a WakeError by its code, anything else a 503 with its message. */
export function acquireErrorResponse(
  error: unknown,
  model: string,
  models: readonly string[],
): GatewayError | null {
  if (error instanceof WakeError) return wakeErrorResponse(error, models);
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 503,
    type: 'server_error',
    code: 'model_wake_failed',
    message: `The model "${model}" could not be woken: ${message}.`,
  };
}

/** A `POST /v1/` body routed by its model field that is not JSON. */
export function bodyUnreadable(why: string): GatewayError {
  return {
    status: 400,
    type: 'invalid_request_error',
    code: 'invalid_json',
    message: `The request body is not valid JSON, so Siesta cannot read its "model" field (${why}). Send a JSON body, or name the model by its port, MODEL.localhost or /MODEL/.`,
  };
}

/** 400: a `POST /v1/` body without a `model` field, on the main port. */
export function modelMissing(models: readonly string[]): GatewayError {
  return {
    status: 400,
    type: 'invalid_request_error',
    code: 'model_missing',
    message: `The request body names no model: add a "model" field (or use a model port, MODEL.localhost or /MODEL/); ${known(models)}.`,
  };
}
