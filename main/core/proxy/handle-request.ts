// The gateway's path for one HTTP request: Host and Origin checks, routing, the gateway's own answers (model list,
// waiting-page status), the wake gate, then forwarding with a use held until the response is over.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RouteKind } from '../lifecycle/model-state';
import { corsResponseHeaders, isPreflight, judgeOrigin, preflightHeaders } from './cross-origin';
import { forwardHttp } from './forward-http';
import type { Arrival, GatewayContext } from './gateway-context';
import { modelNamedIgnoringCase } from './gateway-context';
import { acquireErrorResponse, asleepNoWake, bodyTooLarge, bodyUnreadable, hostRefused, modelMissing, originRefused, unknownModel } from './gateway-errors';
import { checkHost } from './host-check';
import { modelFieldOf, modelForAlias } from './model-field';
import { openAiModelList, openAiModelNames } from './models-list';
import type { ErrorFlavor, GatewayError } from './openai-errors';
import { errorFlavor, sendError } from './openai-errors';
import { readRoutingBody } from './read-routing-body';
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
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders | null): void {
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
export async function handleRequest(ctx: GatewayContext, arrival: Arrival, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const settings = ctx.settings();
  const url = req.url ?? '/';
  const method = req.method ?? 'GET';
  const { lifecycle } = ctx;

  const host = checkHost(req.headers.host, settings.allowedHosts, ctx.isModelName);
  if (host.kind === 'refused') return sendError(res, hostRefused(host.reason), errorFlavor(req, [url]));

  const origin = judgeOrigin(req.headers.origin, req.headers.host, settings.corsOrigins);
  if (origin.kind === 'foreign') return sendError(res, originRefused(origin.origin), errorFlavor(req, [url]));
  const cors = origin.kind === 'cors' ? corsResponseHeaders(origin.origin) : null;
  if (origin.kind === 'cors' && isPreflight(req)) {
    res.writeHead(204, preflightHeaders(req, origin.origin));
    res.end();
    return;
  }

  const localhostModel = host.localhostModel === null ? null : (modelNamedIgnoringCase(lifecycle, host.localhostModel) ?? null);
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
      return sendJson(res, 200, openAiModelList(lifecycle.list()), cors);
    case 'model-info': {
      const entry = openAiModelList(lifecycle.list()).data.find((m) => m.id === route.id);
      if (entry === undefined) return sendError(res, unknownModel(route.id, openAiModelNames(lifecycle.list())), 'openai', cors ?? {});
      return sendJson(res, 200, entry, cors);
    }
    case 'status': {
      const status = lifecycle.get(route.model);
      if (status === undefined)
        return sendError(res, unknownModel(route.model, openAiModelNames(lifecycle.list())), 'json', cors ?? {});
      return sendJson(res, 200, wakeProgress(status, ctx.clock.now(), ctx.wakeEstimateMs(status.spec.name)), cors);
    }
    case 'redirect':
      res.writeHead(308, { location: route.location, 'content-length': 0, ...(cors ?? {}) });
      res.end();
      return;
    case 'unrouted':
      return sendError(res, unknownModel(null, openAiModelNames(lifecycle.list())), errorFlavor(req, [url]), cors ?? {});
  }
}

async function routeByModelField(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  cors: OutgoingHttpHeaders | null,
): Promise<void> {
  const read = await readRoutingBody(req, ctx.settings().maxRoutingBodyBytes);
  switch (read.kind) {
    case 'aborted':
      res.destroy();
      return;
    case 'too-large':
      sendError(res, bodyTooLarge(read.limitBytes), 'openai', cors ?? {});
      return;
    case 'body': {
      const field = modelFieldOf(read.body, req.headers['content-type']);
      if (field.kind === 'unreadable') return sendError(res, bodyUnreadable(field.why), 'openai', cors ?? {});
      if (field.kind === 'missing') return sendError(res, modelMissing(openAiModelNames(ctx.lifecycle.list())), 'openai', cors ?? {});
      const alias = field.model;
      const spec = modelForAlias(alias, ctx.lifecycle.list().map((s) => s.spec));
      if (spec === undefined) return sendError(res, unknownModel(alias, openAiModelNames(ctx.lifecycle.list())), 'openai', cors ?? {});
      return serveModel(ctx, req, res, { model: spec.name, route: 'model-field', detail: alias, path, prefix: '' }, read.body, cors);
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
  const flavor: ErrorFlavor = errorFlavor(req, [url, target.path]);
  const fail = (error: GatewayError): void => sendError(res, error, flavor, cors ?? {});
  const status = lifecycle.get(target.model);
  if (status === undefined) return fail(unknownModel(target.model, openAiModelNames(lifecycle.list())));

  const forwardedPath = pathOf(target.path);
  if (status.state !== 'ready' && method === 'GET' && (forwardedPath === '/v1/models' || forwardedPath === '/v1/models/'))
    // Clients poll the model list; that must not wake the model behind a dedicated port or host.
    return sendJson(res, 200, openAiModelList([status]), cors);

  // A ready model is forwarded whoever asks: the no-wake rules (a regular expression per monitor) only matter otherwise.
  const noWake = status.state === 'ready' ? null : ctx.noWake().match(req.headers['user-agent'], [pathOf(url), forwardedPath]);
  const cause = { kind: 'request', route: target.route, detail: target.detail } as const;
  switch (gateDecision(status.state, { navigation: isNavigation(method, req.headers), noWake: noWake !== null })) {
    case 'refuse-asleep':
      return fail(asleepNoWake(target.model, noWake ?? { kind: 'path', path: forwardedPath }));
    case 'waiting-page': {
      lifecycle.wake(target.model, cause).catch((error: unknown) => {
        ctx.log(`gateway: waking ${target.model} for a browser failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      const progress = wakeProgress(lifecycle.get(target.model) ?? status, ctx.clock.now(), ctx.wakeEstimateMs(target.model));
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
    const answer = acquireErrorResponse(error, target.model, openAiModelNames(lifecycle.list()));
    if (answer === null) return;
    if (answer.status >= 500) ctx.log(`gateway: ${target.model}: ${answer.message}`);
    return fail(answer);
  }
  if (use === null) return;
  const held = use;
  if (res.closed) {
    held.release();
    return;
  }
  res.once('close', () => held.release());
  forwardHttp({
    req,
    res,
    model: target.model,
    upstream: use.lease.upstream,
    agent: ctx.agents.agentFor(use.lease.upstream),
    path: target.path,
    prefix: target.prefix,
    privateCookieNames: ctx.settings().privateCookieNames,
    body,
    cors,
    flavor,
    clock: ctx.clock,
  });
}
