// The CLI's client of the control API: typed calls with the token, errors a user can read, the live event stream.
import type { z } from 'zod';
import type { ApiEvent } from '../core/api/contract';
import { ApiErrorSchema, ApiEventSchema, VIA_HEADER } from '../core/api/contract';
import { CliError } from './cli-error';
import type { CliCommandOptions } from './cli-options';
import { controlUrlOf, tokenOf } from './cli-options';
import { readServerSentEvents } from './sse-reader';

/** An open event stream: events in order; `close()` ends it. */
export interface EventStream {
  next(): Promise<ApiEvent | null>;
  close(): void;
}

/** Talks to one running Siesta. */
export class ControlClient {
  readonly baseUrl: string;
  private readonly token: string;

  constructor(options: CliCommandOptions) {
    this.baseUrl = controlUrlOf(options);
    this.token = tokenOf(options);
  }

  /** GETs or POSTs `path` and parses the JSON answer with `schema`. */
  async json<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    const res = await this.send(method, path, undefined, body);
    const parsed = schema.safeParse(await res.json());
    if (!parsed.success)
      throw new CliError(
        `the daemon at ${this.baseUrl} answered ${method} ${path} with something this CLI does not understand (a different Siesta version?)`,
      );
    return parsed.data;
  }

  /** POSTs or PUTs a JSON body to `path` and parses the JSON answer with `schema`. */
  async sendBody<S extends z.ZodType>(
    method: 'POST' | 'PUT',
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.output<S>> {
    const parsed = schema.safeParse(await (await this.send(method, path, undefined, body)).json());
    if (!parsed.success)
      throw new CliError(
        `the daemon at ${this.baseUrl} answered ${method} ${path} with something this CLI does not understand (a different Siesta version?)`,
      );
    return parsed.data;
  }

  /** GETs `path` as text. */
  async text(path: string): Promise<string> {
    return (await this.send('GET', path)).text();
  }

  /** Opens the live event stream (`GET /api/events`). */
  async events(): Promise<EventStream> {
    const controller = new AbortController();
    const res = await this.send('GET', '/api/events', controller.signal);
    if (!res.body) throw new CliError(`the daemon at ${this.baseUrl} sent no event stream`);
    const frames = readServerSentEvents(res.body);
    return {
      async next() {
        for (;;) {
          let data: string | null;
          try {
            data = await frames.next();
          } catch {
            return null;
          }
          if (data === null) return null;
          const parsed = ApiEventSchema.safeParse(JSON.parse(data));
          if (parsed.success) return parsed.data;
          // An event type from a newer daemon: skip it.
        }
      },
      close: () => controller.abort(),
    };
  }

  private async send(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    signal?: AbortSignal,
    body?: unknown,
  ): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          [VIA_HEADER]: 'cli',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      });
    } catch (error: unknown) {
      throw new CliError(
        `no Siesta daemon answers at ${this.baseUrl} — start it with \`siesta serve\` (${networkCause(error)})`,
      );
    }
    if (res.ok) return res;
    const text = await res.text();
    let message = text.trim() || res.statusText;
    try {
      const envelope = ApiErrorSchema.safeParse(JSON.parse(text));
      if (envelope.success) message = envelope.data.error.message;
    } catch {
      // not JSON: keep the text
    }
    if (res.status === 401) {
      throw new CliError(
        `the daemon at ${this.baseUrl} refused this token; is it using another data dir? Pass --data-dir or --token. (${message})`,
      );
    }
    throw new CliError(message);
  }
}

function networkCause(error: unknown): string {
  const cause =
    error instanceof Error
      ? (error.cause as { code?: string; message?: string } | undefined)
      : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
