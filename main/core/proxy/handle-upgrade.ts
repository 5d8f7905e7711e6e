// The gateway's path for an HTTP upgrade (WebSocket): the same Host, Origin and routing checks as a request, then a use
// of the model held for as long as the socket is open.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { judgeOrigin } from './cross-origin';
import { forwardUpgrade } from './forward-websocket';
import type { Arrival, GatewayContext } from './gateway-context';
import { modelNamedIgnoringCase } from './gateway-context';
import {
  acquireErrorResponse,
  asleepNoWake,
  hostMalformed,
  hostRefused,
  originRefused,
  unknownModel,
  upgradeRefused,
} from './gateway-errors';
import { checkHost, hostHeaderCount } from './host-check';
import { openAiModelNames } from './models-list';
import { errorFlavor, sendRawError } from './openai-errors';
import { pathOf, routeRequest } from './route-request';
import { acquireUse, gateDecision } from './wake-gate';
import { WebSocketUse, watchIdleWebSocket } from './websocket-idle';

/** Handles one upgrade request. Never throws for a client's mistake; answers it on the socket. */
export async function handleUpgrade(
  ctx: GatewayContext,
  arrival: Arrival,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const settings = ctx.settings();
  const url = req.url ?? '/';
  const { lifecycle } = ctx;
  socket.on('error', () => socket.destroy());

  const protocol = req.headers.upgrade ?? '';
  if (protocol.trim().toLowerCase() !== 'websocket')
    return sendRawError(socket, upgradeRefused(protocol), errorFlavor(req, [url]));
  const host = checkHost(
    req.headers.host,
    settings.allowedHosts,
    ctx.isModelName,
    hostHeaderCount(req.rawHeaders),
  );
  if (host.kind === 'malformed')
    return sendRawError(socket, hostMalformed(host.reason), errorFlavor(req, [url]));
  if (host.kind === 'refused')
    return sendRawError(socket, hostRefused(host.reason), errorFlavor(req, [url]));
  // Browsers send Origin on every WebSocket and CORS does not guard them: another site's page is refused here.
  const origin = judgeOrigin(req.headers.origin, req.headers.host, settings.corsOrigins);
  if (origin.kind === 'foreign')
    return sendRawError(socket, originRefused(origin.origin), errorFlavor(req, [url]));

  const localhostModel =
    host.localhostModel === null
      ? null
      : (modelNamedIgnoringCase(lifecycle, host.localhostModel) ?? null);
  const route = routeRequest({
    dedicatedModel: arrival.dedicatedModel,
    localPort: arrival.localPort,
    localhostModel,
    method: req.method ?? 'GET',
    url,
    modelNamed: ctx.modelNamed,
  });
  if (route.kind !== 'model')
    return sendRawError(
      socket,
      unknownModel(null, openAiModelNames(lifecycle.list())),
      errorFlavor(req, [url]),
    );
  const flavor = errorFlavor(req, [url, route.path]);
  const status = lifecycle.get(route.model);
  if (status === undefined)
    return sendRawError(
      socket,
      unknownModel(route.model, openAiModelNames(lifecycle.list())),
      flavor,
    );

  const noWake = ctx.noWake().match(req.headers['user-agent'], [pathOf(url), pathOf(route.path)]);
  if (
    gateDecision(status.state, { navigation: false, noWake: noWake !== null }) === 'refuse-asleep'
  )
    return sendRawError(
      socket,
      asleepNoWake(route.model, noWake ?? { kind: 'path', path: pathOf(route.path) }),
      flavor,
    );

  const gone = new AbortController();
  const onGone = (): void => gone.abort();
  socket.once('close', onGone);
  let use;
  try {
    use = await acquireUse(
      lifecycle,
      route.model,
      { kind: 'request', route: route.route, detail: route.detail },
      gone.signal,
    );
  } catch (error: unknown) {
    if (gone.signal.aborted) return;
    const answer = acquireErrorResponse(error, route.model, openAiModelNames(lifecycle.list()));
    if (answer === null) return;
    if (answer.status >= 500) ctx.failures.note(route.model, answer.message);
    return sendRawError(socket, answer, flavor);
  } finally {
    socket.off('close', onGone);
  }
  if (use === null) return;
  const held = new WebSocketUse(use, lifecycle, route.model, {
    kind: 'request',
    route: route.route,
    detail: route.detail,
  });
  forwardUpgrade({
    req,
    socket,
    head,
    model: route.model,
    upstream: use.lease.upstream,
    path: route.path,
    prefix: route.prefix,
    privateCookieNames: ctx.settings().privateCookieNames,
    flavor,
    clock: ctx.clock,
    done: () => held.end(),
    relaying: settings.releaseIdleWebSockets
      ? (client, upstream) =>
          watchIdleWebSocket(client, upstream, lifecycle.get(route.model)?.spec.idleMs ?? 0, held)
      : undefined,
  });
}
