// Server-sent events arrive in chunks cut anywhere; the parser hands back whole messages.
import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser';

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
});
