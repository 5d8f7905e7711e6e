// The one client of the control API for the tray, the CLI and the dashboard: the token, who is asking, typed calls
// checked against the contract, errors that name the call, and the live event stream (one connection, or followed
// with reconnects).
import type { z } from 'zod';
import type { Clock } from '../clock/clock';
import type { ApiEvent, Settings, StateResponse, Via } from '../api/contract';
import {
  ApiErrorSchema,
  ApiEventSchema,
  SettingsSchema,
  StateResponseSchema,
  VIA_HEADER,
} from '../api/contract';
import { sseMessages } from './sse-parser';

/** Where the control API is and how to get in. */
export interface ControlEndpoint {
  /** `http://127.0.0.1:11401`; empty in a browser page the control API served (relative URLs). */
  readonly controlUrl: string;
  /** The bearer token; null in such a page, whose cookie carries it. */
  readonly token: string | null;
}

/**
 * A call that failed: nothing answered (`unreachable`, status 0, the network error in `cause`), the API refused
 * it (`refused`: the status and the error envelope's code and message), or the answer is not what the contract
 * says (`bad-answer`, a different Siesta version). Its message names the call: `GET /api/state: 404 ...`.
 */
export class ControlCallError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'refused' | 'bad-answer',
    readonly method: string,
    readonly path: string,
    readonly controlUrl: string,
    readonly status: number,
    readonly code: string,
    /** What the API said (the envelope's message), or what went wrong; without the call and the status. */
    readonly detail: string,
    /** The input field the API named as wrong, if any. */
    readonly field: string | null,
    options?: { cause?: unknown },
  ) {
    super(`${method} ${path}: ${status > 0 ? `${status} ` : ''}${detail}`, options);
    this.name = 'ControlCallError';
  }

  /** `POST /api/models/qwen/wake` */
  get call(): string {
    return `${this.method} ${this.path}`;
  }
}

/** How a client presents itself, and how its errors read to its user. */
export interface ControlClientOptions {
  /** Who asks (`X-Siesta-Via`): the ledger and the notifications name it. */
  readonly via: Via;
  /** Turns a failed call into the error this client's user reads (the CLI's words); the error itself by default. */
  readonly errorOf?: (error: ControlCallError) => Error;
  readonly fetchFn?: typeof fetch;
}

/** An open event stream: the events in order; `next()` gives null when it ended or broke (`error` says which). */
export interface EventStream {
  next(): Promise<ApiEvent | null>;
  /** Why the stream stopped, when it broke rather than ended. */
  readonly error: Error | null;
  close(): void;
}

/** A followed event stream; `close()` ends it for good. */
export interface EventSubscription {
  close(): void;
}

/** Reconnect delays of a followed stream: doubling from 1 s up to 30 s, back to 1 s after a good connection. */
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

/** Talks to one running Siesta with its token. */
export class ControlClient {
  private readonly fetchFn: typeof fetch;

  constructor(
    private readonly endpoint: ControlEndpoint,
    private readonly options: ControlClientOptions,
  ) {
    // Called unbound: a browser's fetch throws when called as a method of something else.
    this.fetchFn = options.fetchFn ?? ((input, init) => fetch(input, init));
  }

  get baseUrl(): string {
    return this.endpoint.controlUrl;
  }

  /** `GET /api/state`. */
  state(): Promise<StateResponse> {
    return this.json('GET', '/api/state', StateResponseSchema);
  }

  /** `GET /api/settings`. */
  settings(): Promise<Settings> {
    return this.json('GET', '/api/settings', SettingsSchema);
  }

  /** `POST /api/models/{name}/wake`: answers once the wake has started (its end comes as events). */
  async wake(model: string): Promise<void> {
    await this.send('POST', `/api/models/${encodeURIComponent(model)}/wake`);
  }

  /** `POST /api/models/{name}/sleep`. */
  async sleep(model: string): Promise<void> {
    await this.send('POST', `/api/models/${encodeURIComponent(model)}/sleep`);
  }

  /** `POST /api/models/{server}/unload`: unloads one model inside an Ollama server. */
  async unload(server: string, model: string): Promise<void> {
    await this.send('POST', `/api/models/${encodeURIComponent(server)}/unload`, {
      body: { model },
    });
  }

  /** `POST /api/auto-sleep/pause` or `/resume`. */
  async setAutoSleepPaused(paused: boolean): Promise<void> {
    await this.send('POST', paused ? '/api/auto-sleep/pause' : '/api/auto-sleep/resume');
  }

  /** Calls `path` (with a JSON `body`, if any) and parses the JSON answer with `schema`. */
  async json<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    const text = await (await this.send(method, path, { body })).text();
    const parsed = schema.safeParse(parseJson(text));
    if (!parsed.success)
      throw this.failed(
        'bad-answer',
        method,
        path,
        { status: 0, code: 'bad-answer', field: null },
        'the answer is not what this version of Siesta expects (a different Siesta version?)',
      );
    return parsed.data;
  }

  /** GETs `path` as text. */
  async text(path: string): Promise<string> {
    return (await this.send('GET', path)).text();
  }

  /**
   * Opens one connection to `GET /api/events`. Each connection starts with a `snapshot`. An event that does not
   * match the contract (a newer daemon's) is skipped, and `onUnknown` hears its data.
   */
  async events(onUnknown?: (data: string) => void): Promise<EventStream> {
    const controller = new AbortController();
    const response = await this.send('GET', '/api/events', { signal: controller.signal });
    if (response.body === null)
      throw this.failed(
        'bad-answer',
        'GET',
        '/api/events',
        { status: 0, code: 'bad-answer', field: null },
        'no event stream came',
      );
    const messages = sseMessages(response.body);
    let error: Error | null = null;
    return {
      async next() {
        for (;;) {
          let message;
          try {
            message = await messages.next();
          } catch (broke: unknown) {
            if (!controller.signal.aborted) error = asError(broke);
            return null;
          }
          if (message === null) return null;
          const event = parseApiEvent(message.data);
          if (event !== null) return event;
          onUnknown?.(message.data);
        }
      },
      get error() {
        return error;
      },
      close: () => controller.abort(),
    };
  }

  /**
   * Follows the event stream, reconnecting after a break (each connection starts with a `snapshot`, so nothing is
   * missed for long). `onProblem` hears each break and each event that does not match the contract.
   */
  subscribe(
    clock: Clock,
    onEvent: (event: ApiEvent) => void,
    onProblem: (error: Error) => void,
  ): EventSubscription {
    let closed = false;
    let current: EventStream | null = null;
    const where = `the control API's event stream (${this.endpoint.controlUrl}/api/events)`;
    const unknown = (data: string): void =>
      onProblem(
        new Error(
          `the control API sent an event this app does not understand: ${data.slice(0, 200)}`,
        ),
      );
    const run = async (): Promise<void> => {
      let delayMs = RECONNECT_MIN_MS;
      while (!closed) {
        try {
          current = await this.events(unknown);
          if (closed) current.close();
          let received = false;
          for (let event = await current.next(); event !== null; event = await current.next()) {
            received = true;
            onEvent(event);
          }
          if (received) delayMs = RECONNECT_MIN_MS;
          const broke = current.error;
          if (!closed)
            onProblem(
              new Error(
                broke === null
                  ? `${where} ended; reconnecting`
                  : `${where} broke: ${messageOf(broke)}; reconnecting`,
              ),
            );
        } catch (error: unknown) {
          if (closed) return;
          onProblem(new Error(`${where} broke: ${messageOf(error)}; reconnecting`));
        }
        if (closed) return;
        await clock.sleep(delayMs);
        delayMs = Math.min(RECONNECT_MAX_MS, delayMs * 2);
      }
    };
    void run();
    return {
      close: () => {
        closed = true;
        current?.close();
      },
    };
  }

  /**
   * Sends one call (a JSON `body`, if any) with the token, or the cookie where there is none; answers its response
   * when it succeeded (to read as a download or a stream), else throws the client's error.
   */
  async send(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options: { body?: unknown; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const { body, signal } = options;
    const token = this.endpoint.token;
    let response: Response;
    try {
      response = await this.fetchFn(`${this.endpoint.controlUrl}${path}`, {
        method,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          [VIA_HEADER]: this.options.via,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(token === null ? { credentials: 'same-origin' as const } : {}),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error: unknown) {
      throw this.failed(
        'unreachable',
        method,
        path,
        { status: 0, code: 'unreachable', field: null },
        `the control API at ${this.endpoint.controlUrl} did not answer: ${messageOf(error)}`,
        error,
      );
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    const envelope = ApiErrorSchema.safeParse(parseJson(text));
    const answer = envelope.success
      ? { ...envelope.data.error, field: envelope.data.error.field ?? null }
      : { code: 'http', message: text.trim().slice(0, 200) || response.statusText, field: null };
    throw this.failed(
      'refused',
      method,
      path,
      { status: response.status, code: answer.code, field: answer.field },
      answer.message,
    );
  }

  private failed(
    kind: ControlCallError['kind'],
    method: string,
    path: string,
    answer: { readonly status: number; readonly code: string; readonly field: string | null },
    detail: string,
    cause?: unknown,
  ): Error {
    const error = new ControlCallError(
      kind,
      method,
      path,
      this.endpoint.controlUrl,
      answer.status,
      answer.code,
      detail,
      answer.field,
      cause === undefined ? undefined : { cause },
    );
    return this.options.errorOf?.(error) ?? error;
  }
}

/** One event's `data` as the contract reads it, or null for text that is not one (a newer daemon's event). */
export function parseApiEvent(data: string): ApiEvent | null {
  const parsed = ApiEventSchema.safeParse(parseJson(data));
  return parsed.success ? parsed.data : null;
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** An error's message; Node's fetch hides the socket error (ECONNREFUSED) in `cause`. */
function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
