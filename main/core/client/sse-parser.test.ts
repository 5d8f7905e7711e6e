// Server-sent events arrive in chunks cut anywhere; the parser hands back whole messages.
import { describe, expect, it } from 'vitest';
import { SseParser, sseMessages } from './sse-parser';

describe('server-sent events parser', () => {
  it('gives one message per blank-line-terminated block, skipping comments and retry', () => {
    const parser = new SseParser();
    expect(
      parser.push('retry: 2000\n\n: heartbeat\n\ndata: {"a":1}\n\nevent: ping\ndata: x\n\n'),
    ).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'ping', data: 'x' },
    ]);
  });

  it('joins multi-line data and keeps a message cut across chunks, CRLF split too', () => {
    const parser = new SseParser();
    const stream = 'data: line one\r\ndata:line two\r\n\r\ndata: {"b":2}\r\n\r\n';
    const messages = [];
    for (let i = 0; i < stream.length; i += 3)
      messages.push(...parser.push(stream.slice(i, i + 3)));
    expect(messages).toEqual([
      { event: 'message', data: 'line one\nline two' },
      { event: 'message', data: '{"b":2}' },
    ]);
  });

  it('holds an unfinished message until its blank line comes', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"half":')).toEqual([]);
    expect(parser.push('true}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: '{"half":true}' }]);
  });

  it('reads a fetch body to its end, message by message, whatever its chunks', async () => {
    const bytes = new TextEncoder().encode(
      'retry: 2000\n\ndata: {"type":"a"}\n\n: heartbeat\n\ndata: one\ndata: two\n\n',
    );
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // Cut every 5 bytes: inside lines, and between the two newlines that end a message.
        for (let i = 0; i < bytes.length; i += 5) controller.enqueue(bytes.slice(i, i + 5));
        controller.close();
      },
    });
    const messages = sseMessages(body);
    const seen = [];
    for (let m = await messages.next(); m !== null; m = await messages.next()) seen.push(m.data);
    expect(seen).toEqual(['{"type":"a"}', 'one\ntwo']);
    expect(await messages.next()).toBeNull();
  });
});
