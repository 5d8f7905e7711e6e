// Ollama's API on the gateway's main port (issue 19): `/api/tags`, `/api/ps` and `/api/version` answered by Siesta
// without waking anything, and `POST /api/chat|generate|embed|embeddings|show` routed by the body's `model` to the
// Ollama server that has it, streamed back as the server sends it. Errors come in Ollama's shape, `{"error": "..."}`.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ServerModel } from '../ollama/ollama-types';
import { isOllamaServer, sameOllamaModel } from '../ollama/ollama-types';
import type { GatewayContext } from './gateway-context';
import { bodyTooLarge, routingBudgetFull } from './gateway-errors';
import { modelForAlias } from './model-field';
import type { OllamaDirectory } from './ollama-directory';
import {
  isUnloadOnly,
  notAnOllamaModel,
  OLLAMA_API_VERSION,
  ollamaBadBody,
  ollamaModelNotFound,
  ollamaPathNotRouted,
  psAnswer,
  tagsAnswer,
  unloadedAnswer,
} from './ollama-lists';
import type { OllamaEndpoint, OllamaModelPath } from './ollama-route';
import type { GatewayError } from './openai-errors';
import { sendError } from './openai-errors';
import { readRoutingBody } from './read-routing-body';

/** A request bound for an Ollama server, handed to the gateway's wake gate and forwarder. */
export interface OllamaTarget {
  /** The Siesta model (container) of the server. */
  readonly server: string;
  /** The model name as the client sent it. */
  readonly asked: string;
  /** The server's name of the model (`llama3.2:latest` for `llama3.2`). */
  readonly model: string;
  readonly body: Buffer;
}

/** Forwards to a server through the wake gate; answers errors in Ollama's shape; `onEnd` runs when the response ends. */
export type OllamaForward = (target: OllamaTarget, onEnd: () => void) => Promise<void>;

const NO_DIRECTORY: OllamaDirectory = {
  models: () => [],
  modelsOf: () => [],
  serverFor: () => undefined,
  loaded: () => [],
  refresh: () => Promise.resolve(),
  version: () => null,
  noteUse: () => undefined,
};

/** Sends a JSON answer (no body for HEAD). */
export function sendOllamaJson(
  req: IncomingMessage,
  res: ServerResponse,
  value: unknown,
  cors: OutgoingHttpHeaders | null,
): void {
  const body = JSON.stringify(value);
  res.writeHead(200, {
    ...(cors ?? {}),
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Answers `/api/tags`, `/api/ps` or `/api/version` for the given servers (all on the main port, one on a model's own port). */
export async function answerOllamaList(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  kind: 'tags' | 'ps' | 'version',
  servers: readonly string[],
  cors: OutgoingHttpHeaders | null,
): Promise<void> {
  const directory = ctx.ollama ?? NO_DIRECTORY;
  switch (kind) {
    case 'tags':
      return sendOllamaJson(
        req,
        res,
        tagsAnswer(directory.models().filter((m) => servers.includes(m.server))),
        cors,
      );
    case 'version':
      return sendOllamaJson(req, res, { version: directory.version() ?? OLLAMA_API_VERSION }, cors);
    case 'ps': {
      const awake = servers.filter((s) => ctx.lifecycle.get(s)?.state === 'ready');
      // Only awake servers are asked, so this wakes nothing; a server that does not answer keeps its last reading.
      await Promise.all(awake.map((s) => directory.refresh(s)));
      return sendOllamaJson(req, res, psAnswer(awake.map((s) => directory.loaded(s))), cors);
    }
  }
}

/** Serves one request to Ollama's API on the main port. */
export async function serveOllamaApi(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: OllamaEndpoint,
  cors: OutgoingHttpHeaders | null,
  forward: OllamaForward,
): Promise<void> {
  if (endpoint.kind === 'not-routed')
    return sendError(
      res,
      ollamaPathNotRouted(req.method ?? 'GET', endpoint.path),
      'ollama',
      cors ?? {},
    );
  if (endpoint.kind !== 'by-model') {
    const servers = ctx.lifecycle
      .list()
      .filter(isOllamaServer)
      .map((s) => s.spec.name);
    return answerOllamaList(ctx, req, res, endpoint.kind, servers, cors);
  }
  const target = await readOllamaTarget(ctx, req, res, endpoint.name, cors, null);
  if (target === null) return;
  const directory = ctx.ollama ?? NO_DIRECTORY;
  return forward(target, () => directory.noteUse(target.server, target.model));
}

/**
 * Reads the body of a `POST /api/chat|generate|...` and finds the server for its `model`; answers (and returns null)
 * what needs no server: a body it cannot read, a model no server has (Ollama's 404), an unload for a sleeping server.
 * `server`: the request came on that server's own port or host, so only its models count; a server never seen awake
 * has no known models, and its request goes through for the server to judge.
 */
export async function readOllamaTarget(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: OllamaModelPath,
  cors: OutgoingHttpHeaders | null,
  server: string | null,
): Promise<OllamaTarget | null> {
  const directory = ctx.ollama ?? NO_DIRECTORY;
  const fail = (error: GatewayError): null => {
    sendError(res, error, 'ollama', cors ?? {});
    return null;
  };
  const hold = ctx.routingBudget.hold();
  // Whatever happens next (forwarded, refused, cut), the bytes are given back when the response is over.
  res.once('close', () => hold.release());
  const read = await readRoutingBody(req, ctx.settings().maxRoutingBodyBytes, hold);
  if (read.kind === 'aborted') {
    res.destroy();
    return null;
  }
  if (read.kind === 'too-large') return fail(bodyTooLarge(read.limitBytes));
  if (read.kind === 'over-budget')
    return fail(routingBudgetFull(ctx.settings().maxBufferedRoutingBytes));
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.body.toString('utf8'));
  } catch (error: unknown) {
    return fail(
      ollamaBadBody(
        `the request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return fail(ollamaBadBody('the request body is not a JSON object'));
  const body = parsed as Record<string, unknown>;
  // /api/show once named its model `name`; Ollama still reads either.
  const asked =
    typeof body.model === 'string' && body.model !== ''
      ? body.model
      : typeof body.name === 'string'
        ? body.name
        : '';
  if (asked === '') return fail(ollamaBadBody('model is required'));

  let found: ServerModel | undefined;
  if (server === null) found = directory.serverFor(asked);
  else {
    const known = directory.modelsOf(server);
    const tag =
      known.find((t) => t.name === asked) ?? known.find((t) => sameOllamaModel(asked, t.name));
    if (tag === undefined && known.length === 0)
      return { server, asked, model: asked, body: read.body };
    found = tag === undefined ? undefined : { server, tag };
  }
  if (found === undefined) {
    const other =
      server === null
        ? modelForAlias(
            asked,
            ctx.lifecycle.list().map((s) => s.spec),
          )
        : undefined;
    const status = other === undefined ? undefined : ctx.lifecycle.get(other.name);
    // A model no server has is Ollama's 404, and nothing wakes for it.
    return fail(
      status !== undefined && !isOllamaServer(status)
        ? notAnOllamaModel(asked, status)
        : ollamaModelNotFound(asked),
    );
  }
  const status = ctx.lifecycle.get(found.server);
  if (status === undefined) return fail(ollamaModelNotFound(asked));
  if (status.state !== 'ready' && (path === 'chat' || path === 'generate') && isUnloadOnly(body)) {
    // Unloading a model of a sleeping server: it is not loaded, so the answer is Ollama's without a wake.
    sendOllamaJson(req, res, unloadedAnswer(path, found.tag.name, ctx.clock.now()), cors);
    return null;
  }
  return { server: found.server, asked, model: found.tag.name, body: read.body };
}
