// The tray's client of the control API, as the dashboard is one: state, settings, actions, and the live event stream.
import type { Clock } from '../core/clock/clock';
import type { ApiEvent, Settings, StateResponse } from '../core/api/contract';
import {
  ApiErrorSchema,
  ApiEventSchema,
  SettingsSchema,
  StateResponseSchema,
  VIA_HEADER,
} from '../core/api/contract';
import { SseParser } from './sse-parser';

/** Where the control API is and how to get in. */
export interface ControlEndpoint {
  /** `http://127.0.0.1:11401` */
  readonly controlUrl: string;
  readonly token: string;
}

/** Reconnect delays of the event stream: doubling from 1 s up to 30 s, back to 1 s after a good connection. */
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

/** A live event stream; `close()` ends it for good. */
export interface EventSubscription {
  close(): void;
}

/** Calls the control API with the token; every call names itself in its errors. Actions say they come from the tray. */
export class ControlClient {
  constructor(
    private readonly endpoint: ControlEndpoint,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  /** `GET /api/state`, checked against the contract. */
  async state(): Promise<StateResponse> {
    return StateResponseSchema.parse(await this.json('GET', '/api/state'));
  }

  /** `GET /api/settings`, checked against the contract. */
  async settings(): Promise<Settings> {
    return SettingsSchema.parse(await this.json('GET', '/api/settings'));
  }

  /** `POST /api/models/{name}/wake`: answers once the wake has started (its end comes as events). */
  async wake(model: string): Promise<void> {
    await this.json('POST', `/api/models/${encodeURIComponent(model)}/wake`);
  }

  /** `POST /api/models/{name}/sleep`. */
  async sleep(model: string): Promise<void> {
    await this.json('POST', `/api/models/${encodeURIComponent(model)}/sleep`);
  }

  /** `POST /api/models/{server}/unload`: unloads one model inside an Ollama server. */
  async unload(server: string, model: string): Promise<void> {
    await this.json('POST', `/api/models/${encodeURIComponent(server)}/unload`, { model });
  }

  /** `POST /api/auto-sleep/pause` or `/resume`. */
  async setAutoSleepPaused(paused: boolean): Promise<void> {
    await this.json('POST', paused ? '/api/auto-sleep/pause' : '/api/auto-sleep/resume');
  }

  /**
   * Follows `GET /api/events`, reconnecting after a break (each connection starts with a
   * `snapshot`, so nothing is missed for long). `onProblem` hears each break and each event
   * that does not match the contract.
   */
  subscribe(
    clock: Clock,
    onEvent: (event: ApiEvent) => void,
    onProblem: (error: Error) => void,
  ): EventSubscription {
    const controller = new AbortController();
    const run = async (): Promise<void> => {
      let delayMs = RECONNECT_MIN_MS;
      while (!controller.signal.aborted) {
        try {
          const received = await this.readEvents(controller.signal, onEvent, onProblem);
          if (received) delayMs = RECONNECT_MIN_MS;
          if (!controller.signal.aborted)
            onProblem(
              new Error(
                `the control API's event stream (${this.endpoint.controlUrl}/api/events) ended; reconnecting`,
              ),
            );
        } catch (error: unknown) {
          if (controller.signal.aborted) return;
          onProblem(
            new Error(
              `the control API's event stream (${this.endpoint.controlUrl}/api/events) broke: ${messageOf(error)}; reconnecting`,
            ),
          );
        }
        if (controller.signal.aborted) return;
        await clock.sleep(delayMs);
        delayMs = Math.min(RECONNECT_MAX_MS, delayMs * 2);
      }
    };
    void run();
    return { close: () => controller.abort() };
  }

  /** Reads one connection to its end; resolves true when at least one event came. */
  private async readEvents(
    signal: AbortSignal,
    onEvent: (event: ApiEvent) => void,
    onProblem: (error: Error) => void,
  ): Promise<boolean> {
    const response = await this.fetchFn(`${this.endpoint.controlUrl}/api/events`, {
      headers: { authorization: `Bearer ${this.endpoint.token}`, accept: 'text/event-stream' },
      signal,
    });
    if (!response.ok || response.body === null)
      throw new Error(await failureOf('GET /api/events', response));
    const parser = new SseParser();
    const decoder = new TextDecoder();
    let received = false;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) {
        const parsed = ApiEventSchema.safeParse(safeJson(message.data));
        if (!parsed.success) {
          onProblem(
            new Error(
              `the control API sent an event this app does not understand: ${message.data.slice(0, 200)}`,
            ),
          );
          continue;
        }
        received = true;
        onEvent(parsed.data);
      }
    }
    return received;
  }

  private async json(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const what = `${method} ${path}`;
    let response: Response;
    try {
      response = await this.fetchFn(`${this.endpoint.controlUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.endpoint.token}`,
          accept: 'application/json',
          [VIA_HEADER]: 'tray',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error: unknown) {
      throw new Error(
        `${what}: the control API at ${this.endpoint.controlUrl} did not answer: ${messageOf(error)}`,
      );
    }
    if (!response.ok) throw new Error(await failureOf(what, response));
    const text = await response.text();
    return text === '' ? null : safeJson(text);
  }
}

/** `POST /api/models/x/wake: 404 no model named "x"` from the API's error envelope. */
async function failureOf(what: string, response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  const envelope = ApiErrorSchema.safeParse(safeJson(text));
  const detail = envelope.success
    ? envelope.data.error.message
    : text.slice(0, 200) || response.statusText;
  return `${what}: ${response.status} ${detail}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    // Node's fetch hides the socket error (ECONNREFUSED) in `cause`.
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
