// The gateway's accounting hook (issue 16): what it tells the accounting of each forwarded request, and the tap that
// reads the response on its way through (usage, first byte, the `Siesta-Energy` receipt) without holding it back.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { TokenUsage } from './usage-tap';
import { UsageTap } from './usage-tap';
import type { UsageRequest } from './usage-request';
import { usageRequest } from './usage-request';

/** A request as it starts to be forwarded. */
export interface RequestStart {
  readonly model: string;
  readonly client: string;
  /** Epoch ms when the model was handed the request (after any wake). */
  readonly startedAt: number;
}

/** How it went. */
export interface RequestOutcome {
  /** The model's status code, or 0 when none came (unreachable, or the client left first). */
  readonly status: number;
  readonly firstByteAt: number | null;
  readonly endedAt: number;
  readonly tokens: TokenUsage;
  /** False when the response was cut (client gone, model gone). */
  readonly complete: boolean;
}

/** One request being accounted. */
export interface AccountedRequest {
  /** The marginal joules so far (the receipt), or null while no GPU reading covers the model. */
  joulesNow(): number | null;
  /** Called once, when the response is over. */
  finish(outcome: RequestOutcome): void;
}

/** What the gateway calls; the composition root supplies it. */
export interface RequestAccounting {
  begin(start: RequestStart): AccountedRequest;
}

/** The response header with the marginal joules of a whole (not streamed) response. */
export const ENERGY_HEADER = 'siesta-energy';

/** Reads one response on its way to the client; `forwardHttp` calls `headers`, then `pipe`. */
export class ResponseMeter {
  private tap: UsageTap | null = null;
  private status = 0;
  private finished = false;
  private ended = false;

  constructor(
    private readonly accounted: AccountedRequest,
    private readonly request: UsageRequest,
    private readonly now: () => number,
  ) {}

  /**
   * Extra headers for the client: the receipt, for a response that arrived whole (it has a length); with `cors`, also
   * exposed to the page's scripts.
   */
  headers(upRes: IncomingMessage, cors: boolean): OutgoingHttpHeaders {
    this.status = upRes.statusCode ?? 0;
    const hasLength = upRes.headers['content-length'] !== undefined;
    // A body with a length is never changed: the client must get exactly as many bytes as it was told.
    const mode = hasLength ? 'pass' : this.request.mode;
    this.tap = new UsageTap(mode, this.request.promptTokensEstimate, this.now, () =>
      this.accounted.joulesNow(),
    );
    this.tap.start(upRes.headers['content-type']);
    if (!hasLength) return {};
    const joules = this.accounted.joulesNow();
    if (joules === null) return {};
    const receipt = { [ENERGY_HEADER]: joules.toFixed(3) };
    return cors ? { ...receipt, 'access-control-expose-headers': ENERGY_HEADER } : receipt;
  }

  /** Sends the body on as it comes (with backpressure), reading it; ends `res` when it ends. */
  pipe(upRes: IncomingMessage, res: ServerResponse): void {
    const tap = this.tap;
    if (tap === null) {
      upRes.pipe(res);
      return;
    }
    if (tap.passesChunks) {
      // Nothing to change in the body: Node's own pipe carries it, the tap only reads along.
      upRes.on('data', (chunk: Buffer) => tap.chunk(chunk));
      upRes.once('end', () => {
        tap.end();
        this.ended = true;
      });
      upRes.pipe(res);
      return;
    }
    upRes.on('data', (chunk: Buffer) => {
      const out = tap.chunk(chunk);
      if (out.length > 0 && !res.write(out)) {
        upRes.pause();
        res.once('drain', () => upRes.resume());
      }
    });
    upRes.once('end', () => {
      const rest = tap.end();
      this.ended = true;
      res.end(rest.length > 0 ? rest : undefined);
    });
  }

  /** The response is over (the client's 'close', when the model's use is released too): reported once. */
  finish(): void {
    const complete = this.ended;
    if (this.finished) return;
    this.finished = true;
    const read = this.tap?.tokens() ?? {
      promptTokens: this.request.promptTokensEstimate() ?? 0,
      completionTokens: 0,
      estimated: true,
    };
    // An error answer's body is no completion: without the model's usage, its tokens are not counted.
    const tokens =
      read.estimated && (this.status === 0 || this.status >= 400)
        ? { ...read, completionTokens: 0 }
        : read;
    this.accounted.finish({
      status: this.status,
      firstByteAt: this.tap?.firstByteAt ?? null,
      endedAt: this.now(),
      tokens,
      complete,
    });
  }
}

/** The meter of one request about to be forwarded, and the body to send (with usage asked for), or null without accounting. */
export function meterRequest(
  accounting: RequestAccounting | null,
  req: IncomingMessage,
  model: string,
  path: string,
  body: Buffer | null,
  now: () => number,
): { meter: ResponseMeter; body: Buffer | null } | null {
  if (accounting === null) return null;
  const request = usageRequest(req.headers, path, body);
  const accounted = accounting.begin({ model, client: request.client, startedAt: now() });
  return { meter: new ResponseMeter(accounted, request, now), body: request.body };
}
