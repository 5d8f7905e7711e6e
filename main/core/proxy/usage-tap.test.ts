// The usage tap on bytes as a model sends them, split anywhere: usage read, Siesta's own usage event taken out,
// the client's annotated with the receipt, and estimates marked as such.
import { describe, expect, it } from 'vitest';
import { UsageTap } from './usage-tap';
import { usageRequest } from './usage-request';

const event = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
const chunkEvent = (content: string) =>
  event({ id: 'c', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
const usageEvent = event({
  id: 'c',
  choices: [],
  usage: { prompt_tokens: 12, completion_tokens: 3 },
});
const STREAM = chunkEvent('a') + chunkEvent(' b') + chunkEvent(' c');

/** Feeds `text` to the tap in pieces of `size` bytes and returns what the client got. */
function feed(tap: UsageTap, text: string, size: number): string {
  const bytes = Buffer.from(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += size)
    out += tap.chunk(bytes.subarray(i, i + size)).toString();
  return out + tap.end().toString();
}

describe('UsageTap', () => {
  it.each([1, 7, 4096])(
    'takes out the usage event Siesta asked for (pieces of %i bytes)',
    (size) => {
      const tap = new UsageTap(
        'injected',
        () => null,
        () => 0,
        () => 5,
      );
      tap.start('text/event-stream');
      expect(feed(tap, `${STREAM}${usageEvent}data: [DONE]\n\n`, size)).toBe(
        `${STREAM}data: [DONE]\n\n`,
      );
      expect(tap.tokens()).toEqual({ promptTokens: 12, completionTokens: 3, estimated: false });
    },
  );

  it('adds the receipt to the usage event the client asked for', () => {
    const tap = new UsageTap(
      'client-asked',
      () => null,
      () => 0,
      () => 1.5,
    );
    tap.start('text/event-stream');
    const out = feed(tap, `${STREAM}${usageEvent}`, 10);
    expect(out.startsWith(STREAM)).toBe(true);
    const last = JSON.parse(out.slice(STREAM.length).replace(/^data: /, '')) as Record<
      string,
      unknown
    >;
    expect(last.siesta).toEqual({ energy_joules: 1.5 });
    expect(last.usage).toEqual({ prompt_tokens: 12, completion_tokens: 3 });
  });

  it('passes a stream on chunk by chunk and estimates its tokens when it has no usage', () => {
    const tap = new UsageTap(
      'pass',
      () => 4,
      () => 0,
      () => null,
    );
    tap.start('text/event-stream');
    const bytes = Buffer.from(STREAM);
    const piece = bytes.subarray(0, 5);
    expect(tap.chunk(piece)).toBe(piece);
    tap.chunk(bytes.subarray(5));
    expect(tap.tokens()).toEqual({ promptTokens: 4, completionTokens: 3, estimated: true });
  });

  it('finds usage at the end of a large JSON body without holding it', () => {
    const tap = new UsageTap(
      'pass',
      () => null,
      () => 0,
      () => null,
    );
    tap.start('application/json');
    const body = JSON.stringify({
      text: 'x'.repeat(100_000),
      usage: { prompt_tokens: 9, completion_tokens: 70 },
    });
    expect(feed(tap, body, 1000)).toBe(body);
    expect(tap.tokens()).toEqual({ promptTokens: 9, completionTokens: 70, estimated: false });
  });

  it("reads Ollama's eval counts", () => {
    const tap = new UsageTap(
      'pass',
      () => null,
      () => 0,
      () => null,
    );
    tap.start('application/x-ndjson');
    feed(tap, '{"done":false}\n{"done":true,"prompt_eval_count":6,"eval_count":21}\n', 8);
    expect(tap.tokens()).toEqual({ promptTokens: 6, completionTokens: 21, estimated: false });
  });
});

describe('usageRequest', () => {
  const headers = { authorization: 'Bearer sk-abc', 'user-agent': 'curl/8' };
  it('asks for usage on a stream that did not, leaving the rest of the body as the client sent it', () => {
    const body = Buffer.from(
      '{"model":"m","stream":true,  "messages":[{"role":"user","content":"hello there"}]}',
    );
    const r = usageRequest(headers, '/v1/chat/completions', body);
    expect(r.mode).toBe('injected');
    expect(r.body?.toString()).toBe(
      '{"stream_options":{"include_usage":true},"model":"m","stream":true,  "messages":[{"role":"user","content":"hello there"}]}',
    );
    expect(r.client).toMatch(/^key:[0-9a-f]{12}$/);
    expect(r.promptTokensEstimate()).toBe(3);
  });

  it('leaves a client that asked, a whole answer and an unread body alone', () => {
    const asked = Buffer.from('{"stream":true,"stream_options":{"include_usage":true}}');
    expect(usageRequest({}, '/v1/completions', asked)).toMatchObject({
      mode: 'client-asked',
      body: asked,
      client: 'unknown',
    });
    const whole = Buffer.from('{"stream":false}');
    expect(usageRequest({ 'user-agent': 'curl/8' }, '/v1/chat/completions', whole)).toMatchObject({
      mode: 'pass',
      body: whole,
      client: 'curl/8',
    });
    expect(usageRequest(headers, '/v1/chat/completions', null).mode).toBe('pass');
  });
});
