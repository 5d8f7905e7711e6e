// Reads a model's response as it flows to the client, without holding it back: the first byte's time, the token usage
// (a JSON body's `usage`, an SSE stream's usage event, Ollama's eval counts), or an estimate when there is none. A
// usage event Siesta asked for is taken out of the stream; one the client asked for carries the energy receipt.
import type { UsageMode } from './usage-request';
import { CHARS_PER_TOKEN } from './usage-request';

/** Tokens of one response; `estimated` when the model said nothing of them. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly estimated: boolean;
}

type BodyKind = 'sse' | 'json' | 'other';

/** How much of a body's start and end is kept to find `usage` in (a JSON body is never held whole). */
const EDGE_BYTES = 4096;

/** An SSE event longer than this is passed on unread. */
const MAX_EVENT_BYTES = 1024 * 1024;

const DATA_PREFIX = /^data:\s?/;

function numberAfter(text: string, key: string, from: number): number | null {
  const m = new RegExp(`"${key}"\\s*:\\s*(\\d+)`).exec(text.slice(from));
  return m === null ? null : Number(m[1]);
}

/** `usage` in a piece of JSON text (OpenAI's, else Ollama's eval counts), or null. */
export function usageInText(text: string): { prompt: number; completion: number } | null {
  const at = text.lastIndexOf('"usage"');
  if (at >= 0) {
    const prompt = numberAfter(text, 'prompt_tokens', at);
    const completion = numberAfter(text, 'completion_tokens', at);
    if (prompt !== null || completion !== null)
      return { prompt: prompt ?? 0, completion: completion ?? 0 };
  }
  const evalCount = numberAfter(text, 'eval_count', text.lastIndexOf('"eval_count"'));
  if (evalCount !== null && text.includes('"eval_count"')) {
    const prompt = text.includes('"prompt_eval_count"')
      ? numberAfter(text, 'prompt_eval_count', text.lastIndexOf('"prompt_eval_count"'))
      : null;
    return { prompt: prompt ?? 0, completion: evalCount };
  }
  return null;
}

/** Where the blank line that ends the first SSE event in `buf` is, as [end of event, length of separator], or null. */
function eventEnd(buf: Buffer): [number, number] | null {
  const lf = buf.indexOf('\n\n');
  const crlf = buf.indexOf('\n\r\n');
  if (lf < 0 && crlf < 0) return null;
  if (crlf < 0 || (lf >= 0 && lf < crlf)) return [lf + 1, 1];
  return [crlf + 1, 2];
}

/** One response seen through: call `chunk` for each piece of body (forward what it returns), then `end`. */
export class UsageTap {
  private kind: BodyKind = 'other';
  private pending: Buffer = Buffer.alloc(0);
  private head = '';
  private tail = '';
  private bodyBytes = 0;
  private contentEvents = 0;
  private usage: { prompt: number; completion: number } | null = null;
  /** When the first byte of body came (epoch ms), or null. */
  firstByteAt: number | null = null;

  constructor(
    private readonly mode: UsageMode,
    private readonly promptTokensEstimate: () => number | null,
    private readonly now: () => number,
    /** The marginal joules so far, for the receipt in a usage event the client asked for; null when unknown. */
    private readonly receiptJoules: () => number | null,
  ) {}

  /** Tells the tap the response's content type, before the first chunk. */
  start(contentType: string | undefined): void {
    const type = (contentType ?? '').toLowerCase();
    this.kind = type.includes('text/event-stream')
      ? 'sse'
      : type.includes('json')
        ? 'json'
        : 'other';
  }

  /** Whether chunks are forwarded as they come (else whole events, so one can be taken out or annotated). */
  get passesChunks(): boolean {
    return this.kind !== 'sse' || this.mode === 'pass';
  }

  /** Reads one chunk; returns what to send to the client now. */
  chunk(data: Buffer): Buffer {
    if (this.firstByteAt === null && data.length > 0) this.firstByteAt = this.now();
    this.bodyBytes += data.length;
    if (this.kind !== 'sse') {
      this.keepEdges(data);
      return data;
    }
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    const out: Buffer[] = [];
    let cut = 0;
    for (;;) {
      const rest = this.pending.subarray(cut);
      const end = eventEnd(rest);
      if (end === null) break;
      const event = rest.subarray(0, end[0] + end[1]);
      cut += event.length;
      const forwarded = this.event(event);
      if (!this.passesChunks && forwarded !== null) out.push(forwarded);
    }
    this.pending = this.pending.subarray(cut);
    if (this.pending.length > MAX_EVENT_BYTES) {
      // Not SSE as Siesta knows it: what is held goes on unread rather than grow without end.
      out.push(this.pending);
      this.pending = Buffer.alloc(0);
    }
    if (this.passesChunks) return data;
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  /** The end of the body: what is left to send (an unfinished last event). */
  end(): Buffer {
    const left = this.pending;
    this.pending = Buffer.alloc(0);
    if (this.kind === 'sse' && left.length > 0) {
      const forwarded = this.event(left);
      return this.passesChunks ? Buffer.alloc(0) : (forwarded ?? Buffer.alloc(0));
    }
    return this.passesChunks ? Buffer.alloc(0) : left;
  }

  /** The tokens of the response: as the model counted them, else estimated. */
  tokens(): TokenUsage {
    if (this.kind !== 'sse' && this.usage === null)
      this.usage = usageInText(this.tail) ?? usageInText(this.head);
    if (this.usage !== null)
      return {
        promptTokens: this.usage.prompt,
        completionTokens: this.usage.completion,
        estimated: false,
      };
    const completion =
      this.kind === 'sse' ? this.contentEvents : Math.round(this.bodyBytes / CHARS_PER_TOKEN);
    return {
      promptTokens: this.promptTokensEstimate() ?? 0,
      completionTokens: completion,
      estimated: true,
    };
  }

  private keepEdges(data: Buffer): void {
    if (this.head.length < EDGE_BYTES)
      this.head += data.subarray(0, EDGE_BYTES - this.head.length).toString('utf8');
    const piece = data.subarray(Math.max(0, data.length - EDGE_BYTES)).toString('utf8');
    this.tail = (this.tail + piece).slice(-EDGE_BYTES);
  }

  /** Reads one whole SSE event; returns it as the client should get it, or null to take it out. */
  private event(event: Buffer): Buffer | null {
    const text = event.toString('utf8');
    const data = text
      .split(/\r?\n/)
      .filter((l) => DATA_PREFIX.test(l))
      .map((l) => l.replace(DATA_PREFIX, ''))
      .join('\n');
    if (data === '' || data === '[DONE]') return event;
    if (!data.includes('"usage"') || /"usage"\s*:\s*null/.test(data)) {
      if (data.includes('"content"') || data.includes('"text"')) this.contentEvents += 1;
      if (this.mode === 'injected' && data.includes('"usage"'))
        // Siesta asked for usage, so the model marks every chunk `"usage":null`: the client did not ask for that.
        return Buffer.from(text.replace(/,"usage":null|"usage":null,/g, ''));
      return event;
    }
    let parsed: { choices?: unknown; usage?: unknown };
    try {
      parsed = JSON.parse(data) as { choices?: unknown; usage?: unknown };
    } catch {
      return event;
    }
    const found = usageInText(data);
    if (found !== null) this.usage = found;
    const noChoices = Array.isArray(parsed.choices) && parsed.choices.length === 0;
    if (!noChoices && (data.includes('"content"') || data.includes('"text"')))
      this.contentEvents += 1;
    if (this.mode === 'injected' && noChoices) return null;
    if (this.mode === 'client-asked') return this.withReceipt(text);
    return event;
  }

  /** The event with `"siesta":{"energy_joules":N}` added to its JSON (unchanged while the energy is unknown). */
  private withReceipt(text: string): Buffer {
    const joules = this.receiptJoules();
    const close = text.lastIndexOf('}');
    if (joules === null || close < 0) return Buffer.from(text);
    const receipt = `,"siesta":{"energy_joules":${joules.toFixed(3)}}`;
    return Buffer.from(text.slice(0, close) + receipt + text.slice(close));
  }
}
