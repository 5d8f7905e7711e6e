// The control API's endpoints under /api/: state, model actions, auto-sleep, history, settings, events.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock/clock';
import { ApiHttpError, parseOrThrow, sendJson, toApiHttpError } from './api-error';
import type {
  ApiEvent,
  AutoSleepResponse,
  HistoryQuery,
  ModelActionResponse,
  ModelView,
  Via,
} from './contract';
import {
  ActionQuerySchema,
  EmptyQuerySchema,
  HistoryQuerySchema,
  ModelNameSchema,
  UnloadRequestSchema,
  VIA_HEADER,
  ViaSchema,
} from './contract';
import type { ControlCore } from './control-core';
import type { EventStreamHub } from './event-stream';
import { readJsonBody } from './request-body';

const DAY_MS = 86_400_000;
/** Rough bucket lengths, only to refuse queries that would make absurdly many buckets. */
const BUCKET_MS = { hour: 3_600_000, day: DAY_MS, week: 7 * DAY_MS, month: 28 * DAY_MS } as const;
/** The most buckets one history query may ask for. */
export const MAX_HISTORY_BUCKETS = 5_000;

/** What the endpoints need. */
export interface ApiRouteDeps {
  readonly core: ControlCore;
  readonly clock: Clock;
  readonly events: EventStreamHub;
}

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  params: readonly string[],
) => Promise<void> | void;

interface Route {
  readonly pattern: RegExp;
  readonly methods: Partial<Record<'GET' | 'POST' | 'PUT', Handler>>;
}

/** Builds the handler of every `/api/` request (after the server's Host, token and Origin checks). */
export function apiRoutes(
  deps: ApiRouteDeps,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const { core, clock } = deps;

  const modelView = (name: string): ModelView => {
    const model = core.state().models.find((m) => m.name === name);
    if (!model)
      throw new ApiHttpError(
        404,
        'unknown-model',
        `no model named "${name}" (see GET /api/state for the models)`,
        'name',
      );
    return model;
  };

  const modelName = (params: readonly string[]): string => {
    let raw: string;
    try {
      raw = decodeURIComponent(params[0] ?? '');
    } catch {
      throw new ApiHttpError(
        400,
        'invalid-request',
        'name: the model name in the path is not valid percent-encoding',
        'name',
      );
    }
    const name = parseOrThrow(ModelNameSchema, raw, 'path');
    modelView(name);
    return name;
  };

  const via = (req: IncomingMessage): Via => {
    const header = req.headers[VIA_HEADER];
    if (header === undefined) return 'api';
    const parsed = ViaSchema.safeParse(Array.isArray(header) ? header[0] : header);
    if (!parsed.success)
      throw new ApiHttpError(
        400,
        'invalid-request',
        `${VIA_HEADER}: expected one of api, cli, dashboard, tray`,
        VIA_HEADER,
      );
    return parsed.data;
  };

  /** Runs a wake or sleep: answers 202 at once, or with `wait=1` when it is done. Errors that show at once are answered. */
  const action = async (
    res: ServerResponse,
    url: URL,
    name: string,
    run: () => Promise<void>,
  ): Promise<void> => {
    const { wait } = parseOrThrow(ActionQuerySchema, queryOf(url), 'query');
    const startedAt = clock.now();
    const done = run();
    if (wait) {
      await done;
      const body: ModelActionResponse = { model: modelView(name), tookMs: clock.now() - startedAt };
      sendJson(res, 200, body);
      return;
    }
    // Failures after this point reach clients as `wake-failed` events and the model's `failure`.
    done.catch(() => undefined);
    const immediate = await Promise.race([
      done.then(
        () => null,
        (error: unknown) => toApiHttpError(error),
      ),
      nextTurn(),
    ]);
    if (immediate instanceof ApiHttpError) throw immediate;
    const body: ModelActionResponse = { model: modelView(name), tookMs: null };
    sendJson(res, 202, body);
  };

  const historyQuery = (url: URL, defaultDays: number): HistoryQuery => {
    const q = parseOrThrow(HistoryQuerySchema, queryOf(url), 'query');
    const to = q.to ?? clock.now();
    const from = q.from ?? to - defaultDays * DAY_MS;
    const bucket = q.bucket ?? 'day';
    if (!(to > from))
      throw new ApiHttpError(
        400,
        'invalid-request',
        `to: must be after from (${new Date(from).toISOString()}), got ${new Date(to).toISOString()}`,
        'to',
      );
    if ((to - from) / BUCKET_MS[bucket] > MAX_HISTORY_BUCKETS) {
      throw new ApiHttpError(
        400,
        'invalid-request',
        `bucket: "${bucket}" makes more than ${MAX_HISTORY_BUCKETS} buckets over this range; choose a larger bucket or a shorter range`,
        'bucket',
      );
    }
    return q.model === undefined ? { from, to, bucket } : { from, to, bucket, model: q.model };
  };

  const autoSleep =
    (paused: boolean): Handler =>
    (_req, res, url) => {
      parseOrThrow(EmptyQuerySchema, queryOf(url), 'query');
      core.setAutoSleepPaused(paused);
      const body: AutoSleepResponse = { autoSleepPaused: core.state().autoSleepPaused };
      sendJson(res, 200, body);
    };

  const pin =
    (pinned: boolean): Handler =>
    (_req, res, url, params) => {
      const name = modelName(params);
      parseOrThrow(EmptyQuerySchema, queryOf(url), 'query');
      core.pin(name, pinned);
      const body: ModelActionResponse = { model: modelView(name), tookMs: null };
      sendJson(res, 200, body);
    };

  /** Unloads one model inside an awake Ollama server (issue 19); refuses what cannot be unloaded, saying why. */
  const unload: Handler = async (req, res, url, params) => {
    const server = modelName(params);
    parseOrThrow(EmptyQuerySchema, queryOf(url), 'query');
    const { model } = parseOrThrow(UnloadRequestSchema, await readJsonBody(req), 'body');
    const view = modelView(server);
    if (view.serves === undefined)
      throw new ApiHttpError(
        400,
        'invalid-request',
        `"${server}" is not an Ollama server (label siesta.server=ollama)`,
        'name',
      );
    const served = view.serves.find((m) => m.name === model);
    if (served === undefined)
      throw new ApiHttpError(
        404,
        'unknown-model',
        `"${server}" has no model "${model}"; it has ${view.serves.map((m) => m.name).join(', ') || 'none yet'}`,
        'model',
      );
    if (view.state !== 'ready' || !served.loaded)
      throw new ApiHttpError(
        409,
        'conflict',
        `"${model}" is not loaded in "${server}" now`,
        'model',
      );
    await core.unload(server, model);
    const body: ModelActionResponse = { model: modelView(server), tookMs: null };
    sendJson(res, 200, body);
  };

  const routes: readonly Route[] = [
    {
      pattern: /^\/api\/state$/,
      methods: {
        GET: (_req, res, url) => {
          parseOrThrow(EmptyQuerySchema, queryOf(url), 'query');
          sendJson(res, 200, core.state());
        },
      },
    },
    {
      pattern: /^\/api\/models\/([^/]+)\/wake$/,
      methods: {
        POST: async (req, res, url, params) => {
          const name = modelName(params);
          const by = via(req);
          await action(res, url, name, () => core.wake(name, by));
        },
      },
    },
    {
      pattern: /^\/api\/models\/([^/]+)\/sleep$/,
      methods: {
        POST: async (req, res, url, params) => {
          const name = modelName(params);
          const by = via(req);
          await action(res, url, name, () => core.sleep(name, by));
        },
      },
    },
    { pattern: /^\/api\/models\/([^/]+)\/pin$/, methods: { POST: pin(true) } },
    { pattern: /^\/api\/models\/([^/]+)\/unpin$/, methods: { POST: pin(false) } },
    { pattern: /^\/api\/models\/([^/]+)\/unload$/, methods: { POST: unload } },
    { pattern: /^\/api\/auto-sleep\/pause$/, methods: { POST: autoSleep(true) } },
    { pattern: /^\/api\/auto-sleep\/resume$/, methods: { POST: autoSleep(false) } },
    {
      pattern: /^\/api\/history$/,
      methods: { GET: (_req, res, url) => sendJson(res, 200, core.history(historyQuery(url, 30))) },
    },
    {
      pattern: /^\/api\/costs$/,
      methods: {
        GET: (_req, res, url) => {
          parseOrThrow(EmptyQuerySchema, queryOf(url), 'query');
          if (core.costs === undefined)
            throw new ApiHttpError(404, 'not-found', 'this Siesta keeps no costs');
          sendJson(res, 200, core.costs());
        },
      },
    },
    {
      pattern: /^\/api\/history\.csv$/,
      methods: {
        GET: (_req, res, url) => {
          const query = historyQuery(url, 365);
          const csv = core.historyCsv(query);
          const day = new Date(query.to).toISOString().slice(0, 10);
          res.writeHead(200, {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Length': Buffer.byteLength(csv),
            'Content-Disposition': `attachment; filename="siesta-history-${day}.csv"`,
            'Cache-Control': 'no-store',
          });
          res.end(csv);
        },
      },
    },
    {
      pattern: /^\/api\/settings$/,
      methods: {
        GET: (_req, res, url) => {
          parseOrThrow(EmptyQuerySchema, queryOf(url), 'query');
          sendJson(res, 200, core.settings.get());
        },
        PUT: async (req, res, url) => {
          parseOrThrow(EmptyQuerySchema, queryOf(url), 'query');
          const body = await readJsonBody(req);
          sendJson(res, 200, core.settings.update(body));
        },
      },
    },
    {
      pattern: /^\/api\/events$/,
      methods: {
        GET: (req, res, url) => {
          parseOrThrow(EmptyQuerySchema, queryOf(url), 'query');
          const snapshot: ApiEvent = { type: 'snapshot', at: clock.now(), state: core.state() };
          deps.events.add(req, res, snapshot);
        },
      },
    },
  ];

  return async (req, res, url) => {
    for (const route of routes) {
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      const handler = route.methods[req.method as 'GET' | 'POST' | 'PUT'];
      if (!handler) {
        const allow = Object.keys(route.methods).join(', ');
        throw new ApiHttpError(
          405,
          'method-not-allowed',
          `${req.method ?? '?'} ${url.pathname}: expected ${allow}`,
          undefined,
          { Allow: allow },
        );
      }
      await handler(req, res, url, match.slice(1));
      return;
    }
    throw new ApiHttpError(
      404,
      'not-found',
      `no endpoint ${url.pathname} (see the README for the control API)`,
    );
  };
}

/** The query as a plain object; a repeated parameter keeps its last value. */
function queryOf(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}

/** Resolves after pending I/O callbacks, so a wake that fails at once is seen before answering 202. */
function nextTurn(): Promise<null> {
  return new Promise((resolve) => setImmediate(() => resolve(null)));
}
