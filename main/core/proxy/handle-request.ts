// The gateway's path for one HTTP request: Host and Origin checks, routing, the gateway's own answers (model list,
// waiting-page status), the wake gate, then forwarding with a use held until the response is over.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RouteKind } from '../lifecycle/model-state';
import { bodyFraming } from './body-framing';
import { corsResponseHeaders, isPreflight, judgeOrigin, preflightHeaders } from './cross-origin';
import { forwardHttp } from './forward-http';
import type { Arrival, GatewayContext } from './gateway-context';
import { modelNamedIgnoringCase } from './gateway-context';
import {
  acquireErrorResponse,
  asleepNoWake,
  hostMalformed,
  bodyTooLarge,
  bodyUnreadable,
  hostRefused,
  modelMissing,
  originRefused,
  requestRefused,
  routingBudgetFull,
  unknownModel,
} from './gateway-errors';
import { checkHost, hostHeaderCount } from './host-check';
import { modelFieldOf, modelForAlias } from './model-field';
import { isOllamaServer } from '../ollama/ollama-types';
import { answerOllamaList, readOllamaTarget, serveOllamaApi } from './ollama-api';
import { ollamaEndpointOf } from './ollama-route';
import { openAiModelList, openAiModelNames } from './models-list';
import type { ErrorFlavor, GatewayError } from './openai-errors';
import { errorFlavor, sendError } from './openai-errors';
import { readRoutingBody } from './read-routing-body';
import { meterRequest } from './request-accounting';
import { pathOf, routeRequest } from './route-request';
import { waitingPageHeaders, waitingPageHtml } from './waiting-page';
import { acquireUse, gateDecision, isNavigation } from './wake-gate';
import { wakeProgress } from './wake-progress';

/** The signal of a wait that cannot be given up (the model is ready: `acquire` answers at once). */
const NEVER_ABORTED = new AbortController().signal;

/** A request bound for one model. */
interface Target {
  readonly model: string;
  readonly route: RouteKind;
  readonly detail: string;
  readonly path: string;
  readonly prefix: string;
  /** Forces the error shape (Ollama's on its paths); default by path and Accept. */
  readonly flavor?: ErrorFlavor;
  /** Runs when the forwarded response ends or the client goes (the Ollama catalog notes the use). */
  readonly onEnd?: () => void;
}

/** Every model name a client may use (the OpenAI names and the Ollama servers' models), for error messages. */
function knownModelNames(ctx: GatewayContext): string[] {
  return openAiModelNames(ctx.lifecycle.list(), ctx.ollama?.models());
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: OutgoingHttpHeaders | null,
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...(headers ?? {}),
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Handles one request on the main port or a model's port. Never throws for a client's mistake; answers it. */
export async function handleRequest(
  ctx: GatewayContext,
  arrival: Arrival,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const settings = ctx.settings();
  const url = req.url ?? '/';
  const method = req.method ?? 'GET';
  const { lifecycle } = ctx;

  const host = checkHost(
    req.headers.host,
    settings.allowedHosts,
    ctx.isModelName,
    hostHeaderCount(req.rawHeaders),
  );
  if (host.kind === 'malformed')
    return sendError(res, hostMalformed(host.reason), errorFlavor(req, [url]));
  if (host.kind === 'refused')
    return sendError(res, hostRefused(host.reason), errorFlavor(req, [url]));
  const framing = bodyFraming(req);
  if (framing.kind === 'refused')
    return sendError(res, requestRefused(framing.why), errorFlavor(req, [url]));

  const origin = judgeOrigin(req.headers.origin, req.headers.host, settings.corsOrigins);
  if (origin.kind === 'foreign')
    return sendError(res, originRefused(origin.origin), errorFlavor(req, [url]));
  const cors = origin.kind === 'cors' ? corsResponseHeaders(origin.origin) : null;
  if (origin.kind === 'cors' && isPreflight(req)) {
    res.writeHead(204, preflightHeaders(req, origin.origin));
    res.end();
    return;
  }

  const localhostModel =
    host.localhostModel === null
      ? null
      : (modelNamedIgnoringCase(lifecycle, host.localhostModel) ?? null);
  const route = routeRequest({
    dedicatedModel: arrival.dedicatedModel,
    localPort: arrival.localPort,
    localhostModel,
    method,
    url,
    modelNamed: ctx.modelNamed,
  });
  switch (route.kind) {
    case 'model':
      return serveModel(ctx, req, res, route, null, cors);
    case 'model-field':
      return routeByModelField(ctx, req, res, route.path, cors);
    case 'models-list':
      return sendJson(res, 200, openAiModelList(lifecycle.list(), ctx.ollama?.models()), cors);
    case 'model-info': {
      const entry = openAiModelList(lifecycle.list(), ctx.ollama?.models()).data.find(
        (m) => m.id === route.id,
      );
      if (entry === undefined)
        return sendError(res, unknownModel(route.id, knownModelNames(ctx)), 'openai', cors ?? {});
      return sendJson(res, 200, entry, cors);
    }
    case 'status': {
      const status = lifecycle.get(route.model);
      if (status === undefined)
        return sendError(res, unknownModel(route.model, knownModelNames(ctx)), 'json', cors ?? {});
      return sendJson(
        res,
        200,
        wakeProgress(status, ctx.clock.now(), ctx.wakeEstimateMs(status.spec.name)),
        cors,
      );
    }
    case 'ollama':
      return serveOllamaApi(ctx, req, res, route.endpoint, cors, (t, onEnd) =>
        serveModel(
          ctx,
          req,
          res,
          {
            model: t.server,
            route: 'model-field',
            detail: t.asked,
            path: url,
            prefix: '',
            flavor: 'ollama',
            onEnd,
          },
          t.body,
          cors,
        ),
      );
    case 'redirect':
      res.writeHead(308, { location: route.location, 'content-length': 0, ...(cors ?? {}) });
      res.end();
      return;
    case 'unrouted':
      return sendError(
        res,
        unknownModel(null, knownModelNames(ctx)),
        errorFlavor(req, [url]),
        cors ?? {},
      );
  }
}

async function routeByModelField(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  cors: OutgoingHttpHeaders | null,
): Promise<void> {
  const hold = ctx.routingBudget.hold();
  // Whatever happens next (forwarded, refused, cut), the bytes are given back when the response is over.
  res.once('close', () => hold.release());
  const read = await readRoutingBody(req, ctx.settings().maxRoutingBodyBytes, hold);
  switch (read.kind) {
    case 'aborted':
      res.destroy();
      return;
    case 'too-large':
      sendError(res, bodyTooLarge(read.limitBytes), 'openai', cors ?? {});
      return;
    case 'over-budget':
      sendError(
        res,
        routingBudgetFull(ctx.settings().maxBufferedRoutingBytes),
        'openai',
        cors ?? {},
      );
      return;
    case 'body': {
      const field = modelFieldOf(read.body, req.headers['content-type']);
      if (field.kind === 'unreadable')
        return sendError(res, bodyUnreadable(field.why), 'openai', cors ?? {});
      if (field.kind === 'missing')
        return sendError(res, modelMissing(knownModelNames(ctx)), 'openai', cors ?? {});
      const alias = field.model;
      const declared = modelForAlias(
        alias,
        ctx.lifecycle.list().map((s) => s.spec),
      );
      // An Ollama server's model (`llama3.2:1b`) goes to that server's own OpenAI endpoints.
      const served = declared === undefined ? ctx.ollama?.serverFor(alias) : undefined;
      const spec =
        declared ?? (served === undefined ? undefined : ctx.lifecycle.get(served.server)?.spec);
      if (spec === undefined)
        return sendError(res, unknownModel(alias, knownModelNames(ctx)), 'openai', cors ?? {});
      const onEnd =
        served === undefined
          ? undefined
          : () => ctx.ollama?.noteUse(served.server, served.tag.name);
      return serveModel(
        ctx,
        req,
        res,
        { model: spec.name, route: 'model-field', detail: alias, path, prefix: '', onEnd },
        read.body,
        cors,
      );
    }
  }
}

async function serveModel(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: Target,
  body: Buffer | null,
  cors: OutgoingHttpHeaders | null,
): Promise<void> {
  const { lifecycle } = ctx;
  const url = req.url ?? '/';
  const method = req.method ?? 'GET';
  const flavor: ErrorFlavor = target.flavor ?? errorFlavor(req, [url, target.path]);
  const fail = (error: GatewayError): void => sendError(res, error, flavor, cors ?? {});
  const status = lifecycle.get(target.model);
  if (status === undefined) return fail(unknownModel(target.model, knownModelNames(ctx)));

  const forwardedPath = pathOf(target.path);
  if (
    status.state !== 'ready' &&
    method === 'GET' &&
    (forwardedPath === '/v1/models' || forwardedPath === '/v1/models/')
  )
    // Clients poll the model list; that must not wake the model behind a dedicated port or host.
    return sendJson(res, 200, openAiModelList([status], ctx.ollama?.models()), cors);
  if (status.state !== 'ready' && isOllamaServer(status)) {
    // An Ollama server behind its own port or host: its lists are answered from what Siesta learned, so polls wake nothing.
    const list = ollamaEndpointOf(method, forwardedPath);
    if (list?.kind === 'tags' || list?.kind === 'ps' || list?.kind === 'version')
      return answerOllamaList(ctx, req, res, list.kind, [status.spec.name], cors);
    if (list?.kind === 'by-model' && body === null) {
      // A model it does not have gets Ollama's 404 without a wake: the body is read (and then replayed) to know.
      const asked = await readOllamaTarget(ctx, req, res, list.name, cors, status.spec.name);
      if (asked === null) return;
      const onEnd = (): void => ctx.ollama?.noteUse(asked.server, asked.model);
      return serveModel(ctx, req, res, { ...target, flavor: 'ollama', onEnd }, asked.body, cors);
    }
  }

  // A ready model is forwarded whoever asks: the no-wake rules (a substring per monitor) only matter otherwise.
  const noWake =
    status.state === 'ready'
      ? null
      : ctx.noWake().match(req.headers['user-agent'], [pathOf(url), forwardedPath]);
  const cause = { kind: 'request', route: target.route, detail: target.detail } as const;
  switch (
    gateDecision(status.state, {
      navigation: isNavigation(method, req.headers),
      noWake: noWake !== null,
    })
  ) {
    case 'refuse-asleep':
      return fail(asleepNoWake(target.model, noWake ?? { kind: 'path', path: forwardedPath }));
    case 'waiting-page': {
      lifecycle.wake(target.model, cause).catch((error: unknown) => {
        ctx.log(
          `gateway: waking ${target.model} for a browser failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      const progress = wakeProgress(
        lifecycle.get(target.model) ?? status,
        ctx.clock.now(),
        ctx.wakeEstimateMs(target.model),
      );
      const html = waitingPageHtml(progress);
      res.writeHead(503, { ...waitingPageHeaders(progress, html), ...(cors ?? {}) });
      res.end(method === 'HEAD' ? undefined : html);
      return;
    }
    case 'acquire':
      break;
  }

  // Only a wait can be given up; a ready model (the common case) needs no abort wiring, which costs throughput.
  const gone = status.state === 'ready' ? null : new AbortController();
  if (gone !== null)
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
    });
  let use;
  try {
    use = await acquireUse(lifecycle, target.model, cause, gone?.signal ?? NEVER_ABORTED);
  } catch (error: unknown) {
    if (gone?.signal.aborted === true || res.closed) return;
    const answer = acquireErrorResponse(error, target.model, knownModelNames(ctx));
    if (answer === null) return;
    if (answer.status >= 500) ctx.failures.note(target.model, answer.message);
    return fail(answer);
  }
  if (use === null) return;
  const held = use;
  if (res.closed) {
    held.release();
    return;
  }
  const metered = meterRequest(ctx.accounting, req, target.model, target.path, body, () =>
    ctx.clock.now(),
  );
  res.once('close', () => {
    metered?.meter.finish();
    held.release();
    target.onEnd?.();
  });
  forwardHttp({
    req,
    res,
    model: target.model,
    upstream: use.lease.upstream,
    agent: ctx.agents.agentFor(use.lease.upstream),
    path: target.path,
    prefix: target.prefix,
    privateCookieNames: ctx.settings().privateCookieNames,
    body: metered === null ? body : metered.body,
    cors,
    flavor,
    clock: ctx.clock,
    meter: metered?.meter,
  });
}
